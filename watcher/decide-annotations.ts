// The annotations that stand for a signal a person would otherwise send with the CLI or `temporal
// workflow signal`: force-redeploy (the redeploy signal with force) and approve (the approve signal).
// Pure, like decide.ts: the object as it is now against the state last acted on. After a watcher
// restart a force-redeploy annotation is sent again; the workflow ignores a token it has acted on.
import type { FlinkSession } from '../model/flinksession.ts';
import { APPROVE_ANNOTATION, FORCE_REDEPLOY_ANNOTATION } from '../model/names.ts';
import type { Observed } from './decide.ts';

export type AnnotationRequest = { kind: 'force-redeploy'; token: string; reason: string } | { kind: 'approve'; generation: number; reason: string };

export function annotationRequests({ object, previous, gone = false }: Observed): AnnotationRequest[] {
  if (gone || object.metadata.deletionTimestamp !== undefined) return [];
  const sameObject = previous !== undefined && previous.metadata.uid === object.metadata.uid ? previous : undefined;
  const requests: AnnotationRequest[] = [];
  const token = forceRedeployToken(object);
  if (token !== undefined && token !== (sameObject && forceRedeployToken(sameObject))) {
    requests.push({ kind: 'force-redeploy', token, reason: `annotation ${FORCE_REDEPLOY_ANNOTATION} set to "${token}"` });
  }
  // An approval names the generation it approves: set ahead of an edit, it counts once the edit is there.
  const generation = object.metadata.generation;
  const approvedBefore =
    sameObject !== undefined && approvedGeneration(sameObject) === sameObject.metadata.generation && sameObject.metadata.generation === generation;
  if (approvedGeneration(object) === generation && !approvedBefore) {
    requests.push({ kind: 'approve', generation, reason: `annotation ${APPROVE_ANNOTATION} names generation ${generation}` });
  }
  return requests;
}

function forceRedeployToken(object: FlinkSession): string | undefined {
  const value = object.metadata.annotations?.[FORCE_REDEPLOY_ANNOTATION]?.trim();
  return value ? value : undefined;
}

/** The approve annotation's generation; anything but a whole number approves nothing. */
function approvedGeneration(object: FlinkSession): number | undefined {
  const value = object.metadata.annotations?.[APPROVE_ANNOTATION]?.trim();
  return value && /^[1-9][0-9]*$/.test(value) ? Number(value) : undefined;
}
