// The activities' writes about the operator's resources (FlinkSession, FlinkSessionJob): their status
// subresource, Events about them, and the removal of their finalizer. None fails a step over an object
// that is gone, and an Event is best effort.
import * as k8s from '@kubernetes/client-node';
import type { ResourceMetadata } from '../model/resource-metadata.ts';
import { renderSessionEvent, type SessionEvent } from '../model/session-event.ts';
import { apiMessage, apiStatusCode, createIgnoringConflict, isNotFound, isStaleWrite, patchIgnoringNotFound } from './errors.ts';

/** The request options of a JSON merge patch (RFC 7386: null removes a field), for the client's patch calls. */
export const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const JSON_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

/** A namespaced custom object, as CustomObjectsApi's calls name it. */
export interface CustomObjectTarget {
  group: string;
  version: string;
  namespace: string;
  plural: string;
  name: string;
}

/** Merge-patches the object's status subresource (null removes a field); false when the object is gone. */
export const mergePatchStatus = (objects: k8s.CustomObjectsApi, target: CustomObjectTarget, status: object): Promise<boolean> =>
  patchIgnoringNotFound(() => objects.patchNamespacedCustomObjectStatus({ ...target, body: { status } }, MERGE_PATCH));

/** What an Event says; model/session-event.ts renders the rest. */
export type EventText = Pick<SessionEvent, 'type' | 'reason' | 'message'>;

/** Whether a best-effort Event was recorded, and why not when it was not. */
export interface EventRecorded {
  recorded: boolean;
  why?: string;
}

/**
 * Records a Kubernetes Event, best effort: an Event the API server refuses (a terminating namespace
 * answers 403, a gone one 404) is reported as not recorded and never holds up a step. Named after
 * `key` (the activity call), a retried call finds the Event it already made instead of recording a
 * second one.
 */
export async function recordEventBestEffort(events: k8s.CoreV1Api, event: Omit<SessionEvent, 'key'>, key: string | undefined): Promise<EventRecorded> {
  const body = renderSessionEvent({ ...event, ...(key ? { key } : {}) }, new Date());
  try {
    await createIgnoringConflict(() => events.createNamespacedEvent({ namespace: event.namespace, body }));
    return { recorded: true };
  } catch (error: unknown) {
    const code = apiStatusCode(error);
    if (code !== undefined && code >= 400 && code < 500) return { recorded: false, why: `${apiMessage(error)} (HTTP ${code})` };
    throw error;
  }
}

/**
 * Removes `finalizer` from the object `read` answers (undefined: gone, or another object of that name),
 * so Kubernetes completes its delete; false when there is no such finalizer to remove. The patch holds
 * only at the resourceVersion it was read at: on a conflicting write it reads and tries again.
 * `what` names the object in the error when it keeps changing.
 */
export async function removeFinalizer(
  objects: k8s.CustomObjectsApi,
  target: CustomObjectTarget,
  finalizer: string,
  read: () => Promise<{ metadata: ResourceMetadata } | undefined>,
  what: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await read();
    const index = current?.metadata.finalizers?.indexOf(finalizer) ?? -1;
    if (!current || index < 0) return false;
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: current.metadata.resourceVersion },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ];
    try {
      await objects.patchNamespacedCustomObject({ ...target, body: patch }, JSON_PATCH);
      return true;
    } catch (error: unknown) {
      if (isNotFound(error)) return false;
      if (!isStaleWrite(error)) throw error;
    }
  }
  throw new Error(`could not remove the finalizer of ${what}: the object kept changing`);
}
