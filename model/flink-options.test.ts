import { describe, expect, it } from 'vitest';
import { flattenConfig, nodeSelectorOption, renderFlinkOptions, UnsupportedFlinkVersionError } from './flink-options.ts';
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';

const session: SessionRef = { namespace: 'flink', name: 'demo', uid: 'uid-1', generation: 3 };
const render = (spec: FlinkSessionSpec): Record<string, string> => Object.fromEntries(renderFlinkOptions(session, spec));

/** The earlier Go operator's own sample, unchanged. */
const earlierOperatorSample: FlinkSessionSpec = {
  image: '123shang60/flink:1.14.3-scala_2.12-java11',
  sa: 'flink',
  resource: {
    jobManager: { cpu: '1', memory: '1G', 'jvm-metaspace': '128M', 'off-heap': '128M' },
    taskManager: {
      cpu: '1',
      memory: '3G',
      'jvm-metaspace': '128M',
      framework: { heap: '', 'off-heap': '' },
      task: { 'off-heap': '' },
      netWork: { fraction: '0.1', min: '512M', max: '1G' },
      managed: { fraction: '0.1', min: '512M', max: '1G' },
    },
  },
  numberOfTaskSlots: 3,
  s3: { endPoint: 'localhost:9100', accessKey: 'test', secretKey: '123456', bucket: 'test' },
  ha: { type: 'zookeeper', quorum: '127.0.0.1:2181', path: '/flink/test' },
};

describe('renderFlinkOptions', () => {
  it('renders the earlier operator sample with its behaviour and without its bugs', () => {
    const options = render({ ...earlierOperatorSample, flinkVersion: '1.14' });
    expect(options).toMatchObject({
      'kubernetes.cluster-id': 'demo',
      'kubernetes.namespace': 'flink',
      'kubernetes.container.image': '123shang60/flink:1.14.3-scala_2.12-java11',
      'kubernetes.service-account': 'flink',
      'kubernetes.jobmanager.cpu': '1',
      'jobmanager.memory.process.size': '1G',
      'jobmanager.memory.off-heap.size': '128M',
      'taskmanager.memory.network.min': '512M',
      'taskmanager.memory.network.max': '1G',
      'taskmanager.memory.managed.size': '1G',
      'taskmanager.numberOfTaskSlots': '3',
      's3.endpoint': 'http://localhost:9100',
      's3.path.style.access': 'true',
      'state.checkpoints.dir': 's3://test/demo/flink/checkpoints',
      'state.savepoints.dir': 's3://test/demo/flink/savepoints',
      'jobmanager.archive.fs.dir': 's3://test/demo/flink/archive',
      'historyserver.archive.fs.dir': 's3://test/demo/flink/completed-jobs',
      'high-availability': 'zookeeper',
      'high-availability.zookeeper.quorum': '127.0.0.1:2181',
      'high-availability.zookeeper.path.root': '/flink/test',
      'high-availability.storageDir': 's3://test/demo/flink/ha/metadata',
      'env.java.opts': '-XX:+UseG1GC',
    });
    // The earlier operator's misspelt key, the ignored managed min/max, and the fractions that min/max beat.
    expect(options).not.toHaveProperty('jobmanager.memory.task.off-heap.size');
    expect(options).not.toHaveProperty('taskmanager.memory.managed.min');
    expect(options).not.toHaveProperty('taskmanager.memory.network.fraction');
    expect(options).not.toHaveProperty('taskmanager.memory.managed.fraction');
    // Empty strings mean "not set".
    expect(options).not.toHaveProperty('taskmanager.memory.framework.heap.size');
  });

  it('never renders S3 keys as options: they come from a Secret as environment variables', () => {
    const rendered = renderFlinkOptions(session, earlierOperatorSample);
    expect(rendered.flat().join(' ')).not.toMatch(/123456|s3\.access-key|s3\.secret-key/);
    expect(Object.fromEntries(rendered)['kubernetes.env.secretKeyRef']).toBe(
      'env:AWS_ACCESS_KEY_ID,secret:demo-credentials,key:accessKey;env:AWS_SECRET_ACCESS_KEY,secret:demo-credentials,key:secretKey',
    );
    const withSecret = render({
      image: 'f',
      s3: { endPoint: 'https://s3.example', bucket: 'b1', credentialsSecret: { name: 's3', accessKeyKey: 'id', secretKeyKey: 'key' } },
    });
    expect(withSecret['kubernetes.env.secretKeyRef']).toBe('env:AWS_ACCESS_KEY_ID,secret:s3,key:id;env:AWS_SECRET_ACCESS_KEY,secret:s3,key:key');
    expect(withSecret['s3.endpoint']).toBe('https://s3.example');
  });

  it.each([
    [
      '1.14',
      {
        image: 'kubernetes.container.image',
        cpu: 'kubernetes.jobmanager.cpu',
        ha: 'high-availability',
        checkpoints: 'state.checkpoints.dir',
        savepoints: 'state.savepoints.dir',
        backend: 'state.backend',
        java: 'env.java.opts',
        k8sHa: 'org.apache.flink.kubernetes.highavailability.KubernetesHaServicesFactory',
      },
    ],
    [
      '1.16',
      {
        image: 'kubernetes.container.image',
        cpu: 'kubernetes.jobmanager.cpu',
        ha: 'high-availability',
        checkpoints: 'state.checkpoints.dir',
        savepoints: 'state.savepoints.dir',
        backend: 'state.backend',
        java: 'env.java.opts',
        k8sHa: 'kubernetes',
      },
    ],
    [
      '1.17',
      {
        image: 'kubernetes.container.image.ref',
        cpu: 'kubernetes.jobmanager.cpu.amount',
        ha: 'high-availability.type',
        checkpoints: 'state.checkpoints.dir',
        savepoints: 'state.savepoints.dir',
        backend: 'state.backend.type',
        java: 'env.java.opts.all',
        k8sHa: 'kubernetes',
      },
    ],
    [
      '1.19',
      {
        image: 'kubernetes.container.image.ref',
        cpu: 'kubernetes.jobmanager.cpu.amount',
        ha: 'high-availability.type',
        checkpoints: 'state.checkpoints.dir',
        savepoints: 'state.savepoints.dir',
        backend: 'state.backend.type',
        java: 'env.java.default-opts.all',
        k8sHa: 'kubernetes',
      },
    ],
    [
      '1.20',
      {
        image: 'kubernetes.container.image.ref',
        cpu: 'kubernetes.jobmanager.cpu.amount',
        ha: 'high-availability.type',
        checkpoints: 'execution.checkpointing.dir',
        savepoints: 'execution.checkpointing.savepoint-dir',
        backend: 'state.backend.type',
        java: 'env.java.default-opts.all',
        k8sHa: 'kubernetes',
      },
    ],
    [
      '2.1',
      {
        image: 'kubernetes.container.image.ref',
        cpu: 'kubernetes.jobmanager.cpu.amount',
        ha: 'high-availability.type',
        checkpoints: 'execution.checkpointing.dir',
        savepoints: 'execution.checkpointing.savepoint-dir',
        backend: 'state.backend.type',
        java: 'env.java.default-opts.all',
        k8sHa: 'kubernetes',
      },
    ],
  ])('uses the keys Flink %s reads', (flinkVersion, keys) => {
    const options = render({
      image: 'flink:x',
      flinkVersion,
      resource: { jobManager: { cpu: 2 } },
      s3: { endPoint: 'minio:9000', bucket: 'state' },
      ha: { type: 'kubernetes' },
    });
    expect(options[keys.image]).toBe('flink:x');
    expect(options[keys.cpu]).toBe('2');
    expect(options[keys.ha]).toBe(keys.k8sHa);
    expect(options[keys.checkpoints]).toBe('s3://state/demo/flink/checkpoints');
    expect(options[keys.savepoints]).toBe('s3://state/demo/flink/savepoints');
    expect(options[keys.backend]).toBe('hashmap');
    expect(options[keys.java]).toBe('-XX:+UseG1GC');
  });

  it.each([
    [
      'network: min and max win over fraction',
      { netWork: { fraction: '0.2', min: '128m', max: '256m' } },
      { 'taskmanager.memory.network.min': '128m', 'taskmanager.memory.network.max': '256m' },
      ['taskmanager.memory.network.fraction'],
    ],
    [
      'network: only min',
      { netWork: { fraction: '0.2', min: '128m' } },
      { 'taskmanager.memory.network.min': '128m' },
      ['taskmanager.memory.network.fraction', 'taskmanager.memory.network.max'],
    ],
    ['network: fraction alone', { netWork: { fraction: '0.2' } }, { 'taskmanager.memory.network.fraction': '0.2' }, ['taskmanager.memory.network.min']],
    [
      'managed: max is the size',
      { managed: { fraction: '0.3', min: '256m', max: '512m' } },
      { 'taskmanager.memory.managed.size': '512m' },
      ['taskmanager.memory.managed.fraction'],
    ],
    ['managed: min alone is the size', { managed: { min: '256m' } }, { 'taskmanager.memory.managed.size': '256m' }, []],
    ['managed: fraction alone', { managed: { fraction: '0.3' } }, { 'taskmanager.memory.managed.fraction': '0.3' }, ['taskmanager.memory.managed.size']],
  ])('%s', (_case, taskManager, expected, absent) => {
    const options = render({ image: 'f', resource: { taskManager } });
    expect(options).toMatchObject(expected);
    for (const key of absent) expect(options).not.toHaveProperty(key);
  });

  it.each([
    ['flat flink-conf.yaml', 'env.java.opts: -Xss2m\n'],
    ['flat new key', 'env.java.opts.all: -Xss2m\n'],
    ['nested config.yaml', 'env:\n  java:\n    opts:\n      all: -Xss2m\n'],
  ])('leaves the JVM options to a user config file that sets them (%s)', (_case, text) => {
    const options = render({ image: 'f', config: { 'flink-conf.yaml': text } });
    expect(options).not.toHaveProperty('env.java.opts.all');
    expect(options).not.toHaveProperty('env.java.opts');
  });

  it('renders node selectors sorted, and pod templates only when needed', () => {
    expect(nodeSelectorOption({ zone: 'a', disk: 'ssd' })).toBe('disk:ssd,zone:a');
    expect(nodeSelectorOption({})).toBeUndefined();
    expect(render({ image: 'f' })).not.toHaveProperty('kubernetes.pod-template-file.taskmanager');
    expect(render({ image: 'f', balancedSchedule: 'Preferred' })['kubernetes.pod-template-file.taskmanager']).toBe(
      '/opt/flink-session-operator/pod-template-taskmanager.yaml',
    );
  });

  it('renders Kerberos with files the launch Job mounts, and application parallelism', () => {
    const options = render({
      image: 'f',
      security: { kerberos: { principal: 'flink@EXAMPLE.COM', keytabSecret: { name: 'kt' }, krb5: '[libdefaults]', contexts: 'Client,KafkaClient' } },
      applicationConfig: { jarPath: 'local:///opt/job.jar', parallelism: 4 },
    });
    expect(options).toMatchObject({
      'security.kerberos.login.principal': 'flink@EXAMPLE.COM',
      'security.kerberos.login.keytab': '/opt/flink-session-operator/kerberos/krb5.keytab',
      'security.kerberos.login.use-ticket-cache': 'true',
      'security.kerberos.login.contexts': 'Client,KafkaClient',
      'security.kerberos.krb5-conf.path': '/opt/flink-session-operator/kerberos/krb5.conf',
      'parallelism.default': '4',
    });
  });

  it('refuses an unsupported Flink version', () => {
    expect(() => render({ image: 'f', flinkVersion: '1.9' })).toThrow(UnsupportedFlinkVersionError);
  });
});

describe('flattenConfig', () => {
  it('lists the keys of flat and nested Flink config files', () => {
    expect([...flattenConfig('a.b: 1\nc:\n  d: 2\n# e.f: 3\n')].filter((k) => k.includes('.'))).toEqual(['a.b', 'c.d']);
    expect(flattenConfig('not: [valid\nx.y: 1').has('x.y')).toBe(true);
  });
});
