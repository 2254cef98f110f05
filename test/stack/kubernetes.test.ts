import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubeConfig, uniqueName } from '../support/stack.ts';

describe('Kubernetes (kube-apiserver, etcd, controller-manager, scheduler, kwok)', () => {
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let batch: k8s.BatchV1Api;
  const namespace = uniqueName('smoke');

  beforeAll(async () => {
    kc = kubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    batch = kc.makeApiClient(k8s.BatchV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await eventually('the namespace default ServiceAccount', async () =>
      (await core.listNamespacedServiceAccount({ namespace })).items.find((sa) => sa.metadata?.name === 'default'),
    );
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('runs a Deployment to Ready pods on kwok nodes, and its deletion cascades to the pods', async () => {
    const labels = { app: 'smoke-web' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web', labels },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'example.invalid/web:1' }] } },
        },
      },
    });
    const ready = await eventually('2 ready replicas', async () => {
      const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace });
      return deployment.status?.readyReplicas === 2 ? deployment : undefined;
    });
    expect(ready.status?.availableReplicas).toBe(2);
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=smoke-web' });
    expect(pods.items).toHaveLength(2);
    expect(pods.items.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName?.startsWith('kwok-node-'))).toBe(true);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace, propagationPolicy: 'Background' });
    await eventually('the pods to be garbage-collected', async () => {
      const left = await core.listNamespacedPod({ namespace, labelSelector: 'app=smoke-web' });
      return left.items.length === 0 ? true : undefined;
    });
    const replicaSets = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=smoke-web' });
    expect(replicaSets.items).toHaveLength(0);
  });

  it('runs a Job to completion', async () => {
    await batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'once' },
        spec: {
          backoffLimit: 0,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'once', image: 'example.invalid/once:1', args: ['true'] }] } },
        },
      },
    });
    const job = await eventually('the Job to succeed', async () => {
      const current = await batch.readNamespacedJob({ name: 'once', namespace });
      return current.status?.succeeded === 1 ? current : undefined;
    });
    expect(job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')).toBe(true);
  });

  it('validates custom resources: a bad object is refused with the schema and CEL messages', async () => {
    const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const crd = k8s.loadYaml<k8s.V1CustomResourceDefinition>(readFileSync(new URL('./fixtures/widget-crd.yaml', import.meta.url), 'utf8'));
    await extensions.createCustomResourceDefinition({ body: crd }).catch((error: unknown) => {
      if (!(error instanceof k8s.ApiException && error.code === 409)) throw error;
    });
    await eventually('the CRD to be established', async () => {
      const current = await extensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
    const objects = kc.makeApiClient(k8s.CustomObjectsApi);
    const widget = (name: string, spec: object) => ({
      group: 'smoke.session-operator.io',
      version: 'v1',
      namespace,
      plural: 'widgets',
      body: { apiVersion: 'smoke.session-operator.io/v1', kind: 'Widget', metadata: { name }, spec },
    });
    // The discovery of a new CRD takes a moment to reach every API path.
    await eventually('a valid widget to be accepted', () => objects.createNamespacedCustomObject(widget('good', { size: 3 })));

    const refusal = async (spec: object): Promise<string> => {
      try {
        await objects.createNamespacedCustomObject(widget(uniqueName('bad'), spec));
      } catch (error: unknown) {
        if (error instanceof k8s.ApiException && error.code === 422) return (JSON.parse(String(error.body)) as { message: string }).message;
        throw error;
      }
      throw new Error(`a widget with ${JSON.stringify(spec)} was accepted`);
    };
    expect(await refusal({ size: 0 })).toContain('spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1');
    expect(await refusal({ size: 2, color: 'green' })).toContain('Unsupported value: "green"');
    expect(await refusal({ size: 12, color: 'blue' })).toContain('a widget of size 10 or more must be red');
    expect(await refusal({ color: 'red' })).toContain('spec.size: Required value');
  });
});
