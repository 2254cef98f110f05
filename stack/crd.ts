import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { pollUntil } from './poll.ts';

export const CRD_FILE = new URL('../crds/flinksession.yaml', import.meta.url);

/**
 * Creates the FlinkSession CRD from crds/, or replaces it when another test file, dev mode or an earlier
 * run on the same stack applied it; waits until it is served. Only a conflicting write is retried.
 */
export async function installFlinkSessionCrd(kc: k8s.KubeConfig): Promise<k8s.V1CustomResourceDefinition> {
  const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const crd = k8s.loadYaml<k8s.V1CustomResourceDefinition>(readFileSync(CRD_FILE, 'utf8'));
  const name = crd.metadata!.name!;
  try {
    await extensions.createCustomResourceDefinition({ body: crd });
  } catch (error: unknown) {
    if (!(error instanceof k8s.ApiException && error.code === 409)) throw error;
    for (let attempt = 1; ; attempt++) {
      const current = await extensions.readCustomResourceDefinition({ name });
      crd.metadata!.resourceVersion = current.metadata!.resourceVersion;
      try {
        await extensions.replaceCustomResourceDefinition({ name, body: crd });
        break;
      } catch (conflict: unknown) {
        if (!(conflict instanceof k8s.ApiException && conflict.code === 409 && attempt < 5)) throw conflict;
      }
    }
  }
  return pollUntil(`CRD ${name} to be established`, async () => {
    const current = await extensions.readCustomResourceDefinition({ name });
    return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? current : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
}
