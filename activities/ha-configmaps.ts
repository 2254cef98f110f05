// Kubernetes HA data: the ConfigMaps Flink labels configmap-type=high-availability for the cluster id.
import * as k8s from '@kubernetes/client-node';
import type { SessionRef } from '../model/flinksession.ts';
import {
  FLINK_CONFIGMAP_TYPE_HA,
  FLINK_LABEL_APP,
  FLINK_LABEL_CONFIGMAP_TYPE,
  FLINK_LABEL_TYPE,
  FLINK_TYPE_NATIVE,
} from '../model/names.ts';
import { deleteIgnoringNotFound } from '../kube/errors.ts';

export const haConfigMapSelector = (session: string): string =>
  `${FLINK_LABEL_APP}=${session},${FLINK_LABEL_TYPE}=${FLINK_TYPE_NATIVE},${FLINK_LABEL_CONFIGMAP_TYPE}=${FLINK_CONFIGMAP_TYPE_HA}`;

export function createHaConfigMapActivities(deps: { kubeConfig: k8s.KubeConfig }) {
  const core = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);

  /** Deletes the session's Kubernetes HA ConfigMaps (only those; the label selector names the cluster id). */
  async function clearKubernetesHa(input: { ref: SessionRef; dryRun?: boolean }): Promise<{ configMaps: string[] }> {
    const list = await core.listNamespacedConfigMap({ namespace: input.ref.namespace, labelSelector: haConfigMapSelector(input.ref.name) });
    const names = list.items.map((c) => c.metadata!.name!);
    if (!input.dryRun) {
      for (const name of names) await deleteIgnoringNotFound(() => core.deleteNamespacedConfigMap({ name, namespace: input.ref.namespace }));
    }
    return { configMaps: names };
  }

  return { clearKubernetesHa };
}
