// How the stack's kubelets (launch-kubelet.ts, flink-kubelet.ts) watch the pods they run: those with a
// label, in one namespace or in all, on kube/restarting-informer.ts. A watch that drops is listed
// again (with backoff) and goes on; a pod that a fresh list no longer holds was deleted while nobody
// watched and is handed on as deleted; a stopped kubelet never watches again.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { watchPath } from '../kube/informer-scopes.ts';
import { startRestartingInformer } from '../kube/restarting-informer.ts';

export interface PodEvents {
  /** A pod was added or changed (or listed again after a restart of the watch). */
  changed(pod: V1Pod): void;
  /** A pod was deleted; its last state. */
  deleted(pod: V1Pod): void;
}

/** Starts watching at once; `namespace` undefined: every namespace. */
export function watchPods(kc: KubeConfig, namespace: string | undefined, labelSelector: string, on: PodEvents): { stop(): Promise<void> } {
  const core = kc.makeApiClient(CoreV1Api);
  /** The pods seen, by uid, so one missing from a fresh list is known to be gone. */
  const known = new Map<string, V1Pod>();
  const changed = (pod: V1Pod): void => {
    if (pod.metadata?.uid) known.set(pod.metadata.uid, pod);
    on.changed(pod);
  };
  const deleted = (pod: V1Pod): void => {
    if (pod.metadata?.uid) known.delete(pod.metadata.uid);
    on.deleted(pod);
  };
  const informer = startRestartingInformer<V1Pod>({
    kubeConfig: kc,
    path: watchPath('/api/v1', 'pods', namespace),
    list: () => (namespace === undefined ? core.listPodForAllNamespaces({ labelSelector }) : core.listNamespacedPod({ namespace, labelSelector })),
    labelSelector,
    onAdd: changed,
    onUpdate: changed,
    onDelete: deleted,
    onSynced: (cache) => {
      const listed = new Set(cache.list().map((pod) => pod.metadata?.uid));
      for (const [uid, pod] of [...known]) if (!listed.has(uid)) deleted(pod);
    },
  });
  void informer.start();
  return informer;
}
