import { describe, expect, it } from 'vitest';
import { flinkCommand, shellWords } from './flink-kubelet.ts';

describe("the Flink kubelet reads a Flink pod's command", () => {
  it('splits bash -c scripts as bash does, quotes removed', () => {
    expect(shellWords(`kubernetes-taskmanager.sh -Dtaskmanager.resource-id='orders-taskmanager-1-1' -Dx="a b" -Dy=''`)).toEqual([
      'kubernetes-taskmanager.sh',
      '-Dtaskmanager.resource-id=orders-taskmanager-1-1',
      '-Dx=a b',
      '-Dy=',
    ]);
  });

  it.each([
    [
      ['/docker-entrypoint.sh'],
      ['bash', '-c', 'kubernetes-jobmanager.sh kubernetes-session '],
      {},
      'jobmanager',
      'org.apache.flink.kubernetes.entrypoint.KubernetesSessionClusterEntrypoint',
      [],
    ],
    [
      ['/docker-entrypoint.sh'],
      ['bash', '-c', 'kubernetes-jobmanager.sh kubernetes-application'],
      {},
      'jobmanager',
      'org.apache.flink.kubernetes.entrypoint.KubernetesApplicationClusterEntrypoint',
      [],
    ],
    [
      ['/docker-entrypoint.sh'],
      ['bash', '-c', "kubernetes-taskmanager.sh -Dtaskmanager.resource-id='s-taskmanager-1-1'"],
      {},
      'taskmanager',
      'org.apache.flink.kubernetes.taskmanager.KubernetesTaskExecutorRunner',
      ['-Dtaskmanager.resource-id=s-taskmanager-1-1'],
    ],
  ])('%j %j', (command, args, config, component, mainClass, rest) => {
    expect(flinkCommand({ name: 'flink-main-container', command, args }, config)).toEqual({ component, mainClass, args: rest });
  });
});
