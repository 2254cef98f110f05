// Does this event matter? A pure predicate (Pepr style): the object as it is now, and the object as the
// watcher last acted on it, decide what the watcher does. The watcher keeps nothing across restarts, so
// after a restart every object is a first sight and is signalled again; that is safe because the
// workflow ignores a spec it already has (same uid, generation and redeploy token).
import type { FlinkSession } from '../model/flinksession.ts';
import { FINALIZER, REDEPLOY_ANNOTATION, SKIP_CLEANUP_ANNOTATION } from '../model/names.ts';

/** What the watcher tells the workflow: a `specChanged` signal, a `delete` signal, or nothing. */
export type SignalDecision =
  | { kind: 'first-sight'; reason: string }
  | { kind: 'spec-changed'; reason: string }
  | { kind: 'redeploy-requested'; reason: string }
  | { kind: 'deletion-requested'; reason: string }
  | { kind: 'status-only'; reason: string };

/** `needs-finalizer` comes first: the finalizer is added, then `then` is acted on. */
export type Decision = SignalDecision | { kind: 'needs-finalizer'; reason: string; then: SignalDecision };

export interface Observed {
  /** The object as the informer has it now (for `gone`, its last state). */
  object: FlinkSession;
  /** The object as the watcher last acted on it; undefined when it never did (since its start). */
  previous?: FlinkSession;
  /** The object has left the API server (the informer's delete event). */
  gone?: boolean;
}

/** Decisions that send a `specChanged` signal. */
export const SPEC_SIGNALS: ReadonlySet<SignalDecision['kind']> = new Set(['first-sight', 'spec-changed', 'redeploy-requested']);

export function decide({ object, previous, gone = false }: Observed): Decision {
  const sameObject = previous !== undefined && previous.metadata.uid === object.metadata.uid;
  const deletionSeen = sameObject && previous.metadata.deletionTimestamp !== undefined;

  if (gone) {
    return deletionSeen
      ? { kind: 'status-only', reason: 'gone after its deletion was signalled (the workflow released it)' }
      : { kind: 'deletion-requested', reason: 'gone before the watcher saw a deletion request' };
  }
  if (object.metadata.deletionTimestamp !== undefined) {
    if (!deletionSeen) return { kind: 'deletion-requested', reason: `deletionTimestamp set (${object.metadata.deletionTimestamp})` };
    return skipCleanup(object) && !skipCleanup(previous)
      ? { kind: 'deletion-requested', reason: `annotation ${SKIP_CLEANUP_ANNOTATION} set: release the finalizer now` }
      : { kind: 'status-only', reason: 'still being deleted; deletion already signalled' };
  }

  const signal = specDecision(object, sameObject ? previous : undefined, previous);
  if (!(object.metadata.finalizers ?? []).includes(FINALIZER)) {
    return { kind: 'needs-finalizer', reason: `finalizer ${FINALIZER} missing`, then: signal };
  }
  return signal;
}

function specDecision(object: FlinkSession, sameObject: FlinkSession | undefined, previous: FlinkSession | undefined): SignalDecision {
  const generation = object.metadata.generation;
  if (sameObject === undefined) {
    return previous === undefined
      ? { kind: 'first-sight', reason: `first sight of generation ${generation}` }
      : { kind: 'first-sight', reason: `recreated: uid ${previous.metadata.uid} became ${object.metadata.uid}` };
  }
  if (generation > sameObject.metadata.generation) {
    return { kind: 'spec-changed', reason: `generation ${sameObject.metadata.generation} → ${generation}` };
  }
  const token = redeployToken(object);
  if (token !== undefined && token !== redeployToken(sameObject)) {
    return { kind: 'redeploy-requested', reason: `annotation ${REDEPLOY_ANNOTATION} set to "${token}"` };
  }
  return { kind: 'status-only', reason: `nothing that matters changed (generation ${generation})` };
}

/** The redeploy annotation's value; empty means none, so removing or blanking it requests nothing. */
export function redeployToken(object: FlinkSession): string | undefined {
  const value = object.metadata.annotations?.[REDEPLOY_ANNOTATION]?.trim();
  return value ? value : undefined;
}

/** The skip-clean-up annotation is "true": a delete releases the finalizer without (the rest of) its clean-up. */
export function skipCleanup(object: FlinkSession): boolean {
  return object.metadata.annotations?.[SKIP_CLEANUP_ANNOTATION]?.trim().toLowerCase() === 'true';
}
