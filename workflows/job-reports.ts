// How the session workflow speaks of a FlinkSessionJob: its status (Ready / Progressing / Degraded, by
// model/flinksessionjob.ts) and its Events, best effort. Shared by the job steps and the redeploy's
// carrying of jobs (session-jobs.ts, session-redeploy-jobs.ts).
import { ActivityFailure, ApplicationFailure, isCancellation, log, TimeoutFailure } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { JobRef, JobStatusReport } from '../model/flinksessionjob.ts';
import type { DesiredJob } from './contract.ts';

export interface JobReporter {
  jobRef: (name: string, job: Pick<DesiredJob, 'uid' | 'generation'>) => JobRef;
  report: (job: JobRef, r: Omit<JobStatusReport, 'generation'>) => Promise<unknown>;
  /** Best effort: an Event that cannot be recorded never holds up a step. */
  event: (job: JobRef, type: 'Normal' | 'Warning', reason: string, message: string) => Promise<void>;
}

export function jobReporter(deps: { namespace: string; api: Activities; events: Activities }): JobReporter {
  return {
    jobRef: (name, job) => ({ namespace: deps.namespace, name, uid: job.uid, generation: job.generation }),
    report: (job, r) => deps.api.reportJobStatus({ job, report: { ...r, generation: job.generation } }),
    event: async (job, type, reason, message) => {
      try {
        await deps.events.recordJobEvent({ job, type, reason, message });
      } catch (error: unknown) {
        if (isCancellation(error)) throw error;
        log.warn('job event not recorded', { job: `${job.namespace}/${job.name}`, reason, error: failureMessage(error) });
      }
    },
  };
}

export function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** A failure's own type (SavepointFailed, JobFailed, …) when it has one; StepTimedOut for a timeout; else `fallback`. */
export function failureReason(error: unknown, fallback: string): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  return cause instanceof TimeoutFailure ? 'StepTimedOut' : fallback;
}
