// Jobs across a session redeploy (SPEC: "Jobs across a session redeploy"), the pure part: what is done
// with each job that runs on the old JobManager before it is deleted, and where it starts again on the
// new one. The workflow runs this plan step by step; `plan` (the CLI) prints it. No I/O.
import type { FlinkSessionSpec } from './flinksession.ts';
import type { FlinkSessionJobSpec } from './flinksessionjob.ts';
import { movedAway } from './state-locations.ts';

/**
 * How a job is carried across the redeploy:
 * - `savepoint`: stopped with a savepoint; resubmitted from it (a FlinkSessionJob) or its path reported (a job nobody declared);
 * - `checkpoint`: cancelled keeping its latest checkpoint (retained on cancellation); resubmitted from it;
 * - `ha`: left running; Flink's HA recovers it on the new JobManager (checked, and resubmitted from the
 *   checkpoint recorded before the delete when it did not);
 * - `cancel`: cancelled; a FlinkSessionJob starts afresh (stateless), a job nobody declared is gone.
 */
export type CarryAction = 'savepoint' | 'checkpoint' | 'ha' | 'cancel';

/** What spec.unmanagedJobs says of jobs that run on the session but no FlinkSessionJob declares. */
export type UnmanagedJobsPolicy = 'savepoint' | 'cancel' | 'block';
export const DEFAULT_UNMANAGED_JOBS: UnmanagedJobsPolicy = 'savepoint';

/** A job Flink's REST lists on the session (GET /jobs/overview), not ended. */
export interface FlinkJobOnSession {
  jobId: string;
  /** Flink's job name (what `flink run` gave it). */
  name: string;
  state: string;
}

/** A FlinkSessionJob submitted to the running JobManager. */
export interface ManagedJob {
  /** The FlinkSessionJob's name. */
  name: string;
  jobId: string;
  spec: FlinkSessionJobSpec;
  /** Submitted with its checkpoints retained on cancellation. */
  retainsCheckpoints?: boolean;
}

export interface JobCarry {
  jobId: string;
  /** Flink's name of the job. */
  jobName: string;
  /** The FlinkSessionJob that declares it; none for a job submitted by hand. */
  sessionJob?: string;
  action: CarryAction;
  /** Why this action, in words for the Event and the status. */
  why: string;
}

export interface CarryPlan {
  carries: JobCarry[];
  /** spec.unmanagedJobs: block (or a savepoint with nowhere to go) and such jobs run: the redeploy is refused, naming them. */
  blocked?: string;
}

/**
 * Whether Flink's own HA brings back, on the new JobManager, what runs on the old: HA is configured,
 * autoClean does not clear it, and the new spec looks for it where the old one wrote it.
 */
export function keepsHa(ran: FlinkSessionSpec, next: FlinkSessionSpec): boolean {
  if (!ran.ha?.type || ran.autoClean === true) return false;
  if (ran.ha.type === 'zookeeper' && !ran.ha.quorum) return false;
  const moved = movedAway(ran, next);
  return !moved.ha && !moved.s3;
}

/**
 * What a redeploy from `ran` to `next` does with each job running on the session: a FlinkSessionJob by
 * its upgradeMode (savepoint; last-state left to HA when it is kept, else its latest checkpoint, or a
 * savepoint when autoClean purges the checkpoints; stateless cancelled), a job nobody declared by
 * spec.unmanagedJobs. Ordered as listed, FlinkSessionJobs first.
 */
export function planJobCarry(input: {
  session: string;
  ran: FlinkSessionSpec;
  next: FlinkSessionSpec;
  running: FlinkJobOnSession[];
  managed: ManagedJob[];
}): CarryPlan {
  const ha = keepsHa(input.ran, input.next);
  const purges = input.ran.autoClean === true;
  const byId = new Map(input.managed.map((m) => [m.jobId, m]));
  const carries: JobCarry[] = [];
  const unmanaged: FlinkJobOnSession[] = [];
  for (const job of input.running) {
    const managed = byId.get(job.jobId);
    if (managed) carries.push({ jobId: job.jobId, jobName: job.name, sessionJob: managed.name, ...managedCarry(managed, ha, purges) });
    else unmanaged.push(job);
  }
  const policy = (input.ran.unmanagedJobs ?? DEFAULT_UNMANAGED_JOBS) as UnmanagedJobsPolicy;
  if (unmanaged.length === 0) return { carries };
  const named = unmanaged.map((j) => `${j.name} (${j.jobId})`).join(', ');
  if (policy === 'block') {
    return {
      carries,
      blocked:
        `jobs no FlinkSessionJob declares run on session ${input.session}: ${named}; ` +
        `spec.unmanagedJobs is block, so the redeploy waits until they are stopped (or set unmanagedJobs: savepoint or cancel)`,
    };
  }
  if (policy === 'savepoint' && !ha && !input.ran.s3) {
    return {
      carries,
      blocked:
        `jobs no FlinkSessionJob declares run on session ${input.session}: ${named}; ` +
        `spec.unmanagedJobs is savepoint, and the session has no spec.s3 to take their savepoints into: ` +
        `stop them, set spec.s3, or set unmanagedJobs: cancel`,
    };
  }
  for (const job of unmanaged) {
    const action: CarryAction = policy === 'cancel' ? 'cancel' : ha ? 'ha' : 'savepoint';
    const why =
      action === 'cancel'
        ? 'no FlinkSessionJob declares it and spec.unmanagedJobs is cancel'
        : action === 'ha'
          ? "no FlinkSessionJob declares it; HA is kept (no autoClean), so Flink's HA recovers it on the new JobManager"
          : 'no FlinkSessionJob declares it and spec.unmanagedJobs is savepoint: its savepoint is kept for a person to resubmit from';
    carries.push({ jobId: job.jobId, jobName: job.name, action, why });
  }
  return { carries };
}

function managedCarry(job: ManagedJob, ha: boolean, purges: boolean): { action: CarryAction; why: string } {
  const mode = job.spec.upgradeMode ?? 'savepoint';
  if (mode === 'stateless') return { action: 'cancel', why: 'upgradeMode stateless: cancelled, it starts afresh on the new JobManager' };
  if (mode === 'last-state') {
    if (ha) return { action: 'ha', why: "upgradeMode last-state with HA kept: Flink's HA recovers it from its latest checkpoint on the new JobManager" };
    if (!purges && job.retainsCheckpoints === true)
      return { action: 'checkpoint', why: 'upgradeMode last-state without HA: cancelled keeping its latest checkpoint, resubmitted from it' };
  }
  return {
    action: 'savepoint',
    why:
      mode === 'savepoint'
        ? 'upgradeMode savepoint: stopped with a savepoint, resubmitted from it'
        : purges
          ? 'upgradeMode last-state, and autoClean purges the checkpoints: stopped with a savepoint, resubmitted from it'
          : 'upgradeMode last-state, submitted without its checkpoints retained: stopped with a savepoint, resubmitted from it',
  };
}

/** One job of a plan in words: what it is, and what the redeploy would do with it (the plan CLI, AwaitingApproval). */
export function describeCarry(carry: JobCarry, savepoints: string | undefined): string {
  const what = carry.sessionJob ? `FlinkSessionJob ${carry.sessionJob} (job ${carry.jobId})` : `${carry.jobName} (job ${carry.jobId}, submitted by hand)`;
  const how =
    carry.action === 'savepoint'
      ? `a savepoint into ${savepoints ?? 'the savepoint directory'}${carry.sessionJob ? ', restored from it' : ', its path reported'}`
      : carry.action === 'checkpoint'
        ? 'cancelled keeping its latest checkpoint, restored from it'
        : carry.action === 'ha'
          ? "left to Flink's HA, checked RUNNING on the new JobManager"
          : carry.sessionJob
            ? 'cancelled, started afresh'
            : 'cancelled';
  return `${what}: ${how}`;
}
