// Adds the operator's finalizer, so a `kubectl delete` waits for the workflow to clean up. The patch is
// guarded by the resourceVersion the decision was made on: if the object changed meanwhile, the patch
// is refused and the watcher decides again on the event that change brings. Another watcher replica
// adding it first is just such a change.
import { isNotFound, isStaleWrite } from '../kube/errors.ts';
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, FINALIZER, FLINKSESSION_PLURAL } from '../model/names.ts';

/** What a finalizer is added to: a FlinkSession, or a FlinkSessionJob (with its own plural and finalizer). */
interface Finalizable {
  metadata: { name: string; namespace: string; resourceVersion?: string; finalizers?: string[] };
}

/** Which resource and which finalizer; FlinkSessions' by default. */
export interface FinalizerKind {
  plural: string;
  finalizer: string;
}

const SESSION_FINALIZER: FinalizerKind = { plural: FLINKSESSION_PLURAL, finalizer: FINALIZER };

export type FinalizerOutcome =
  /** The finalizer is on the object now. */
  | 'added'
  | 'present'
  /** The object is gone (404): nothing to hold. */
  | 'gone'
  /** The object changed since it was read (409/422): decide again on the next event. */
  | 'stale';

/** A JSON patch that adds the finalizer if the object is still at the resourceVersion it was read at. */
export function addFinalizerPatch(session: Finalizable, finalizer = FINALIZER): object[] {
  const finalizers = session.metadata.finalizers;
  const add =
    finalizers === undefined
      ? { op: 'add', path: '/metadata/finalizers', value: [finalizer] }
      : { op: 'add', path: '/metadata/finalizers/-', value: finalizer };
  return session.metadata.resourceVersion === undefined
    ? [add]
    : [{ op: 'test', path: '/metadata/resourceVersion', value: session.metadata.resourceVersion }, add];
}

export async function ensureFinalizer(api: CustomObjectsApi, session: Finalizable, kind: FinalizerKind = SESSION_FINALIZER): Promise<FinalizerOutcome> {
  if (session.metadata.finalizers?.includes(kind.finalizer)) return 'present';
  try {
    await api.patchNamespacedCustomObject(
      {
        group: API_GROUP,
        version: API_VERSION,
        plural: kind.plural,
        namespace: session.metadata.namespace,
        name: session.metadata.name,
        body: addFinalizerPatch(session, kind.finalizer),
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    return 'added';
  } catch (error: unknown) {
    if (isNotFound(error)) return 'gone';
    if (isStaleWrite(error)) return 'stale';
    throw error;
  }
}
