// Flink's own option definitions, per Flink version of stack/versions.env: which keys it knows and
// which it deprecates. Needs Java and the Flink client jars (npm run provision), not the servers.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readVersions, resolveBinaries } from '../../stack/binaries.ts';
import {
  assertOptionKeysValid,
  checkOptionKeys,
  flinkOptionKeysCacheFile,
  loadFlinkOptionKeys,
  resolveFlinkVersion,
  type FlinkOptionKeys,
} from '../../tools/flink-options/flink-option-keys.ts';

/** Current (not deprecated) in 1.20.1 and in 2.1.0, as Flink's ConfigOption classes say. */
const CURRENT_IN_BOTH = [
  'jobmanager.memory.process.size',
  'jobmanager.memory.off-heap.size',
  'jobmanager.memory.jvm-metaspace.size',
  'taskmanager.memory.process.size',
  'taskmanager.memory.jvm-metaspace.size',
  'taskmanager.memory.framework.heap.size',
  'taskmanager.memory.framework.off-heap.size',
  'taskmanager.memory.task.off-heap.size',
  'taskmanager.memory.managed.size',
  'taskmanager.memory.managed.fraction',
  'taskmanager.memory.network.min',
  'taskmanager.memory.network.max',
  'taskmanager.memory.network.fraction',
  'taskmanager.numberOfTaskSlots',
  'kubernetes.cluster-id',
  'kubernetes.container.image.ref',
  'kubernetes.container.image.pull-secrets',
  'kubernetes.service-account',
  'kubernetes.jobmanager.cpu.amount',
  'kubernetes.taskmanager.cpu.amount',
  'kubernetes.jobmanager.node-selector',
  'kubernetes.taskmanager.node-selector',
  'kubernetes.pod-template-file.default',
  'kubernetes.pod-template-file', // a fallback key of .default, not a deprecated one
  'kubernetes.rest-service.exposed.type',
  'kubernetes.env.secretKeyRef',
  'high-availability.type',
  'high-availability.storageDir',
  'high-availability.zookeeper.quorum',
  'high-availability.zookeeper.path.root',
  'execution.checkpointing.dir',
  'execution.checkpointing.savepoint-dir',
  'execution.checkpointing.incremental',
  'state.backend.type', // in 1.20.1 also a @Deprecated field (CheckpointingOptions), current in StateBackendOptions
  'jobmanager.archive.fs.dir',
  'historyserver.archive.fs.dir',
  'env.java.opts.all',
  'fs.overwrite-files',
  'parallelism.default',
  'security.kerberos.login.contexts',
  'security.kerberos.login.keytab',
  'security.kerberos.login.principal',
  'security.kerberos.login.use-ticket-cache',
];

/** Deprecated → the key that replaces it, in 1.20.1 and in 2.1.0 alike. */
const DEPRECATED_IN_BOTH: Record<string, string> = {
  'high-availability': 'high-availability.type',
  'state.checkpoints.dir': 'execution.checkpointing.dir',
  'state.savepoints.dir': 'execution.checkpointing.savepoint-dir',
  'state.backend': 'state.backend.type',
  'state.backend.incremental': 'execution.checkpointing.incremental',
  'kubernetes.container.image': 'kubernetes.container.image.ref',
  'kubernetes.jobmanager.cpu': 'kubernetes.jobmanager.cpu.amount',
  'kubernetes.taskmanager.cpu': 'kubernetes.taskmanager.cpu.amount',
  'env.java.opts': 'env.java.opts.all',
};

/** The earlier operator's misspelt off-heap key: no Flink version has it. */
const INVENTED = 'jobmanager.memory.task.off-heap.size';

describe.each(readVersions().flink)("Flink %s's option keys, from its own ConfigOption classes", (flinkVersion) => {
  let known: FlinkOptionKeys;

  beforeAll(async () => {
    const classpath = resolveBinaries(process.env).flinkClasspaths[flinkVersion]!;
    known = await loadFlinkOptionKeys(flinkVersion, classpath);
  }, 300_000);

  it('scans the real classpath: hundreds of options, the version Flink reports itself, a cached JSON', async () => {
    expect(known.flinkVersion).toBe(flinkVersion);
    expect(Object.keys(known.options).length).toBeGreaterThan(500);
    expect(known.stats.optionFields).toBeGreaterThan(500);
    expect(existsSync(await flinkOptionKeysCacheFile(flinkVersion))).toBe(true);
  });

  it('knows the keys the operator renders, as current keys', () => {
    const missing = CURRENT_IN_BOTH.filter((key) => known.options[key] === undefined);
    const deprecated = CURRENT_IN_BOTH.filter((key) => known.options[key]?.deprecated);
    expect({ missing, deprecated }).toEqual({ missing: [], deprecated: [] });
    expect(checkOptionKeys(CURRENT_IN_BOTH, known)).toEqual({ unknown: [], deprecated: [] });
  });

  it('reports the renamed keys as deprecated, each with its replacement', () => {
    for (const [key, replacement] of Object.entries(DEPRECATED_IN_BOTH)) {
      expect({ key, ...known.options[key] }).toMatchObject({ key, deprecated: true, replacedBy: replacement });
    }
    expect(checkOptionKeys(Object.keys(DEPRECATED_IN_BOTH), known).deprecated).toEqual(
      Object.entries(DEPRECATED_IN_BOTH).map(([key, replacedBy]) => ({ key, replacedBy })),
    );
  });

  it('flags the invented key as unknown and high-availability as deprecated', () => {
    expect(known.options[INVENTED]).toBeUndefined();
    expect(checkOptionKeys([INVENTED, 'high-availability', 'kubernetes.cluster-id'], known)).toEqual({
      unknown: [INVENTED],
      deprecated: [{ key: 'high-availability', replacedBy: 'high-availability.type' }],
    });
  });

  it('accepts map entries in prefix form, the documented pass-through prefixes and templated keys', () => {
    expect(known.options['kubernetes.jobmanager.annotations']?.prefixMap).toBe(true);
    expect(known.options['s3.endpoint']).toBeUndefined();
    expect(known.options['containerized.master.env.FOO']).toBeUndefined();
    const keys = [
      'kubernetes.jobmanager.annotations.team',
      'kubernetes.taskmanager.node-selector.disk',
      's3.endpoint',
      's3.path.style.access',
      's3.access-key',
      'containerized.master.env.HADOOP_USER_NAME',
      'containerized.taskmanager.env.HADOOP_USER_NAME',
      'metrics.reporter.prom.factory.class',
    ];
    expect(checkOptionKeys(keys, known)).toEqual({ unknown: [], deprecated: [] });
    // Prefixes need something after them, and a current plain option has no prefix form.
    expect(checkOptionKeys(['s3.', 'containerized.master.env.', 'kubernetes.cluster-id.x'], known).unknown).toEqual([
      's3.',
      'containerized.master.env.',
      'kubernetes.cluster-id.x',
    ]);
  });

  it('assertOptionKeysValid names every unknown and deprecated key with its replacement', async () => {
    await expect(assertOptionKeysValid(flinkVersion, CURRENT_IN_BOTH)).resolves.toBeUndefined();
    const majorMinor = flinkVersion.split('.').slice(0, 2).join('.');
    const error = await assertOptionKeysValid(majorMinor, [INVENTED, 'high-availability', 'kubernetes.container.image', 's3.endpoint']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`${INVENTED}: unknown to Flink ${flinkVersion}`);
    expect(message).toContain(`high-availability: deprecated in Flink ${flinkVersion}, use high-availability.type`);
    expect(message).toContain(`kubernetes.container.image: deprecated in Flink ${flinkVersion}, use kubernetes.container.image.ref`);
    expect(message).not.toContain('s3.endpoint');
  });
});

describe('where 1.20.1 and 2.1.0 differ', () => {
  const versions = readVersions().flink;
  it.runIf(versions.includes('1.20.1') && versions.includes('2.1.0'))('2.x removed what 1.x only deprecated', async () => {
    const classpaths = resolveBinaries(process.env).flinkClasspaths;
    const v1 = await loadFlinkOptionKeys('1.20.1', classpaths['1.20.1']!);
    const v2 = await loadFlinkOptionKeys('2.1.0', classpaths['2.1.0']!);
    for (const key of ['taskmanager.heap.size', 'jobmanager.heap.size', 'state.backend.async', 'web.ssl.enabled']) {
      expect(v1.options[key]?.deprecated, key).toBe(true);
      expect(v2.options[key], key).toBeUndefined();
    }
  });
});

describe('resolveFlinkVersion', () => {
  it('takes an exact version or a major.minor that names one version', () => {
    expect(resolveFlinkVersion('1.20.1', ['1.20.1', '2.1.0'])).toBe('1.20.1');
    expect(resolveFlinkVersion('2.1', ['1.20.1', '2.1.0'])).toBe('2.1.0');
    expect(() => resolveFlinkVersion('1.19', ['1.20.1', '2.1.0'])).toThrow(/not one of the versions/);
    expect(() => resolveFlinkVersion('1.2', ['1.20.1', '2.1.0'])).toThrow(/not one of the versions/);
  });
});
