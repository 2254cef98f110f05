// The session workflow's FlinkSessionJob steps: submit a job (check it in the API server, stream its
// jar to the session's REST, run it with its fixed id, wait until it runs), stop it for a change, a
// suspend or a delete (by its upgradeMode: with a savepoint into s3://<bucket>/<session>/flink/savepoints/,
// cancelled keeping its latest checkpoint, or cancelled), release its finalizer; a status report and
// an Event at each step. The main loop (session.ts) runs one of these at a time, only while the
// session itself has nothing to do, so a job change and a session change never run together; while
// it waits, it watches the running jobs (watchJobsUntil), and a job Flink ends by itself is reported.
// SessionJobs (session-jobs-state.ts) decides which step comes next.
import { ActivityFailure, ApplicationFailure, condition, isCancellation, log, patched } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { EndedFlinkJob, JarSource, StopFlinkJobResult } from '../activities/flink-jobs.ts';
import { sessionS3Target } from '../model/auto-clean.ts';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import {
  jobSpecProblems,
  parseS3Url,
  retainsCheckpoints,
  savepointDirectory,
  stopKind,
  stopsWithSavepoint,
  type FlinkSessionJobSpec,
  type JobRef,
  type StopReason,
} from '../model/flinksessionjob.ts';
import { cancelledWhen } from './cancellable.ts';
import { failureMessage, failureReason, jobReporter } from './job-reports.ts';
import type { DesiredJob, SubmittedJob } from './contract.ts';
import type { JobWork, SessionJobs } from './session-jobs-state.ts';

/**
 * A job waiting for its session is checked in the API server before its status is written (runs
 * before wrote WaitingForSession on whatever a jobChanged named, in a namespace not watched too).
 */
const CHECK_WAITING_JOB_PATCH = 'check-job-before-waiting';

/** The running session the jobs go to. */
export interface RunningSession {
  ref: SessionRef;
  spec: FlinkSessionSpec;
  deploys: number;
}

/** What every step of a session's jobs works with. */
export interface SessionJobDeps {
  namespace: string;
  session: string;
  jobs: SessionJobs;
  /** Quick API calls; the Flink REST steps (uploads, polls that heartbeat); best-effort Events. */
  api: Activities;
  flink: Activities;
  events: Activities;
  step: <T>(name: string, run: () => Promise<T>) => Promise<T>;
}

export interface JobStepDeps extends SessionJobDeps {
  /** The long watch of running jobs. */
  watch: Activities;
  /** The session as deployed now, when it runs (the next() of SessionJobs only hands out submits then). */
  running: () => RunningSession | undefined;
}

/** Runs within a deployed session a while before it asks again: each ask is a few events in the run's history. */
const WATCH_SECONDS = 1800;
/** Runs from before jobs were watched after they ran replay without the watch. */
const WATCH_JOBS_PATCH = 'watch-session-jobs';
/** Runs from before the session's status counted its jobs replay without writing the count. */
const SESSION_JOBS_COUNT_PATCH = 'session-jobs-count';

export interface JobSteps {
  /** Runs one job step (SessionJobs.next). */
  run: (work: JobWork) => Promise<void>;
  /**
   * Waits until `ready` holds; meanwhile watches the jobs that run on the session (one long activity
   * that heartbeats, cancelled when `ready` holds) and reports each one Flink ends by itself.
   */
  watchJobsUntil: (ready: () => boolean) => Promise<void>;
}

export function jobSteps(deps: JobStepDeps): JobSteps {
  const { jobs, api, flink, step } = deps;
  let reportedCounts: { declared: number; running: number } | undefined;
  const { jobRef, report, event } = jobReporter(deps);
  const sessionOf = (running: RunningSession) => ({ namespace: running.ref.namespace, name: running.ref.name });

  const run = async (work: JobWork): Promise<void> => {
    if (work.kind === 'submit') await submit(work.name, work.job, work.replaces, work.restoreFrom);
    else if (work.kind === 'suspend') await suspend(work.name, work.job, work.submitted);
    else if (work.kind === 'suspended') await reportSuspended(work.name, work.job);
    else if (work.kind === 'stop') await stopForDelete(work.name, work.job, work.submitted);
    else if (work.kind === 'release') await release(work.name, work.job);
    else if (work.kind === 'wait-session') await waitForSession(work.name, work.job);
    await reportCounts();
  };
  return { run, watchJobsUntil };

  /** The session's JOBS column, written when its counts changed (once more after a continue-as-new). */
  async function reportCounts(): Promise<void> {
    const running = deps.running();
    if (!running || !patched(SESSION_JOBS_COUNT_PATCH)) return;
    const counts = jobs.counts({ ready: true, deploys: running.deploys });
    if (reportedCounts && reportedCounts.declared === counts.declared && reportedCounts.running === counts.running) return;
    await api.reportSessionJobs({ ref: running.ref, jobs: counts });
    reportedCounts = counts;
  }

  async function watchJobsUntil(ready: () => boolean): Promise<void> {
    while (!ready()) {
      const running = deps.running();
      const watched = running ? jobs.watched({ ready: true, deploys: running.deploys }) : [];
      if (!running || watched.length === 0 || !patched(WATCH_JOBS_PATCH)) {
        await condition(ready);
        return;
      }
      let ended: EndedFlinkJob[];
      try {
        ({ ended } = await cancelledWhen(ready, () => deps.watch.watchFlinkJobs({ session: sessionOf(running), jobs: watched, forSeconds: WATCH_SECONDS })));
      } catch (error: unknown) {
        if (isCancellation(error) && ready()) return;
        if (isCancellation(error)) throw error;
        log.warn('watching the jobs failed; asking again in a minute', { session: deps.session, error: failureMessage(error) });
        await condition(ready, '1 minute');
        continue;
      }
      for (const found of ended) await reportEnded(found);
      await reportCounts();
    }
  }

  /** Flink ended a job by itself: say so, with Flink's root cause, and leave it until the job changes (no blind resubmission). */
  async function reportEnded(found: EndedFlinkJob): Promise<void> {
    const job = jobs.desiredJob(found.name);
    jobs.ended(found.name, found.jobId);
    if (!job) return;
    const ref = jobRef(found.name, job);
    const { reason, failed, what } = endedAs(found);
    const message = `${what}; it is not submitted again until the FlinkSessionJob changes`;
    log.warn('job ended on Flink by itself', { job: found.name, jobId: found.jobId, state: found.state });
    await event(ref, failed ? 'Warning' : 'Normal', reason, `${message}${found.rootCause ? `; Flink's root cause: ${found.rootCause.split('\n')[0]}` : ''}`);
    await report(ref, {
      reason,
      ready: false,
      progressing: false,
      jobId: found.jobId,
      jobState: found.state === 'GONE' ? 'UNKNOWN' : found.state,
      message,
      ...(failed ? { error: message } : {}),
      ...(found.rootCause ? { rootCause: found.rootCause } : {}),
    });
  }

  /** Where the jar is read: https as it is, s3:// on the session's S3 endpoint with its credentials, or the job's jarCredentialsSecret. */
  function jarSource(spec: FlinkSessionJobSpec, running: RunningSession): JarSource {
    const url = spec.jar;
    const s3 = parseS3Url(url);
    if (!s3 || !running.spec.s3) return { kind: 'https', url };
    const target = { ...sessionS3Target(running.ref, running.spec.s3), bucket: s3.bucket };
    if (!spec.jarCredentialsSecret) return { kind: 's3', url, key: s3.key, target };
    return {
      kind: 's3',
      url,
      key: s3.key,
      target: { ...target, inlineCredentials: false, credentialsSecret: { ...spec.jarCredentialsSecret } },
      credentialsField: `jarCredentialsSecret (Secret ${deps.namespace}/${spec.jarCredentialsSecret.name})`,
    };
  }

  /** Temporal is not a trusted source of specs: whether the API server holds this very generation; if not, what it holds replaces it. */
  async function confirmed(name: string, job: DesiredJob, jobStep: 'submit' | 'suspend'): Promise<boolean> {
    const check = await step('check the FlinkSessionJob', () =>
      api.checkSessionJob({ job: jobRef(name, job), session: deps.session, spec: job.spec, step: jobStep }),
    );
    if (check.trusted) return true;
    log.warn('job signal not acted on: the API server does not confirm it; nothing changed', { job: name, why: check.why });
    jobs.distrusted(name, check.current, check.deleting);
    return false;
  }

  /** What the schema could not check because it needs the session: a generation it refuses is reported once, with what to fix. */
  async function refusedForSession(name: string, job: DesiredJob, running: RunningSession, outcome: string, jobId?: string): Promise<boolean> {
    const problems = jobSpecProblems(job.spec, running.spec);
    if (problems.length === 0) return false;
    const message = problems.join('; ');
    const ref = jobRef(name, job);
    jobs.refused(name, job);
    await event(ref, 'Warning', 'InvalidJob', `generation ${job.generation} refused, ${outcome}: ${message}`);
    await report(ref, {
      reason: 'InvalidJob',
      ready: false,
      progressing: false,
      ...(jobId ? { jobId } : {}),
      message: `the change was refused; ${outcome}`,
      error: message,
    });
    return true;
  }

  async function submit(name: string, job: DesiredJob, replaces: SubmittedJob | undefined, keptSavepoint: string | undefined): Promise<void> {
    const ref = jobRef(name, job);
    const running = deps.running();
    if (!running) return;
    // 0. Temporal is not a trusted source of specs: act only on what the API server holds for this job.
    if (!(await confirmed(name, job, 'submit'))) return;
    // 1. What the schema could not check, because it needs the session.
    if (await refusedForSession(name, job, running, 'nothing was submitted')) return;
    const session = sessionOf(running);
    try {
      // 2. A change: take the generation that runs off Flink first (its savepoint, or its latest
      //    checkpoint, is where the new one starts). A resume starts from the savepoint its suspend took.
      let restoreFrom = keptSavepoint;
      if (replaces) {
        await report(ref, {
          reason: 'Upgrading',
          ready: false,
          progressing: true,
          message: `stopping job ${replaces.jobId} (generation ${replaces.generation}) by upgradeMode ${job.spec.upgradeMode ?? 'savepoint'}`,
        });
        const stopped = await stopJob(ref, job, replaces, running, 'upgrade');
        restoreFrom = stopped.savepoint?.path ?? stopped.checkpoint?.path;
      }
      // 3. Stream the jar to the session's REST and run it with the job's fixed id (a retry is a duplicate, never a second job).
      await report(ref, {
        reason: 'Submitting',
        ready: false,
        progressing: true,
        message: `uploading ${job.spec.jar} to session ${deps.session}${restoreFrom ? `, to run from ${restoreFrom}` : ''}`,
      });
      const submitted = await step('submit the job', () =>
        flink.submitFlinkJob({ session, job: ref, spec: job.spec, jar: jarSource(job.spec, running), ...(restoreFrom ? { restoreFrom } : {}) }),
      );
      jobs.submitted(name, {
        uid: job.uid,
        generation: job.generation,
        jobId: submitted.jobId,
        sessionDeploy: running.deploys,
        ...(retainsCheckpoints(job.spec) ? { retainsCheckpoints: true } : {}),
      });
      await event(
        ref,
        'Normal',
        submitted.duplicate ? 'AlreadySubmitted' : 'Submitted',
        submitted.duplicate
          ? `Flink has job ${submitted.jobId} already (a retried submission); nothing was run twice`
          : `uploaded ${job.spec.jar} and ran it as job ${submitted.jobId}${restoreFrom ? ` from ${restoreFrom}` : ''}`,
      );
      await report(ref, {
        reason: 'WaitingForJob',
        ready: false,
        progressing: true,
        jobId: submitted.jobId,
        message: `job ${submitted.jobId} submitted; waiting until its tasks run`,
      });
      // 4. Running: every task of it.
      const { state } = await step('wait for the job to run', () => flink.waitForFlinkJobRunning({ session, jobId: submitted.jobId }));
      await event(ref, 'Normal', 'Running', `job ${submitted.jobId} runs on session ${deps.session}`);
      await report(ref, {
        reason: 'JobRunning',
        ready: true,
        progressing: false,
        jobId: submitted.jobId,
        jobState: state,
        message: `job ${submitted.jobId} runs on session ${deps.session}`,
      });
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      jobs.refused(name, job);
      const message = failureMessage(error);
      const reason = failureReason(error, 'SubmitFailed');
      const details = failureDetails(error);
      log.error('job submission failed', { job: name, generation: job.generation, error: message });
      await event(ref, 'Warning', reason, message);
      await report(ref, {
        reason,
        ready: false,
        progressing: false,
        message: `generation ${job.generation} did not run`,
        error: message,
        ...(details.state ? { jobState: details.state } : {}),
        ...(details.rootCause ? { rootCause: details.rootCause } : {}),
      });
    }
  }

  /**
   * Takes a submitted job off Flink by its upgradeMode (model stopKind): stopped with a savepoint,
   * cancelled keeping its latest checkpoint (last-state, for a change), or cancelled (stateless).
   */
  async function stopJob(ref: JobRef, job: DesiredJob, submitted: SubmittedJob, running: RunningSession, why: StopReason): Promise<StopFlinkJobResult> {
    const bucket = running.spec.s3?.bucket;
    const kind = stopKind(job.spec, why, submitted);
    const directory = kind === 'savepoint' && bucket ? savepointDirectory(bucket, deps.session) : undefined;
    const stepName = directory ? 'stop the job with a savepoint' : kind === 'checkpoint' ? 'cancel the job, keeping its latest checkpoint' : 'cancel the job';
    const stopped = await step(stepName, () =>
      flink.stopFlinkJob({
        session: sessionOf(running),
        jobId: submitted.jobId,
        ...(directory ? { savepointDirectory: directory } : {}),
        ...(kind === 'checkpoint' ? { fromCheckpoint: true } : {}),
      }),
    );
    jobs.stopped(ref.name);
    const savepoint = stopped.savepoint?.path;
    const checkpoint = stopped.checkpoint?.path;
    await event(
      ref,
      'Normal',
      savepoint ? 'SavepointTaken' : 'JobCancelled',
      savepoint
        ? `job ${submitted.jobId} stopped with a savepoint at ${savepoint} (${why})`
        : `job ${submitted.jobId} ${stopped.state === 'GONE' ? 'was not on Flink any more' : `ended ${stopped.state}`}` +
            `${checkpoint ? `; its latest checkpoint ${checkpoint} is kept to restore from` : ''} (${why})`,
    );
    if (savepoint) {
      await report(ref, {
        reason: why === 'delete' ? 'Deleting' : why === 'suspend' ? 'Suspending' : 'Upgrading',
        ready: false,
        progressing: true,
        jobState: stopped.state,
        message: `job ${submitted.jobId} stopped`,
        lastSavepoint: { path: savepoint, time: new Date().toISOString(), reason: why },
      });
    }
    return stopped;
  }

  /** `state: suspended`: the job stopped with a savepoint (cancelled, stateless); a resume (state: running) restores from it. */
  async function suspend(name: string, job: DesiredJob, submitted: SubmittedJob): Promise<void> {
    const ref = jobRef(name, job);
    const running = deps.running();
    if (!running) return;
    if (!(await confirmed(name, job, 'suspend'))) return;
    if (await refusedForSession(name, job, running, 'the job keeps running', submitted.jobId)) return;
    await report(ref, { reason: 'Suspending', ready: false, progressing: true, jobId: submitted.jobId, message: `suspending job ${submitted.jobId}` });
    let stopped: StopFlinkJobResult;
    try {
      stopped = await stopJob(ref, job, submitted, running, 'suspend');
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      // A failed savepoint leaves the job running: nothing is cancelled without its state.
      jobs.refused(name, job);
      const message = failureMessage(error);
      const reason = failureReason(error, 'StopFailed');
      await event(ref, 'Warning', reason, `${message}; the job keeps running (set upgradeMode: stateless to suspend it without a savepoint)`);
      await report(ref, {
        reason,
        ready: false,
        progressing: false,
        jobId: submitted.jobId,
        message: 'the suspend is held: the job could not be stopped',
        error: message,
      });
      return;
    }
    const savepoint = stopped.savepoint?.path;
    jobs.suspended(name, job, savepoint);
    const message =
      `job ${submitted.jobId} is suspended` +
      `${savepoint ? `; set state: running to resume it from ${savepoint}` : '; set state: running to start it afresh'}`;
    await event(ref, 'Normal', 'Suspended', message);
    await report(ref, { reason: 'Suspended', ready: false, progressing: false, jobId: submitted.jobId, jobState: stopped.state, message });
  }

  /** Wanted suspended with nothing of it running (applied so, or edited while suspended): said once per generation. */
  async function reportSuspended(name: string, job: DesiredJob): Promise<void> {
    const ref = jobRef(name, job);
    // Checked like a submit: a forged signal never writes a status onto an object.
    if (!(await confirmed(name, job, 'suspend'))) return;
    jobs.suspendedReported(name, job);
    await report(ref, {
      reason: 'Suspended',
      ready: false,
      progressing: false,
      message: 'the job is suspended: nothing of it runs on Flink; set state: running to run it',
    });
  }

  async function stopForDelete(name: string, job: DesiredJob, submitted: SubmittedJob): Promise<void> {
    const ref = jobRef(name, job);
    const running = deps.running();
    if (!running) return;
    const check = await step('check the FlinkSessionJob', () => api.checkSessionJob({ job: ref, session: deps.session, step: 'delete' }));
    if (!check.trusted && check.gone !== true) {
      log.warn('job delete not acted on: the API server does not confirm it; nothing changed', { job: name, why: check.why });
      jobs.distrusted(name, check.current, check.deleting);
      return;
    }
    if (stopsWithSavepoint(job.spec) && !running.spec.s3) {
      await event(ref, 'Warning', 'NoSavepoint', `session ${deps.session} has no spec.s3, so job ${submitted.jobId} is cancelled without a savepoint`);
    }
    await report(ref, { reason: 'Deleting', ready: false, progressing: true, message: `taking job ${submitted.jobId} off session ${deps.session}` });
    try {
      await stopJob(ref, job, submitted, running, 'delete');
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      // A failed savepoint stops the delete before anything is cancelled: the job runs on, the finalizer stays.
      jobs.refused(name, job);
      const message = failureMessage(error);
      const reason = failureReason(error, 'StopFailed');
      await event(ref, 'Warning', reason, `${message}; the finalizer stays (set upgradeMode: stateless to cancel instead)`);
      await report(ref, {
        reason,
        ready: false,
        progressing: false,
        jobId: submitted.jobId,
        message: 'the delete is held: the job could not be stopped',
        error: message,
      });
      return;
    }
    await releaseFinalizer(name, ref);
  }

  async function release(name: string, job: DesiredJob): Promise<void> {
    const ref = jobRef(name, job);
    const check = await step('check the FlinkSessionJob', () => api.checkSessionJob({ job: ref, session: deps.session, step: 'delete' }));
    if (!check.trusted && check.gone !== true) {
      log.warn('job delete not acted on: the API server does not confirm it; nothing changed', { job: name, why: check.why });
      jobs.distrusted(name, check.current, check.deleting);
      return;
    }
    await releaseFinalizer(name, ref);
  }

  async function releaseFinalizer(name: string, ref: JobRef): Promise<void> {
    await step('release the job finalizer', () => api.releaseJobFinalizer(ref));
    jobs.released(name);
    log.info('job deleted; finalizer released', { job: name });
  }

  async function waitForSession(name: string, job: DesiredJob): Promise<void> {
    const ref = jobRef(name, job);
    if (patched(CHECK_WAITING_JOB_PATCH) && !(await confirmed(name, job, 'submit'))) return;
    jobs.waitingReported(name, job);
    await report(ref, {
      reason: 'WaitingForSession',
      ready: false,
      progressing: true,
      message: `FlinkSession ${deps.namespace}/${deps.session} does not run (yet); the job is submitted once it is Ready`,
    });
  }
}

/** How a job Flink ended by itself is reported: its condition reason, whether it is an error, and what to say. */
function endedAs(found: EndedFlinkJob): { reason: string; failed: boolean; what: string } {
  switch (found.state) {
    case 'FAILED':
      return { reason: 'JobFailed', failed: true, what: `Flink failed job ${found.jobId} (beyond its restart strategy)` };
    case 'FINISHED':
      return { reason: 'JobFinished', failed: false, what: `job ${found.jobId} finished` };
    case 'GONE':
      return {
        reason: 'JobLost',
        failed: true,
        what: `the session's JobManager no longer knows job ${found.jobId} (it restarted without HA, or the job was removed)`,
      };
    default:
      return {
        reason: found.state === 'CANCELED' ? 'JobCancelled' : 'JobEnded',
        failed: true,
        what: `job ${found.jobId} ended ${found.state} outside the operator`,
      };
  }
}

function failureDetails(error: unknown): { state?: string; rootCause?: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const first = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return first && typeof first === 'object' ? (first as { state?: string; rootCause?: string }) : {};
}
