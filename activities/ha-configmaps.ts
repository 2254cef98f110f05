// Kubernetes HA data: the ConfigMaps Flink keeps a cluster's leaders, job graphs and checkpoint ids
// in (model/ownership.ts says which they are: Flink 1.x and 2.x label them differently).
import * as k8s from '@kubernetes/client-node';
import type { SessionRef } from '../model/flinksession.ts';
import { flinkObjectSelector, isFlinkHaConfigMapOf } from '../model/ownership.ts';
import { deleteIgnoringNotFound } from '../kube/errors.ts';

/** The names of the session's HA ConfigMaps among `items`. */
export const haConfigMapNames = (items: readonly k8s.V1ConfigMap[], session: string): string[] =>
  items.filter((c) => isFlinkHaConfigMapOf(c.metadata?.name, c.metadata?.labels, session)).map((c) => c.metadata!.name!);

export function createHaConfigMapActivities(deps: { kubeConfig: k8s.KubeConfig }) {
  const core = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);

  /** Deletes the session's Kubernetes HA ConfigMaps (only those: Flink's labels for the cluster id, and an HA ConfigMap's label or name). */
  async function clearKubernetesHa(input: { ref: SessionRef; dryRun?: boolean }): Promise<{ configMaps: string[] }> {
    const list = await core.listNamespacedConfigMap({ namespace: input.ref.namespace, labelSelector: flinkObjectSelector(input.ref.name) });
    const names = haConfigMapNames(list.items, input.ref.name);
    if (!input.dryRun) {
      for (const name of names) await deleteIgnoringNotFound(() => core.deleteNamespacedConfigMap({ name, namespace: input.ref.namespace }));
    }
    return { configMaps: names };
  }

  return { clearKubernetesHa };
}
