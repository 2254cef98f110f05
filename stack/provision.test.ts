// scripts/provision.sh's decisions, without building anything: what it finds ready, and the one line it
// prints when a program it needs is missing.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flinkExtras, flinkRuntimeWebJar, readVersions } from './binaries.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/provision.sh', import.meta.url));

function provision(env: Record<string, string>, args: string[] = []): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, ...args], { env: { HOME: tmpdir(), ...env } }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** Every program named by its variable (any executable will do: nothing is run), the Flink clients in the cache. */
function everythingThere(): Record<string, string> {
  const cache = mkdtempSync(join(tmpdir(), 'fso-provision-'));
  for (const version of readVersions().flink) {
    mkdirSync(join(cache, `flink-client-${version}`), { recursive: true });
    writeFileSync(join(cache, `flink-client-${version}`, '.complete'), '');
    for (const file of Object.values(flinkExtras(cache, version))) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
  }
  for (const version of readVersions().flinkRuntimeWeb) {
    mkdirSync(dirname(flinkRuntimeWebJar(cache, version)), { recursive: true });
    writeFileSync(flinkRuntimeWebJar(cache, version), '');
  }
  const bins = [
    'TEMPORAL',
    'TEMPORAL_TEST_SERVER',
    'ETCD',
    'KUBE_APISERVER',
    'KUBE_CONTROLLER_MANAGER',
    'KUBE_SCHEDULER',
    'KWOK',
    'VERSITYGW',
    'HELM',
    'PROMTOOL',
    'CHROMIUM',
  ];
  return {
    PATH: '/usr/bin:/bin',
    FSO_CACHE: cache,
    FSO_KWOK_STAGES: cache,
    FSO_ZOOKEEPER_JAR: SCRIPT,
    ...Object.fromEntries(bins.map((b) => [`FSO_${b}_BIN`, '/bin/true'])),
  };
}

describe('scripts/provision.sh', () => {
  it('builds nothing when every tool is there, and says so in one line', async () => {
    const result = await provision(everythingThere());
    expect(result.code, result.output).toBe(0);
    expect(result.output.trim().split('\n')).toEqual([expect.stringMatching(/\] ready: 11 of 11 tools \(cache /)]);
  });

  it('without Go on PATH, stops before building, naming Go and what needs it', async () => {
    const env = everythingThere();
    delete env.FSO_HELM_BIN;
    delete env.FSO_PROMTOOL_BIN;
    const result = await provision(env);
    expect(result.code).toBe(1);
    expect(result.output.trim().split('\n')).toEqual([expect.stringMatching(/error: not on PATH: go \(to build helm, promtool\); install them/)]);
  });

  it('refuses a tool it does not know, listing the ones it does', async () => {
    const result = await provision(everythingThere(), ['kubectl']);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "unknown tool 'kubectl'; the tools are: zookeeper chromium flink temporal temporal-test-server etcd kwok versitygw kube helm promtool",
    );
  });
});
