// Jobs across a session redeploy (SPEC: "Jobs across a session redeploy"): before the old JobManager is
// deleted, every job that runs on it is carried by the plan of model/redeploy-jobs.ts (stopped with a
// savepoint, cancelled keeping its latest checkpoint, left to Flink's HA, or cancelled), each carry an
// Event and a line of status.carriedJobs; a savepoint that fails holds the redeploy before anything is
// deleted. Once the new JobManager is Ready, a job left to HA is checked there (and resubmitted from its
// recorded checkpoint when HA did not bring it back); the FlinkSessionJobs stopped for the redeploy are
// then submitted again by the job steps (SessionJobs keeps where each restores from).
import { isCancellation, log } from '@temporalio/workflow';
import type { StopFlinkJobResult } from '../activities/flink-jobs.ts';
import type { FlinkSessionSpec } from '../model/flinksession.ts';
import { savepointDirectory } from '../model/flinksessionjob.ts';
import { FORCE_REDEPLOY_ANNOTATION } from '../model/names.ts';
import { planJobCarry, type JobCarry } from '../model/redeploy-jobs.ts';
import { workflowId, type CarriedAcross } from './contract.ts';
import { failureMessage, failureReason, jobReporter } from './job-reports.ts';
import type { RunningSession, SessionJobDeps } from './session-jobs.ts';

/** How long a job left to HA may stay unknown to the new JobManager before it is resubmitted instead. */
const HA_RECOVERY_SECONDS = 120;

export interface RedeployJobDeps extends SessionJobDeps {
  /** An Event on the FlinkSession, best effort. */
  sessionEvent: (type: 'Normal' | 'Warning', reason: string, message: string) => Promise<void>;
}

/** Why the redeploy does not go on: nothing was deleted, the session runs on as it was. */
export interface RedeployHeld {
  reason: string;
  message: string;
}

export interface RedeployJobSteps {
  /**
   * Carries the jobs that run on `ran` (the session as deployed now) before its JobManager is deleted
   * for `next`. `force` (the redeploy signal's): a job whose savepoint fails is cancelled instead of
   * holding the redeploy. `carriedBack` (a rollback's): the FlinkSessionJobs that did not run on `ran`,
   * carried back from where the redeploy had carried them (cancelled there if Flink still has them).
   * Answers why the redeploy is held, or undefined when it goes on.
   */
  carryBefore: (ran: RunningSession, next: FlinkSessionSpec, force: boolean, carriedBack?: CarriedAcross[]) => Promise<RedeployHeld | undefined>;
  /** The FlinkSessionJobs this redeploy carried that do not run on the new JobManager (refused or failed there). */
  notRestored: () => CarriedAcross[];
  /** On the new JobManager (`running`): checks the jobs left to HA; the job steps then resubmit the others. */
  checkRecovered: (running: RunningSession) => Promise<void>;
  /** After the job steps resubmitted what was stopped: says in status.carriedJobs where each job runs now. */
  reportRestored: (running: RunningSession) => Promise<void>;
}

export function redeployJobSteps(deps: RedeployJobDeps): RedeployJobSteps {
  const { jobs, api, flink, step } = deps;
  const { jobRef, report, event } = jobReporter(deps);
  const sessionOf = (running: RunningSession) => ({ namespace: running.ref.namespace, name: running.ref.name });

  const reportCarried = (running: RunningSession) =>
    api.reportCarriedJobs({
      ref: running.ref,
      carriedJobs: jobs.carriedAcross.map((r) => ({
        jobId: r.jobId,
        generation: r.generation,
        jobName: r.jobName,
        ...(r.sessionJob ? { sessionJob: r.sessionJob } : {}),
        action: r.action,
        ...(r.path ? { path: r.path } : {}),
        outcome: r.outcome,
        message: r.message,
      })),
    });

  const notRestored = () => jobs.carriedAcross.filter((r) => r.sessionJob && r.outcome === 'NotRestored');

  return { carryBefore, notRestored, checkRecovered, reportRestored };

  async function carryBefore(
    ran: RunningSession,
    next: FlinkSessionSpec,
    force: boolean,
    carriedBack: CarriedAcross[] = [],
  ): Promise<RedeployHeld | undefined> {
    const session = sessionOf(ran);
    const listed = await step('list the jobs on Flink', () => flink.listFlinkJobs({ session }));
    jobs.carryBegins();
    const back = new Set(carriedBack.map((r) => r.jobId));
    for (const record of carriedBack) {
      // Failing or restarting there: cancelled before its cluster goes, so Flink's HA does not bring it back too.
      if (listed.jobs.some((j) => j.jobId === record.jobId)) await cancelBestEffort(ran, record.jobId, false);
      jobs.carriedBack({
        ...record,
        outcome: 'Stopped',
        message: `did not run on generation ${ran.ref.generation}; carried back${record.path ? ` from ${record.path}` : ', without its state'}`,
      });
    }
    if (!listed.reachable) {
      await deps.sessionEvent(
        'Warning',
        'JobsNotCarried',
        `the old JobManager's REST does not answer (${listed.why ?? 'no answer'}), so no savepoint was taken before the redeploy; ` +
          'its FlinkSessionJobs are submitted again on the new one (by HA, or without their state)',
      );
      return undefined;
    }
    const onSession = { ready: true, deploys: ran.deploys };
    const running = listed.jobs.filter((j) => !back.has(j.jobId));
    const plan = planJobCarry({ session: deps.session, ran: ran.spec, next, running, managed: jobs.onSession(onSession) });
    if (plan.blocked) return { reason: 'UnmanagedJobsRunning', message: plan.blocked };
    for (const carry of plan.carries) {
      const held = await carryOne(ran, carry, force);
      if (held) {
        await reportCarried(ran);
        return held;
      }
    }
    if (plan.carries.length > 0 || carriedBack.length > 0) await reportCarried(ran);
    return undefined;
  }

  /**
   * Cancels a job on `ran` best effort (its cluster goes anyway, or a plain cancel follows): keeping its
   * latest retained checkpoint with `keepCheckpoint`. Answers what Flink said, or undefined when it failed.
   */
  async function cancelBestEffort(ran: RunningSession, jobId: string, keepCheckpoint: boolean): Promise<StopFlinkJobResult | undefined> {
    const name = keepCheckpoint ? 'cancel the job, keeping its latest checkpoint' : 'cancel the job that did not run';
    try {
      return await step(name, () => flink.stopFlinkJob({ session: sessionOf(ran), jobId, ...(keepCheckpoint ? { fromCheckpoint: true } : {}) }));
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      log.warn(`${name} failed; going on`, { job: jobId, error: failureMessage(error) });
      return undefined;
    }
  }

  async function carryOne(ran: RunningSession, carry: JobCarry, force: boolean): Promise<RedeployHeld | undefined> {
    const session = sessionOf(ran);
    const desired = carry.sessionJob ? jobs.desiredJob(carry.sessionJob) : undefined;
    const ref = carry.sessionJob && desired ? jobRef(carry.sessionJob, desired) : undefined;
    /** What became of this carry (its line of status.carriedJobs): only the path, outcome and message differ. */
    const carriedEntry = (path: string | undefined, outcome: string, message: string): CarriedAcross =>
      entry(carry, ran.ref.generation, desired?.uid, path, outcome, message);
    const what = carry.sessionJob ? `job ${carry.jobId} (FlinkSessionJob ${carry.sessionJob})` : `job ${carry.jobName} (${carry.jobId}, submitted by hand)`;
    const bucket = ran.spec.s3?.bucket;
    if (carry.action === 'savepoint' && !bucket) {
      // Not reached by the plan's own choices (a savepoint is planned only with spec.s3): never a silent cancel.
      return {
        reason: 'NoSavepointLocation',
        message: `${what} needs a savepoint, and session ${deps.session} has no spec.s3 to take it into; nothing was deleted`,
      };
    }
    let record: CarriedAcross;
    try {
      if (carry.action === 'ha') {
        const latest = await step('record the latest checkpoint', () => flink.latestFlinkCheckpoint({ session, jobId: carry.jobId }));
        const path = latest.latest?.path;
        record = carriedEntry(path, 'LeftToHa', `${carry.why}${path ? `; its latest checkpoint is ${path}` : '; it has completed no checkpoint yet'}`);
      } else if (carry.action === 'savepoint') {
        const directory = savepointDirectory(bucket!, deps.session);
        const stopped = await step('stop the job with a savepoint', () => flink.stopFlinkJob({ session, jobId: carry.jobId, savepointDirectory: directory }));
        const path = stopped.savepoint?.path;
        record = carriedEntry(path, 'Stopped', `${carry.why}${path ? `: ${path}` : ` (Flink says ${stopped.state}, no savepoint)`}`);
      } else if (carry.action === 'checkpoint') {
        const stopped = await step('cancel the job, keeping its latest checkpoint', () =>
          flink.stopFlinkJob({ session, jobId: carry.jobId, fromCheckpoint: true }),
        );
        record = carriedEntry(stopped.checkpoint?.path, 'Stopped', `${carry.why}: ${stopped.checkpoint?.path ?? 'no checkpoint'}`);
      } else {
        await step('cancel the job', () => flink.stopFlinkJob({ session, jobId: carry.jobId }));
        record = carriedEntry(undefined, 'Cancelled', carry.why);
      }
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      const why = failureMessage(error);
      const reason = failureReason(error, 'SavepointFailed');
      if (!force) {
        log.warn('redeploy held: a job could not be carried', { job: carry.jobId, error: why });
        const message =
          `${what} could not be carried across the redeploy: ${why}; nothing was deleted and the session runs on. ` +
          `Fix the job, or go on without its state: flink-session-operator redeploy ${deps.namespace}/${deps.session} --force ` +
          `(or kubectl annotate fls -n ${deps.namespace} ${deps.session} ${FORCE_REDEPLOY_ANNOTATION}=<any new value> --overwrite, ` +
          `or temporal workflow signal --workflow-id ${workflowId(deps.namespace, deps.session)} --name redeploy --input '{"force": true}')`;
        jobs.noteCarry(carriedEntry(undefined, 'Held', `could not be carried: ${why}; it keeps running`));
        if (ref) {
          await event(ref, 'Warning', reason, `the session's redeploy is held: ${why}; the job keeps running`);
          await report(ref, {
            reason,
            ready: true,
            progressing: false,
            jobId: carry.jobId,
            message: "the job keeps running; the session's redeploy is held",
            error: why,
          });
        }
        return { reason, message };
      }
      // Forced: the job is cancelled without the savepoint. A FlinkSessionJob that retains its
      // checkpoints on cancellation keeps its latest (unless autoClean purges them); others start afresh.
      const retained = carry.sessionJob !== undefined && jobs.submittedJob(carry.sessionJob)?.retainsCheckpoints === true && ran.spec.autoClean !== true;
      const checkpoint = retained ? (await cancelBestEffort(ran, carry.jobId, true))?.checkpoint?.path : undefined;
      if (!checkpoint) await step('cancel the job', () => flink.stopFlinkJob({ session, jobId: carry.jobId }));
      record = entry(
        { ...carry, action: checkpoint ? 'checkpoint' : 'cancel' },
        ran.ref.generation,
        desired?.uid,
        checkpoint,
        checkpoint ? 'Stopped' : 'Cancelled',
        `its savepoint failed (${why}); cancelled${checkpoint ? ` keeping its latest checkpoint ${checkpoint}` : ''}, as the forced redeploy asks`,
      );
    }
    jobs.carried(record);
    const reasonOf = record.action === 'ha' ? 'LeftToHa' : record.action === 'cancel' ? 'JobCancelled' : 'JobCarried';
    await deps.sessionEvent(record.action === 'cancel' && !carry.sessionJob ? 'Warning' : 'Normal', reasonOf, `${what}: ${record.message}`);
    if (ref) {
      await event(ref, 'Normal', reasonOf, `session ${deps.session} redeploys: ${record.message}`);
      await report(ref, {
        reason: 'SessionRedeploying',
        ready: false,
        progressing: true,
        jobId: carry.jobId,
        message: `session ${deps.session} redeploys: ${record.message}`,
        ...(record.action === 'savepoint' && record.path
          ? { lastSavepoint: { path: record.path, time: new Date().toISOString(), reason: 'session-redeploy' } }
          : {}),
      });
    }
    return undefined;
  }

  async function checkRecovered(running: RunningSession): Promise<void> {
    const session = sessionOf(running);
    let changed = false;
    for (const record of jobs.carriedAcross.filter((r) => r.action === 'ha' && r.outcome === 'LeftToHa')) {
      const found = await step('check the job recovered', () =>
        flink.waitForFlinkJobRunning({ session, jobId: record.jobId, goneAfterSeconds: HA_RECOVERY_SECONDS }).catch((error: unknown) => {
          if (isCancellation(error)) throw error;
          return { state: 'FAILED', why: failureMessage(error) };
        }),
      );
      changed = true;
      const what = record.sessionJob
        ? `job ${record.jobId} (FlinkSessionJob ${record.sessionJob})`
        : `job ${record.jobName} (${record.jobId}, submitted by hand)`;
      if (found.state === 'RUNNING') {
        if (record.sessionJob) jobs.recovered(record.sessionJob, running.deploys);
        jobs.carriedOutcome(record.jobId, 'Recovered', "Flink's HA recovered it on the new JobManager; it runs");
        await deps.sessionEvent('Normal', 'JobRecovered', `${what}: Flink's HA recovered it on the new JobManager`);
        continue;
      }
      const why = 'why' in found ? found.why : `Flink's HA did not bring it back within ${HA_RECOVERY_SECONDS} s`;
      if (record.sessionJob) {
        jobs.notRecovered(record.sessionJob, record.sessionJobUid, record.path);
        jobs.carriedOutcome(
          record.jobId,
          'Resubmitted',
          `not recovered by HA (${why}); submitted again${record.path ? ` from ${record.path}` : ', without its state'}`,
        );
      } else {
        jobs.carriedOutcome(record.jobId, 'NotRecovered', `not recovered by HA (${why})${record.path ? `; its latest checkpoint is ${record.path}` : ''}`);
      }
      await deps.sessionEvent(
        'Warning',
        'JobNotRecovered',
        `${what} was not recovered by HA: ${why}${record.path ? `; its latest checkpoint is ${record.path}` : ''}`,
      );
    }
    if (changed) await reportCarried(running);
  }

  async function reportRestored(running: RunningSession): Promise<void> {
    const pending = jobs.carriedAcross.filter((r) => r.sessionJob && ['Stopped', 'Cancelled', 'Resubmitted', 'Pending'].includes(r.outcome));
    if (pending.length === 0) return;
    for (const record of pending) {
      const now = jobs.restoredAs(record.sessionJob!, { ready: true, deploys: running.deploys });
      if (now.outcome === 'Restored')
        jobs.carriedOutcome(record.jobId, 'Restored', `runs again as job ${now.jobId}${record.path ? `, restored from ${record.path}` : ', started afresh'}`);
      else if (now.outcome === 'NotRestored') jobs.carriedOutcome(record.jobId, 'NotRestored', 'not running on the new JobManager: see the FlinkSessionJob');
      else jobs.carriedOutcome(record.jobId, 'Pending', 'to be submitted on the new JobManager once the session has nothing else to do');
    }
    await reportCarried(running);
  }
}

function entry(carry: JobCarry, generation: number, uid: string | undefined, path: string | undefined, outcome: string, message: string): CarriedAcross {
  return {
    jobId: carry.jobId,
    generation,
    jobName: carry.jobName,
    ...(carry.sessionJob ? { sessionJob: carry.sessionJob } : {}),
    ...(carry.sessionJob && uid ? { sessionJobUid: uid } : {}),
    action: carry.action,
    ...(path ? { path } : {}),
    outcome,
    message,
  };
}
