// A FlinkSession as the API server holds it now, for the activities that must not trust the workflow's
// copy (the signal check, the inline credentials): undefined when there is none (404).
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { FlinkSession, SessionRef } from '../model/flinksession.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL } from '../model/names.ts';
import { isNotFound } from '../kube/errors.ts';

export async function readSession(objects: CustomObjectsApi, ref: Pick<SessionRef, 'namespace' | 'name'>): Promise<FlinkSession | undefined> {
  try {
    return (await objects.getNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace: ref.namespace,
      plural: FLINKSESSION_PLURAL,
      name: ref.name,
    })) as FlinkSession;
  } catch (error: unknown) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
