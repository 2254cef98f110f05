import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { flattenFlinkConfig, flinkJavaOptions, IMAGE_SAMPLE_JOB_JAR, imageJarOverrides, jobManagerOverrides, withOverrides } from './flink-pod-config.ts';

describe("a Flink pod's config.yaml on this machine", () => {
  const written = 'jobmanager:\n  rpc:\n    address: orders.ns\n    port: 6123\nrest.port: 8081\nenv:\n  java:\n    opts:\n      all: -XX:+UseG1GC\n';

  it('reads nested and flat keys alike', () => {
    expect(flattenFlinkConfig(written)).toEqual({
      'jobmanager.rpc.address': 'orders.ns',
      'jobmanager.rpc.port': 6123,
      'rest.port': 8081,
      'env.java.opts.all': '-XX:+UseG1GC',
    });
  });

  it('changes addresses, ports and the kubeconfig, and keeps everything else', () => {
    const config = parse(
      withOverrides(`${written}high-availability.jobmanager.port: "6123"\n`, jobManagerOverrides({ rpc: 40001, blob: 40002, rest: 40003 }, '/k/config')),
    ) as Record<string, unknown>;
    expect(config).toMatchObject({
      'jobmanager.rpc.address': '127.0.0.1',
      'jobmanager.rpc.port': '40001',
      'blob.server.port': '40002',
      'rest.port': '40003',
      'rest.bind-port': '40003',
      'high-availability.jobmanager.port': '40001',
      'kubernetes.config.file': '/k/config',
      'env.java.opts.all': '-XX:+UseG1GC',
    });
  });

  it("replaces a spec's memory layout with the stack's small sizes, whose parts would not fit them", () => {
    const spec = `${written}taskmanager.memory.process.size: 3g\ntaskmanager.memory.managed.size: 900m\njobmanager.memory.off-heap.size: 1g\n`;
    const config = flattenFlinkConfig(withOverrides(spec, jobManagerOverrides({ rpc: 40001, blob: 40002, rest: 40003 }, '/k/config')));
    expect(Object.entries(config).filter(([key]) => /^(jobmanager|taskmanager)\.memory\./.test(key))).toEqual([
      ['jobmanager.memory.process.size', '768m'],
      ['taskmanager.memory.process.size', '1024m'],
    ]);
    expect(config['rest.port']).toBe('40003');
  });
});

describe("an application's jar in the stack's image", () => {
  it.each([
    ['the sample job, as Flink writes a list', { 'pipeline.jars': [IMAGE_SAMPLE_JOB_JAR] }, { 'pipeline.jars': 'local:///cache/keyed-counter-1.jar' }],
    ['the sample job, as a string', { 'pipeline.jars': IMAGE_SAMPLE_JOB_JAR }, { 'pipeline.jars': 'local:///cache/keyed-counter-1.jar' }],
    ['another jar of the image: kept, to fail as a missing jar does', { 'pipeline.jars': ['local:///opt/flink/usrlib/job.jar'] }, {}],
    ['a session cluster: no jars', {}, {}],
  ])('%s', (_case, config, overrides) => {
    expect(imageJarOverrides(config, '/cache/keyed-counter-1.jar')).toEqual(overrides);
  });
});

describe("the JVM options a Flink image's scripts give a JobManager or TaskManager", () => {
  it.each([
    [
      "the image's opens, nothing else",
      { 'env.java.opts.all': '--add-opens=java.base/java.lang=ALL-UNNAMED' },
      'jobmanager',
      ['--add-opens=java.base/java.lang=ALL-UNNAMED'],
    ],
    ['env.java.opts.all set replaces them', { 'env.java.opts.all': '-XX:+UseG1GC' }, 'jobmanager', ['-XX:+UseG1GC']],
    ['the older env.java.opts when .all is not set', { 'env.java.opts': '-Da=1' }, 'taskmanager', ['-Da=1']],
    [
      "default-opts first, then .all, then the component's own",
      {
        'env.java.default-opts.all': '-Dd=1',
        'env.java.opts.all': '"-Dall=1 -Dall=2"',
        'env.java.default-opts.taskmanager': '-Ddt=1',
        'env.java.opts.taskmanager': '-XX:+UseG1GC',
        'env.java.opts.jobmanager': '-Djm=1',
      },
      'taskmanager',
      ['-Dd=1', '-Dall=1', '-Dall=2', '-Ddt=1', '-XX:+UseG1GC'],
    ],
  ] as const)('%s', (_case, config, component, expected) => {
    expect(flinkJavaOptions(config, component)).toEqual(expected);
  });
});
