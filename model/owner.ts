import type { V1OwnerReference } from '@kubernetes/client-node';
import type { SessionRef } from './flinksession.ts';
import { FLINKSESSION_API_VERSION, FLINKSESSION_KIND } from './names.ts';

/** Makes a child collectable with its FlinkSession (Kubernetes garbage collection). */
export function ownerReference(session: SessionRef): V1OwnerReference {
  return {
    apiVersion: FLINKSESSION_API_VERSION,
    kind: FLINKSESSION_KIND,
    name: session.name,
    uid: session.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
