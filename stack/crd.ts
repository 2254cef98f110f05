import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { pollUntil } from './poll.ts';

const CRD_FILE = new URL('../crds/flinksession.yaml', import.meta.url);
const JOB_CRD_FILE = new URL('../crds/flinksessionjob.yaml', import.meta.url);

/**
 * Creates the operator's CRDs from crds/ (FlinkSession, and FlinkSessionJob, which the watcher watches
 * too), or replaces them when another test file, dev mode or an earlier run on the same stack applied
 * them; waits until they are served. Only a conflicting write is retried. Answers the FlinkSession CRD.
 */
export async function installFlinkSessionCrd(kc: k8s.KubeConfig): Promise<k8s.V1CustomResourceDefinition> {
  const [session] = await Promise.all([installCrd(kc, CRD_FILE), installCrd(kc, JOB_CRD_FILE)]);
  return session;
}

async function installCrd(kc: k8s.KubeConfig, file: URL): Promise<k8s.V1CustomResourceDefinition> {
  const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const crd = k8s.loadYaml<k8s.V1CustomResourceDefinition>(readFileSync(file, 'utf8'));
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
  return pollUntil(
    `CRD ${name} to be established`,
    async () => {
      const current = await extensions.readCustomResourceDefinition({ name });
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? current : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}
