// The session workflow's FlinkSessionJob steps: submit a job (check it in the API server, stream its
// jar to the session's REST, run it with its fixed id, wait until it runs), stop it for a delete or a
// change (cancel, or stop with a savepoint into s3://<bucket>/<session>/flink/savepoints/), release
// its finalizer; a status report and an Event at each step. The main loop (session.ts) runs one of
// these at a time, only while the session itself has nothing to do, so a job change and a session
// change never run together. SessionJobs (session-jobs-state.ts) decides which step comes next.
import { ActivityFailure, ApplicationFailure, isCancellation, log, patched, TimeoutFailure } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { JarSource } from '../activities/flink-jobs.ts';
import { sessionS3Target } from '../model/auto-clean.ts';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import { jobSpecProblems, parseS3Url, savepointDirectory, stopsWithSavepoint, type JobRef, type JobStatusReport } from '../model/flinksessionjob.ts';
import type { DesiredJob, SubmittedJob } from './contract.ts';
import type { JobWork, SessionJobs } from './session-jobs-state.ts';

/** The running session the jobs go to. */
/**
 * A job waiting for its session is checked in the API server before its status is written (runs
 * before wrote WaitingForSession on whatever a jobChanged named, in a namespace not watched too).
 */
const CHECK_WAITING_JOB_PATCH = 'check-job-before-waiting';

export interface RunningSession {
  ref: SessionRef;
  spec: FlinkSessionSpec;
  deploys: number;
}

export interface JobStepDeps {
  namespace: string;
  session: string;
  jobs: SessionJobs;
  /** Quick API calls; the Flink REST steps (uploads, polls that heartbeat); best-effort Events. */
  api: Activities;
  flink: Activities;
  events: Activities;
  step: <T>(name: string, run: () => Promise<T>) => Promise<T>;
  /** The session as deployed now, when it runs (the next() of SessionJobs only hands out submits then). */
  running: () => RunningSession | undefined;
}

export function jobSteps(deps: JobStepDeps): (work: JobWork) => Promise<void> {
  const { jobs, api, flink, step } = deps;
  const jobRef = (name: string, job: DesiredJob): JobRef => ({ namespace: deps.namespace, name, uid: job.uid, generation: job.generation });
  const sessionOf = (running: RunningSession) => ({ namespace: running.ref.namespace, name: running.ref.name });

  const report = (job: JobRef, r: Omit<JobStatusReport, 'generation'>) => api.reportJobStatus({ job, report: { ...r, generation: job.generation } });
  /** Best effort: an Event that cannot be recorded never holds up a step. */
  const event = async (job: JobRef, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> => {
    try {
      await deps.events.recordJobEvent({ job, type, reason, message });
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      log.warn('job event not recorded', { job: `${job.namespace}/${job.name}`, reason, error: failureMessage(error) });
    }
  };

  return async (work) => {
    if (work.kind === 'submit') await submit(work.name, work.job, work.replaces);
    else if (work.kind === 'stop') await stopForDelete(work.name, work.job, work.submitted);
    else if (work.kind === 'release') await release(work.name, work.job);
    else if (work.kind === 'wait-session') await waitForSession(work.name, work.job);
  };

  /** Where the jar is read: https as it is, s3:// on the session's S3 endpoint with its credentials. */
  function jarSource(url: string, running: RunningSession): JarSource {
    const s3 = parseS3Url(url);
    if (!s3 || !running.spec.s3) return { kind: 'https', url };
    return { kind: 's3', url, key: s3.key, target: { ...sessionS3Target(running.ref, running.spec.s3), bucket: s3.bucket } };
  }

  async function submit(name: string, job: DesiredJob, replaces: SubmittedJob | undefined): Promise<void> {
    const ref = jobRef(name, job);
    const running = deps.running();
    if (!running) return;
    // 0. Temporal is not a trusted source of specs: act only on what the API server holds for this job.
    const check = await step('check the FlinkSessionJob', () => api.checkSessionJob({ job: ref, session: deps.session, spec: job.spec, step: 'submit' }));
    if (!check.trusted) {
      log.warn('job signal not acted on: the API server does not confirm it; nothing changed', { job: name, why: check.why });
      jobs.distrusted(name, check.current, check.deleting);
      return;
    }
    // 1. What the schema could not check, because it needs the session.
    const problems = jobSpecProblems(job.spec, running.spec);
    if (problems.length > 0) {
      const message = problems.join('; ');
      jobs.refused(name, job);
      await event(ref, 'Warning', 'InvalidJob', `generation ${job.generation} refused, nothing was submitted: ${message}`);
      await report(ref, { reason: 'InvalidJob', ready: false, progressing: false, message: 'the job was refused; nothing was submitted', error: message });
      return;
    }
    const session = sessionOf(running);
    try {
      // 2. A change: take the generation that runs off Flink first (its savepoint is where the new one starts).
      let restoreFrom: string | undefined;
      if (replaces) {
        await report(ref, {
          reason: 'Upgrading',
          ready: false,
          progressing: true,
          message: `stopping job ${replaces.jobId} (generation ${replaces.generation}) by upgradeMode ${job.spec.upgradeMode ?? 'savepoint'}`,
        });
        const stopped = await stopJob(ref, job, replaces, running, 'upgrade');
        restoreFrom = stopsWithSavepoint(job.spec) ? stopped : undefined;
      }
      // 3. Stream the jar to the session's REST and run it with the job's fixed id (a retry is a duplicate, never a second job).
      await report(ref, {
        reason: 'Submitting',
        ready: false,
        progressing: true,
        message: `uploading ${job.spec.jar} to session ${deps.session}${restoreFrom ? `, to run from ${restoreFrom}` : ''}`,
      });
      const submitted = await step('submit the job', () =>
        flink.submitFlinkJob({ session, job: ref, spec: job.spec, jar: jarSource(job.spec.jar, running), ...(restoreFrom ? { restoreFrom } : {}) }),
      );
      jobs.submitted(name, { uid: job.uid, generation: job.generation, jobId: submitted.jobId, sessionDeploy: running.deploys });
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

  /** Stops (savepoint, last-state) or cancels (stateless) a submitted job; the savepoint's path when one was taken. */
  async function stopJob(
    ref: JobRef,
    job: DesiredJob,
    submitted: SubmittedJob,
    running: RunningSession,
    why: 'upgrade' | 'delete',
  ): Promise<string | undefined> {
    const bucket = running.spec.s3?.bucket;
    const directory = stopsWithSavepoint(job.spec) && bucket ? savepointDirectory(bucket, deps.session) : undefined;
    const stopped = await step(directory ? 'stop the job with a savepoint' : 'cancel the job', () =>
      flink.stopFlinkJob({ session: sessionOf(running), jobId: submitted.jobId, ...(directory ? { savepointDirectory: directory } : {}) }),
    );
    jobs.stopped(ref.name);
    const savepoint = stopped.savepoint?.path;
    await event(
      ref,
      'Normal',
      savepoint ? 'SavepointTaken' : 'JobCancelled',
      savepoint
        ? `job ${submitted.jobId} stopped with a savepoint at ${savepoint} (${why})`
        : `job ${submitted.jobId} ${stopped.state === 'GONE' ? 'was not on Flink any more' : `ended ${stopped.state}`} (${why})`,
    );
    if (savepoint) {
      await report(ref, {
        reason: why === 'delete' ? 'Deleting' : 'Upgrading',
        ready: false,
        progressing: true,
        jobState: stopped.state,
        message: `job ${submitted.jobId} stopped`,
        lastSavepoint: { path: savepoint, time: new Date().toISOString(), reason: why },
      });
    }
    return savepoint;
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
    if (patched(CHECK_WAITING_JOB_PATCH)) {
      const check = await step('check the FlinkSessionJob', () => api.checkSessionJob({ job: ref, session: deps.session, spec: job.spec, step: 'submit' }));
      if (!check.trusted) {
        log.warn('job signal not acted on: the API server does not confirm it; nothing changed', { job: name, why: check.why });
        jobs.distrusted(name, check.current, check.deleting);
        return;
      }
    }
    jobs.waitingReported(name, job);
    await report(ref, {
      reason: 'WaitingForSession',
      ready: false,
      progressing: true,
      message: `FlinkSession ${deps.namespace}/${deps.session} does not run (yet); the job is submitted once it is Ready`,
    });
  }
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function failureReason(error: unknown, fallback: string): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  return cause instanceof TimeoutFailure ? 'StepTimedOut' : fallback;
}

function failureDetails(error: unknown): { state?: string; rootCause?: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const first = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return first && typeof first === 'object' ? (first as { state?: string; rootCause?: string }) : {};
}
