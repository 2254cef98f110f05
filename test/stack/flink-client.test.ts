import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersions } from '../../stack/binaries.ts';
import { kubernetesSessionCommand } from '../../stack/flink.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

const run = promisify(execFile);

describe.each(readVersions().flink)("Flink %s's own client (Maven Central classpath)", (flinkVersion) => {
  const namespace = uniqueName('flink');
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  beforeAll(async () => {
    const kc = kubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('deploys a session cluster to the test API server: the JobManager Deployment and Services, with Flink labels', async () => {
    const { kubernetes, flink } = stackEndpoints();
    const clusterId = 'smoke-session';
    const command = kubernetesSessionCommand(flink, flinkVersion, [
      `-Dkubernetes.config.file=${kubernetes.kubeconfig}`,
      `-Dkubernetes.namespace=${namespace}`,
      `-Dkubernetes.cluster-id=${clusterId}`,
      '-Dkubernetes.container.image.ref=example.invalid/flink:smoke',
      '-Dkubernetes.rest-service.exposed.type=ClusterIP',
      '-Djobmanager.memory.process.size=1g',
      '-Dtaskmanager.memory.process.size=1g',
    ]);
    const { stdout, stderr } = await run(command.file, command.args, { env: { ...process.env, ...command.env }, timeout: 90_000 });
    expect(stdout + stderr).toContain(`Create flink session cluster ${clusterId} successfully`);

    const deployment = await apps.readNamespacedDeployment({ name: clusterId, namespace });
    expect(deployment.metadata?.labels).toMatchObject({ app: clusterId, type: 'flink-native-kubernetes', component: 'jobmanager' });
    const services = await core.listNamespacedService({ namespace, labelSelector: `app=${clusterId}` });
    expect(services.items.map((s) => s.metadata?.name).sort()).toEqual([clusterId, `${clusterId}-rest`]);
    await eventually('the JobManager pod to be Ready on a kwok node', async () => {
      const current = await apps.readNamespacedDeployment({ name: clusterId, namespace });
      return current.status?.readyReplicas === 1 ? true : undefined;
    });
  });
});
