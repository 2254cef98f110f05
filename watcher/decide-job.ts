// Does this FlinkSessionJob event matter? A pure predicate like decide.ts: the job as it is now, and
// as the watcher last acted on it, decide what the watcher does. After a restart every job is a first
// sight and is signalled again, which the session's workflow ignores when it has that generation.
import type { FlinkSessionJob } from '../model/flinksessionjob.ts';
import { JOB_FINALIZER } from '../model/names.ts';

export type JobSignalDecision = { kind: 'job-changed'; reason: string } | { kind: 'job-deleted'; reason: string } | { kind: 'nothing'; reason: string };

/** `needs-finalizer` comes first: the finalizer is added, then `then` is acted on. */
export type JobDecision = JobSignalDecision | { kind: 'needs-finalizer'; reason: string; then: JobSignalDecision };

export interface ObservedJob {
  object: FlinkSessionJob;
  previous?: FlinkSessionJob;
  gone?: boolean;
}

export function decideJob({ object, previous, gone = false }: ObservedJob): JobDecision {
  const sameObject = previous !== undefined && previous.metadata.uid === object.metadata.uid ? previous : undefined;
  const deletionSeen = sameObject?.metadata.deletionTimestamp !== undefined;
  if (gone) {
    return deletionSeen
      ? { kind: 'nothing', reason: 'gone after its deletion was signalled (the workflow released it)' }
      : { kind: 'job-deleted', reason: 'gone before the watcher saw a deletion request' };
  }
  if (object.metadata.deletionTimestamp !== undefined) {
    return deletionSeen
      ? { kind: 'nothing', reason: 'still being deleted; deletion already signalled' }
      : { kind: 'job-deleted', reason: `deletionTimestamp set (${object.metadata.deletionTimestamp})` };
  }
  const generation = object.metadata.generation;
  const signal: JobSignalDecision =
    sameObject === undefined
      ? {
          kind: 'job-changed',
          reason: previous ? `recreated: uid ${previous.metadata.uid} became ${object.metadata.uid}` : `first sight of generation ${generation}`,
        }
      : generation > sameObject.metadata.generation
        ? { kind: 'job-changed', reason: `generation ${sameObject.metadata.generation} → ${generation}` }
        : sameObject.spec.session !== object.spec.session
          ? { kind: 'job-changed', reason: `session ${sameObject.spec.session} → ${object.spec.session}` }
          : { kind: 'nothing', reason: `nothing that matters changed (generation ${generation})` };
  if (!(object.metadata.finalizers ?? []).includes(JOB_FINALIZER))
    return { kind: 'needs-finalizer', reason: `finalizer ${JOB_FINALIZER} missing`, then: signal };
  return signal;
}
