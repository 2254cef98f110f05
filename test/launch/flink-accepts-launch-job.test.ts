// The launch Job the operator renders, run by Flink's real client against the test API server:
// Flink must accept every option and create the session cluster the operator then waits for.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSession, FlinkSessionSpec } from '../../model/flinksession.ts';
import { renderLaunchJob } from '../../model/launch-job.ts';
import { FLINKSESSION_API_VERSION, FLINKSESSION_KIND, FLINKSESSION_PLURAL, API_GROUP, API_VERSION } from '../../model/names.ts';
import { renderSessionFiles } from '../../model/session-files.ts';
import { readVersions } from '../../stack/binaries.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { runLaunchJob } from '../../stack/launch-runner.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';
import { everyOptionSpec } from '../fixtures/specs.ts';

const minorVersions = readVersions().flink.map((v) => v.split('.').slice(0, 2).join('.'));

describe.each(minorVersions)('a launch Job for Flink %s', (flinkVersion) => {
  const namespace = uniqueName('launch');
  const name = 'analytics';
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    kc = kubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('is accepted by Flink, which creates the JobManager Deployment, Services and ConfigMap with its labels', async () => {
    const stack = stackEndpoints();
    // Kerberos is left out: Flink's client would log in to a KDC that the test stack does not have.
    const spec: FlinkSessionSpec = {
      ...everyOptionSpec(flinkVersion),
      security: undefined,
      ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: '/flink' },
      s3: { endPoint: stack.s3.endpoint, bucket: 'flink-state', credentialsSecret: { name: 's3-credentials' } },
    };
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 's3-credentials' }, stringData: { accessKey: 'AK-SECRET-VALUE', secretKey: 'SK-SECRET-VALUE' } },
    });
    const objects = kc.makeApiClient(k8s.CustomObjectsApi);
    const created = (await objects.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: FLINKSESSION_PLURAL,
      body: { apiVersion: FLINKSESSION_API_VERSION, kind: FLINKSESSION_KIND, metadata: { name }, spec },
    })) as FlinkSession;
    const ref = { namespace, name, uid: created.metadata.uid, generation: created.metadata.generation };
    await core.createNamespacedConfigMap({ namespace, body: renderSessionFiles(ref, created.spec) });
    const job = renderLaunchJob(ref, created.spec, { attempt: 0, tag: 'ab12cd' });
    await kc.makeApiClient(k8s.BatchV1Api).createNamespacedJob({ namespace, body: job });

    const launch = await runLaunchJob(kc, stack, namespace, job.metadata!.name!);
    expect(launch.output).toContain(`Create flink session cluster ${name} successfully`);
    expect(launch.exitCode).toBe(0);
    expect(launch.jobArgv.join(' ')).not.toMatch(/SECRET-VALUE/);

    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name, namespace });
    expect(deployment.metadata?.labels).toMatchObject({ app: name, type: 'flink-native-kubernetes', component: 'jobmanager' });
    const podSpec = deployment.spec!.template.spec!;
    expect(podSpec.nodeSelector).toEqual({ type: 'kwok' });
    expect(podSpec.serviceAccountName).toBe('flink');
    expect(podSpec.volumes?.map((v) => v.name)).toContain('scratch');
    const main = podSpec.containers.find((c) => c.name === 'flink-main-container')!;
    expect(main.image).toBe('example.invalid/flink:test');
    expect(main.volumeMounts?.map((m) => m.mountPath)).toContain('/scratch');
    expect(main.env).toContainEqual({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3-credentials', key: 'accessKey' } } });

    const services = await core.listNamespacedService({ namespace, labelSelector: `app=${name}` });
    // With HA, Flink creates no internal Service <name>: TaskManagers find the leader through HA.
    expect(services.items.map((s) => s.metadata?.name).sort()).toEqual([`${name}-rest`]);
    expect(services.items.find((s) => s.metadata?.name === `${name}-rest`)?.spec?.type).toBe('NodePort');

    const flinkConfig = await core.readNamespacedConfigMap({ name: `flink-config-${name}`, namespace });
    const shipped = Object.values(flinkConfig.data ?? {}).join('\n');
    expect(shipped).toContain(stack.zookeeper.connect);
    expect(shipped).toContain('s3://flink-state/analytics/flink/ha/metadata');
    expect(shipped).not.toMatch(/SECRET-VALUE/);

    await eventually('the JobManager pod to be Ready', async () => {
      const current = await apps.readNamespacedDeployment({ name, namespace });
      return current.status?.readyReplicas === 1 ? true : undefined;
    });
  });
});
