// What the watcher keeps of an object in its informer caches: only what its decisions read. The
// informers store the very object they hand to their event handlers, so trimming it there, in place,
// trims the cache. managedFields and kubectl's last-applied annotation are usually most of an
// object's size. Of status only the conditions' type and status stay: the fso_session_condition
// metric reads them from the cache (observability/session-conditions.ts). Pure (cache-trim.test.ts).
import type { KubernetesObject } from '@kubernetes/client-node';

/** kubectl apply's copy of the whole applied manifest. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export interface TrimOptions {
  /** FlinkSessions: the spec is what the signals carry. JobManager Deployments: only their identity matters. */
  keepSpec: boolean;
}

/** Removes from `object`, in place, what no decision of the watcher reads. */
export function trimForCache(object: KubernetesObject, { keepSpec }: TrimOptions): void {
  const fields = object as KubernetesObject & { spec?: unknown; status?: { conditions?: Array<{ type?: unknown; status?: unknown }> } };
  const conditions = fields.status?.conditions?.map(({ type, status }) => ({ type, status }));
  delete fields.status;
  if (conditions && keepSpec) fields.status = { conditions };
  if (!keepSpec) delete fields.spec;
  const meta = object.metadata;
  if (!meta) return;
  delete meta.managedFields;
  if (meta.annotations && LAST_APPLIED_ANNOTATION in meta.annotations) {
    delete meta.annotations[LAST_APPLIED_ANNOTATION];
  }
}
