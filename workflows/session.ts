// One long-lived workflow per FlinkSession (id flinksession/<namespace>/<name>). Signal handlers only
// record into SessionState; this loop does the work, one step (activity) at a time, so every step is
// visible in the Temporal UI and a crash of any component resumes at the step it was in. SessionState
// owns the phase; this file runs the steps and reports what they did.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { SessionCheckResult } from '../activities/session-check.ts';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import { autoCleanSteps, sessionS3Target } from '../model/auto-clean.ts';
import { savepointDirectory } from '../model/flinksessionjob.ts';
import { describeCarry, planJobCarry } from '../model/redeploy-jobs.ts';
import { APPROVE_ANNOTATION } from '../model/names.ts';
import { movedAway } from '../model/state-locations.ts';
import type { StatusReport } from '../model/status.ts';
import {
  approveSignal,
  deleteSignal,
  jobChangedSignal,
  jobDeletedSignal,
  jobManagerMissingSignal,
  redeploySignal,
  SEARCH_ATTRIBUTES,
  specChangedSignal,
  statusQuery,
  type DeleteTarget,
  type SessionPhase,
  type SessionWorkflowInput,
  type SpecChanged,
} from './contract.ts';
import { countDeploy, countHaConfigMapsDeleted, countS3Purge, countZnodesDeleted, type DeployKind } from './metrics.ts';
import { cancelledWhen } from './cancellable.ts';
import { RunProgress } from './progress.ts';
import { summarisedActivities, summarisedLocalActivities } from './summarised-activities.ts';
import { SessionState, type NextWork } from './session-state.ts';
import { jobSteps, type RunningSession } from './session-jobs.ts';
import { redeployJobSteps } from './session-redeploy-jobs.ts';
import { SessionJobs } from './session-jobs-state.ts';

type DeployWork = Extract<NextWork, { kind: 'deploy' }>;

/**
 * Workflow patches: a run started before a step existed replays without it. Each id is written into
 * the histories of the runs that pass it, so it never changes.
 */
const PATCHES = {
  /** The FlinkSession is checked in the API server before a signal is acted on. */
  checkSession: 'check-session-before-acting',
  /** Who else uses the HA data is checked before a clean-up. */
  sharedState: 'check-shared-state-before-cleanup',
  /** A redeploy bounds the clean-up of a location the new spec moved away from (runs before it retried it for ever). */
  boundedMovedCleanup: 'bounded-cleanup-of-moved-state',
  /** A delete removes the launch Jobs before the JobManager (runs before removed them last). */
  launchJobsFirst: 'delete-launch-jobs-first',
  /** A redeploy removes the launch Jobs before the JobManager too (runs before removed only older ones, after the launch). */
  redeployLaunchJobsFirst: 'redeploy-launch-jobs-first',
  /**
   * FlinkSessionJob steps (runs before had no jobChanged/jobDeleted handlers: a job signal one of them
   * buffered is ignored when such a run is replayed, as it was then).
   */
  sessionJobs: 'session-jobs',
  /** A redeploy carries the session's jobs across (runs before took them down with the JobManager). */
  carryJobs: 'carry-jobs-across-redeploy',
  /** spec.approval manual: a redeploy waits for an approve signal (runs before had no approval). */
  approval: 'approve-before-redeploy',
  /** A redeploy whose new generation does not come up relaunches the one that ran (runs before ended Failed). */
  rollback: 'roll-back-failed-redeploy',
  /** ... and so does one whose carried jobs do not run on the new generation (runs before left them refused there). */
  rollbackJobs: 'roll-back-when-jobs-do-not-run',
  /** A redeploy waiting for approval watches the jobs that run meanwhile (runs before only waited). */
  watchWhileAwaitingApproval: 'watch-jobs-while-awaiting-approval',
  /** A held redeploy resubmits at once the jobs it had stopped, and says so in status.carriedJobs (runs before left them Stopped there). */
  restoreAfterHold: 'restore-jobs-after-held-redeploy',
  /**
   * The session's quick API steps (checks, status, Events, writes, deletes, the launch Job) run as
   * local activities: one MarkerRecorded event each and no workflow task of their own (a redeploy on
   * the test server: 117 -> 42 history events; with autoClean 155 -> 60). Decided once, in a run's
   * first workflow task: a run started before runs them as activities to its end (its continue-as-new
   * starts a run that takes them local); test/fixtures/histories has one such run, replayed.
   */
  localApiSteps: 'quick-api-steps-as-local-activities',
  /** An edit put back to the spec that runs is not redeployed (runs before redeployed it). */
  keepWhatRuns: 'keep-jobmanager-when-spec-is-what-runs',
} as const;

const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;
/** Named timeout profiles: quick API calls, polls that heartbeat, and long clean-ups. */
const API: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: RETRY };
// A cancelled poll or clean-up (a delete cancels a deploy) is waited for until it has stopped, so the
// delete never runs beside the step it replaced; they heartbeat, so they hear of it within a poll.
const POLL: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: RETRY,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};
const CLEANUP: ActivityOptions = { ...POLL, startToCloseTimeout: '2 hours' };
/** Events are best effort: a few tries, then the step goes on without it. */
const EVENT: ActivityOptions = { startToCloseTimeout: '10 seconds', retry: { ...RETRY, maximumAttempts: 3 } };
/**
 * API and EVENT as local activities (PATCHES.localApiSteps), run by the worker that runs the workflow
 * task. A worker that dies in one leaves that workflow task to time out; the next worker replays the
 * history and runs again the local activities of that task (every step is idempotent). Every back-off
 * (RETRY's start at 1 s, above localRetryThreshold) waits on a timer in the history, on the server's
 * clock, rather than in the worker, which would hold the workflow task open meanwhile (heartbeating
 * it: three events every 8 s). Cancelled, a local activity is waited for (their default), so a delete
 * never runs beside the step it replaced.
 */
const LOCAL_RETRY_THRESHOLD = '500 milliseconds';
const LOCAL_API: LocalActivityOptions = { startToCloseTimeout: '30 seconds', retry: RETRY, localRetryThreshold: LOCAL_RETRY_THRESHOLD };
const LOCAL_EVENT: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { ...RETRY, maximumAttempts: 3 },
  localRetryThreshold: LOCAL_RETRY_THRESHOLD,
};
/**
 * Flink REST steps of jobs: a jar upload streams (heartbeating per chunk), a run heartbeats while Flink
 * runs main(), polls heartbeat; each has its own deadline too. A worker that dies in one is noticed
 * within the heartbeat timeout, and the step goes on on another.
 */
const FLINK_JOB: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: RETRY,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};
/** The watch of running jobs: long (it returns after half an hour), heartbeating, and read-only, so a cancel is not waited for. */
const WATCH: ActivityOptions = {
  startToCloseTimeout: '40 minutes',
  heartbeatTimeout: '2 minutes',
  retry: RETRY,
  cancellationType: ActivityCancellationType.TRY_CANCEL,
};

/** The steps a clean-up runs, each with its profile (a delete bounds them by its deadline). */
interface CleanupSteps {
  api: Activities;
  poll: Activities;
  cleanup: Activities;
}
/** Runs one clean-up step; undefined when it gave up (a delete goes on and reports what it left). */
type RunCleanupStep = <T>(name: string, leaves: string, run: (steps: CleanupSteps) => Promise<T>) => Promise<T | undefined>;

export async function flinkSessionWorkflow(input: SessionWorkflowInput): Promise<void> {
  const state = new SessionState(input.namespace, input.name, input.carried);
  const jobs = new SessionJobs(input.carried?.jobs);
  // Every call carries a summary for the Temporal UI, and the run's current details follow them.
  const progress = new RunProgress(() => state.status());
  const activities = (options: ActivityOptions): Activities => summarisedActivities(options, progress);
  const localActivities = (options: LocalActivityOptions): Activities => summarisedLocalActivities(options, progress);
  const localSteps = patched(PATCHES.localApiSteps);
  /** The session's quick API steps (and Events): local activities in the runs that passed PATCHES.localApiSteps. */
  const quick = (options: ActivityOptions, local: LocalActivityOptions): Activities => (localSteps ? localActivities(local) : activities(options));
  const [api, events] = [quick(API, LOCAL_API), quick(EVENT, LOCAL_EVENT)];
  const [poll, cleanup, flink] = [activities(POLL), activities(CLEANUP), activities(FLINK_JOB)];
  const watch = activities(WATCH);
  setHandler(specChangedSignal, (change) => state.onSpecChanged(change));
  setHandler(redeploySignal, (request) => state.onRedeploy(request));
  setHandler(approveSignal, (request) => state.onApprove(request));
  setHandler(deleteSignal, (request) => state.onDelete(request));
  setHandler(jobManagerMissingSignal, (report) => state.onJobManagerMissing(report));
  setHandler(jobChangedSignal, (change) => jobs.onJobChanged(change));
  setHandler(jobDeletedSignal, (request) => jobs.onJobDeleted(request));
  setHandler(statusQuery, () => state.status());
  const workflow = { id: workflowInfo().workflowId, runId: workflowInfo().runId };
  const launchTag = state.launchTag(workflowInfo().firstExecutionRunId);

  const refOf = (uid: string, generation: number): SessionRef => ({ namespace: input.namespace, name: input.name, uid, generation });
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    state.step = name;
    try {
      return await run();
    } finally {
      state.step = undefined;
      progress.refresh();
    }
  };
  const report = (ref: SessionRef, r: StatusReport) => api.reportStatus({ ref, report: r, workflow });
  /** Best effort: an Event that cannot be recorded (a terminating namespace refuses new ones) never holds up a step. */
  const event = async (ref: SessionRef, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> => {
    try {
      const recorded = await events.recordEvent({ ref, type, reason, message });
      if (!recorded.recorded) log.warn('event not recorded', { ...logFields(ref), reason, why: recorded.why });
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      log.warn('event not recorded', { ...logFields(ref), reason, error: failureMessage(error) });
    }
  };

  // The session's jobs: one step at a time, only while the session itself has nothing to do.
  // The job steps' API calls stay activities: PATCHES.localApiSteps covers the session's own steps
  // (a job step's quick calls sit between Flink REST calls that are activities in any case).
  const jobDeps = { namespace: input.namespace, session: input.name, jobs, api: activities(API), flink, events: activities(EVENT), step };
  const jobStep = jobSteps({
    ...jobDeps,
    watch,
    running: () => {
      const deployed = state.runningDeployment;
      return deployed ? { ref: refOf(deployed.uid, deployed.generation), spec: deployed.spec, deploys: state.deploys } : undefined;
    },
  });
  const redeployJobs = redeployJobSteps({
    ...jobDeps,
    sessionEvent: (type, reason, message) => {
      const deployed = state.status();
      return event(refOf(deployed.uid ?? '', deployed.desiredGeneration ?? 0), type, reason, message);
    },
  });
  const sessionForJobs = () => ({ ready: state.runningDeployment !== undefined, deploys: state.deploys });
  /** Off in a replay of a run from before job steps existed (PATCHES.sessionJobs). */
  let jobsOn = true;
  const jobWork = () => (jobsOn && !state.hasWork() && jobs.hasWork(sessionForJobs()) ? jobs.next(sessionForJobs()) : undefined);
  const carriedOn = () => ({ ...state.snapshot, ...(jobs.empty ? {} : { jobs: jobs.snapshot }) });

  for (;;) {
    // Idle until there is work; the jobs that run on the session are watched meanwhile.
    await jobStep.watchJobsUntil(() => state.hasWork() || jobWork() !== undefined || workflowInfo().continueAsNewSuggested);
    const job = jobWork();
    if (job) {
      jobsOn = patched(PATCHES.sessionJobs);
      if (jobsOn) await jobStep.run(job);
      continue;
    }
    const work = state.next();
    if (work.kind === 'idle') {
      await continueAsNew<typeof flinkSessionWorkflow>({ namespace: input.namespace, name: input.name, carried: carriedOn() });
      return;
    }
    if (work.kind === 'delete') {
      if (!(await deleteSession(work.target))) {
        if (state.empty && jobs.empty) return; // started by a signal the API server does not confirm: nothing to look after
        continue;
      }
      // An object re-created (new uid) during the delete starts clean in a new run; its jobs wait for a session again.
      jobs.sessionGone();
      const carried = state.afterDelete();
      if (carried || !jobs.empty) {
        await continueAsNew<typeof flinkSessionWorkflow>({
          namespace: input.namespace,
          name: input.name,
          carried: { ...(carried ?? { forcedReasons: [], redeploys: 0, attempts: {} }), ...(jobs.empty ? {} : { jobs: jobs.snapshot }) },
        });
      }
      return;
    }
    if (work.kind === 'check-drift') {
      await checkDrift(work.change, work.redeploy);
      continue;
    }
    await unlessDeleted(work.change, () => deploy(work));
    if (state.empty && jobs.empty) return;
  }

  /** Runs a deploy that a delete arriving meanwhile cancels (the delete then cleans up what it left). */
  async function unlessDeleted(change: SpecChanged, run: () => Promise<void>): Promise<void> {
    try {
      await cancelledWhen(() => state.deleteRequested, run);
    } catch (error: unknown) {
      if (!isCancellation(error)) throw error;
      log.info('deploy cancelled by a delete', logFields(refOf(change.uid, change.generation)));
    }
  }

  async function deploy({ change, reasons, attempt, forced, withoutFailedSavepoints }: DeployWork): Promise<void> {
    const ref = refOf(change.uid, change.generation);
    const spec = change.spec;
    const startedAt = Date.now();
    const fields = logFields(ref);

    // 0. Temporal is not a trusted source of specs: act only on what the API server holds for this session.
    const check: SessionCheckResult = patched(PATCHES.checkSession)
      ? await step('check the FlinkSession', () => api.checkSession({ ref, spec, step: 'deploy' }))
      : { trusted: true };
    if (!check.trusted) {
      log.warn('signal not acted on: the API server does not confirm it; nothing changed', { ...fields, why: check.why });
      state.distrusted(change, check.current);
      return;
    }
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.generation, value: change.generation }]);

    // An edit put back to the very spec the JobManager runs with (a refused edit undone): nothing to redeploy.
    if (!forced && state.runsAlready(change) && patched(PATCHES.keepWhatRuns)) {
      await keepRunning(change);
      return;
    }

    // 1. Validate the new spec before anything is touched (the operator's rules, then the API server's
    //    in a dry run of what the operator will write): a bad edit never takes a session down.
    const validation = await step('validate spec', () => api.validateSessionSpec({ ref, spec }));
    if (validation.problems.length > 0) {
      log.warn('spec refused; nothing changed', { ...fields, problems: validation.message });
      const wasRunning = state.running;
      countDeploy(wasRunning ? 'redeploy' : 'deploy', 'refused', startedAt);
      const phase = state.refused(change, validation.message);
      const reason = validation.reason ?? 'InvalidSpec'; // NameConflict: another object holds a name the session needs
      // The event first, then the status people wait on, so whoever sees the status also finds the event.
      await event(ref, 'Warning', reason, `generation ${change.generation} refused, nothing was changed: ${validation.message}`);
      await report(ref, {
        phase,
        reason,
        generation: change.generation,
        ready: wasRunning,
        message: wasRunning ? `generation ${change.generation} was refused; the running JobManager is kept` : 'the spec was refused',
        error: `fix the spec: ${validation.message}`,
      });
      return;
    }

    // 2. What runs now. A run that has deployed nothing yet (the first, or one after a run was
    //    terminated) adopts a JobManager launched with this very configuration instead of redeploying it.
    const found = state.running ? undefined : await step('inspect JobManager', () => api.inspectJobManager({ ref, spec }));
    if (found?.exists && found.adoptable && !state.hasDeployed && !forced) {
      await adopt(change, attempt, found.why);
      return;
    }
    const redeploying = state.running || found?.exists === true;
    // spec.approval manual: nothing is stopped or deleted until a person approves this plan.
    if (redeploying && spec.approval === 'manual' && patched(PATCHES.approval) && !(await approved(change))) return;
    const kind: DeployKind = redeploying ? 'redeploy' : 'deploy';
    const phase = state.beganDeploy(redeploying);
    const why = reasons.join('; ');
    log.info(`${kind} started`, { ...fields, reasons: why });
    await report(ref, { phase, reason: phase, generation: change.generation, ready: false, message: why });
    await event(ref, 'Normal', phase, `${phase.toLowerCase()} generation ${change.generation}: ${why}`);
    // What runs now, whose jobs the redeploy carries across.
    // A JobManager deleted outside the operator (drift) has no jobs left to carry.
    const ran =
      redeploying && !state.jobManagerGone && patched(PATCHES.carryJobs)
        ? { ref, spec: state.deployedSpec(change.uid) ?? spec, deploys: state.deploys }
        : undefined;
    /** What a rollback relaunches (spec.rollback, on by default): the generation that ran, known before this one is deployed. */
    const previous = ran && spec.rollback !== false ? state.rollbackTarget(change) : undefined;
    /** Set once the old JobManager is deleted: from then on a failure rolls back to the generation that ran. */
    let oldDeleted = false;
    try {
      // 3. Carry the jobs that run on the old JobManager across (a savepoint, a checkpoint, or Flink's HA
      //    for each), before anything is deleted: a job that cannot be carried holds the redeploy.
      if (ran) {
        const held = await redeployJobs.carryBefore(ran, spec, withoutFailedSavepoints);
        if (held) {
          countDeploy(kind, 'refused', startedAt);
          const heldPhase = state.refused(change, held.message);
          log.warn('redeploy held; nothing deleted', { ...fields, why: held.message });
          await event(ref, 'Warning', held.reason, held.message);
          await report(ref, {
            phase: heldPhase,
            reason: held.reason,
            generation: change.generation,
            ready: state.running,
            message: `generation ${change.generation} is held before anything was deleted; the running JobManager is kept`,
            error: held.message,
          });
          // The jobs carried before the hold (stopped with their savepoints) run again on the JobManager that stays.
          if (patched(PATCHES.restoreAfterHold)) {
            await runJobStepsUntilIdle();
            await redeployJobs.reportRestored(ran);
          }
          return;
        }
      }

      // 4. What the launch needs: the operator's files (config, pod templates, inline secrets moved into
      //    a Secret, which the bucket check may need), and the bucket.
      await step('write session files', () => api.applySessionFiles({ ref, spec }));
      if (spec.s3) await step('ensure bucket', () => api.ensureBucket(sessionS3Target(ref, spec.s3!)));

      // 5. Take the old cluster down, and with autoClean clear the HA data and state of what ran
      //    (the locations the deployed generation used, which an edit may have moved).
      if (redeploying) {
        // The launch Jobs first, their pods gone: Flink's client may still be running in the last one
        // (it goes on after the JobManager serves), and would fail on, or recreate, the cluster it
        // launched once that is deleted under it.
        if (patched(PATCHES.redeployLaunchJobsFirst)) await step('remove launch Jobs', () => api.removeLaunchJobs({ ref }));
        oldDeleted = true;
        await step('delete JobManager deployment', () => api.deleteJobManagerDeployment(ref));
        await step('wait for the Flink cluster to go', () => poll.waitForFlinkClusterGone(ref));
        await event(ref, 'Normal', 'JobManagerDeleted', 'the JobManager Deployment, its pods, Services and ConfigMap are gone');
        const ranSpec = state.deployedSpec(change.uid) ?? spec;
        if (ranSpec.autoClean) await clearWhatRan(ref, phase, ranSpec, spec);
      }

      // 6. Launch, and wait until Flink serves.
      const launch = await step('submit launch Job', () => api.submitLaunchJob({ ref, spec, launch: { attempt, tag: launchTag } }));
      state.launched(change);
      await event(ref, 'Normal', 'Launched', `launch Job ${launch.jobName} submitted`);
      await report(ref, {
        phase,
        reason: 'WaitingForJobManager',
        generation: change.generation,
        ready: false,
        message: `launch Job ${launch.jobName} runs kubernetes-session.sh`,
      });
      const endpoint = await step('wait for JobManager ready', () => poll.waitForJobManagerReady({ ref, launchJob: launch.jobName }));
      await step('mark JobManager deployed', () => api.markJobManagerDeployed({ ref, spec }));
      await step('remove old launch Jobs', () => api.removeLaunchJobs({ ref, keep: launch.jobName }));

      state.deployed(change, attempt);
      countDeploy(kind, 'ready', startedAt);
      log.info(`${kind} ready`, { ...fields, seconds: (Date.now() - startedAt) / 1000, launchJob: launch.jobName });
      await event(ref, 'Normal', 'Ready', `generation ${change.generation} is running`);
      await report(ref, {
        phase: state.phase,
        reason: 'JobManagerReady',
        generation: change.generation,
        ready: true,
        message: `Flink REST answers at ${endpoint.restService}`,
        jobManager: endpoint,
      });

      // 7. The jobs carried across run again: those left to HA are checked, the others resubmitted from
      //    their savepoints (or checkpoints) by the job steps, each checked RUNNING.
      if (ran) {
        const now = { ref, spec, deploys: state.deploys };
        await redeployJobs.checkRecovered(now);
        await runJobStepsUntilIdle();
        await redeployJobs.reportRestored(now);
        // 8. A carried job that does not run on the new generation rolls it back, its jobs carried back.
        const notRestored = redeployJobs.notRestored();
        if (notRestored.length > 0 && previous && patched(PATCHES.rollbackJobs)) {
          const names = notRestored.map((r) => r.sessionJob).join(', ');
          const describe = `kubectl describe flinksessionjob -n ${input.namespace} ${notRestored[0]!.sessionJob}`;
          const why = `the FlinkSessionJobs it carried did not run on it: ${names} (${describe})`;
          await rollBack(change, previous, 'JobNotRestored', why, now);
        }
      }
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      const message = failureMessage(error);
      countDeploy(kind, 'failed', startedAt);
      log.error(`${kind} failed`, { ...fields, error: message });
      if (previous && oldDeleted && patched(PATCHES.rollback)) {
        await rollBack(change, previous, failureReason(error), message);
        return;
      }
      const failedPhase = state.failed(change, message);
      await event(ref, 'Warning', failureReason(error), message);
      await report(ref, { phase: failedPhase, reason: failureReason(error), generation: change.generation, ready: false, message, error: message });
    }
  }

  /**
   * The new generation did not come up after the old JobManager was deleted, or the jobs the redeploy
   * carried did not run on it (spec.rollback, on by default): its cluster goes (what runs on it, when it
   * came up, carried once more), the generation that ran before is launched again with its own files,
   * and the jobs are restored onto it. The failed generation is not retried until the spec changes again.
   */
  async function rollBack(
    failed: SpecChanged,
    previous: { change: SpecChanged; attempt: number },
    reason: string,
    why: string,
    cameUp?: RunningSession,
  ): Promise<void> {
    const ref = refOf(failed.uid, failed.generation);
    const back = refOf(previous.change.uid, previous.change.generation);
    const fields = logFields(ref);
    const what =
      `generation ${failed.generation} ${cameUp ? 'came up, but' : 'did not come up'} (${reason}: ${why}); ` +
      `rolling back to generation ${previous.change.generation}`;
    log.warn('rolling back', { ...fields, to: previous.change.generation, error: why });
    const phase = state.beganRollback();
    await event(ref, 'Warning', 'RollingBack', what);
    await report(ref, { phase, reason: 'RollingBack', generation: failed.generation, ready: false, message: what, error: why });
    try {
      if (cameUp) {
        const held = await redeployJobs.carryBefore(cameUp, previous.change.spec, true, redeployJobs.notRestored());
        if (held) throw ApplicationFailure.nonRetryable(held.message, held.reason);
      }
      await step('remove launch Jobs', () => api.removeLaunchJobs({ ref }));
      await step('delete JobManager deployment', () => api.deleteJobManagerDeployment(ref));
      await step('wait for the Flink cluster to go', () => poll.waitForFlinkClusterGone(ref));
      await step('write session files', () => api.applySessionFiles({ ref: back, spec: previous.change.spec }));
      const launch = await step('submit launch Job', () =>
        api.submitLaunchJob({ ref: back, spec: previous.change.spec, launch: { attempt: previous.attempt, tag: launchTag } }),
      );
      state.launched(previous.change);
      const endpoint = await step('wait for JobManager ready', () => poll.waitForJobManagerReady({ ref: back, launchJob: launch.jobName }));
      await step('mark JobManager deployed', () => api.markJobManagerDeployed({ ref: back, spec: previous.change.spec }));
      await step('remove old launch Jobs', () => api.removeLaunchJobs({ ref: back, keep: launch.jobName }));
      const message = `generation ${failed.generation} was rolled back to generation ${previous.change.generation}, which runs again: ${reason}: ${why}`;
      const rolledBack = state.rolledBack(failed, previous, message);
      await event(ref, 'Warning', 'RolledBack', message);
      await report(ref, {
        phase: rolledBack,
        reason: 'RolledBack',
        generation: failed.generation,
        ready: true,
        message: `generation ${previous.change.generation} runs again; Flink REST answers at ${endpoint.restService}`,
        error: `${message}; fix the spec (a new generation is deployed as usual)`,
        jobManager: endpoint,
      });
      const now = { ref: back, spec: previous.change.spec, deploys: state.deploys };
      await redeployJobs.checkRecovered(now);
      await runJobStepsUntilIdle();
      await redeployJobs.reportRestored(now);
    } catch (error: unknown) {
      if (isCancellation(error)) throw error;
      const message = `${what}, and the rollback failed too: ${failureMessage(error)}`;
      log.error('rollback failed', { ...fields, error: message });
      const failedPhase = state.failed(failed, message);
      await event(ref, 'Warning', 'RollbackFailed', message);
      await report(ref, { phase: failedPhase, reason: 'RollbackFailed', generation: failed.generation, ready: false, message, error: message });
    }
  }

  /**
   * Waits for the approve signal of a redeploy (spec.approval manual), with the plan in the status and
   * an Event: the savepoints it would take and the jobs it would restore. False when something newer
   * (a later edit, a delete) came first: the main loop takes that instead.
   */
  async function approved(change: SpecChanged): Promise<boolean> {
    const ref = refOf(change.uid, change.generation);
    if (!state.approvalOf(change)) {
      const listed = await step('list the jobs on Flink', () => flink.listFlinkJobs({ session: { namespace: input.namespace, name: input.name } }));
      const ran = state.deployedSpec(change.uid) ?? change.spec;
      const plan = listed.reachable
        ? planJobCarry({ session: input.name, ran, next: change.spec, running: listed.jobs, managed: jobs.onSession({ ready: true, deploys: state.deploys }) })
        : { carries: [] };
      const savepoints = ran.s3 ? savepointDirectory(ran.s3.bucket, input.name) : undefined;
      const what = plan.blocked
        ? `it would be held: ${plan.blocked}`
        : plan.carries.length === 0
          ? listed.reachable
            ? 'no job runs on the session'
            : 'the jobs on Flink are not known (its REST does not answer)'
          : plan.carries.map((c) => describeCarry(c, savepoints)).join('; ');
      const annotate = `kubectl annotate fls -n ${input.namespace} ${input.name} ${APPROVE_ANNOTATION}=${change.generation} --overwrite`;
      const signal = `temporal workflow signal --workflow-id ${workflow.id} --name approve`;
      const message =
        `generation ${change.generation} waits for approval (spec.approval: manual): ` +
        `flink-session-operator approve ${input.namespace}/${input.name} (or ${annotate}, or ${signal}); the redeploy would carry: ${what}`;
      await event(ref, 'Normal', 'AwaitingApproval', message);
      await report(ref, { phase: state.phase, reason: 'AwaitingApproval', generation: change.generation, ready: state.running, progressing: true, message });
      const decided = () => state.approvalOf(change) !== undefined || state.supersedes(change);
      // The jobs that run are watched meanwhile (runs before only waited).
      if (patched(PATCHES.watchWhileAwaitingApproval)) await jobStep.watchJobsUntil(decided);
      else await condition(decided);
      if (!state.approvalOf(change)) return false;
    }
    const by = state.approvalOf(change)?.by;
    await event(ref, 'Normal', 'Approved', `the redeploy to generation ${change.generation} was approved${by ? ` by ${by}` : ''}`);
    return true;
  }

  /** The job steps a deploy leaves (resubmissions after a redeploy), run now unless a deploy or a delete waits. */
  async function runJobStepsUntilIdle(): Promise<void> {
    for (;;) {
      // The watcher reports the old JobManager Deployment's delete as drift meanwhile: checked here (it is there), then the jobs go on.
      const work = state.next();
      if (work.kind === 'check-drift') {
        await checkDrift(work.change, work.redeploy);
        continue;
      }
      const job = work.kind === 'idle' ? jobWork() : undefined;
      if (!job) return;
      await jobStep.run(job);
    }
  }

  /** A JobManager launched with this configuration serves already: take it over, nothing redeployed. */
  async function adopt(change: SpecChanged, attempt: number, why: string): Promise<void> {
    const ref = refOf(change.uid, change.generation);
    log.info('adopting the running JobManager', { ...logFields(ref), why });
    const endpoint = await step('wait for JobManager ready', () => poll.waitForJobManagerReady({ ref }));
    await step('mark JobManager deployed', () => api.markJobManagerDeployed({ ref, spec: change.spec }));
    state.deployed(change, attempt);
    await event(ref, 'Normal', 'Adopted', `generation ${change.generation} is running: ${why}; nothing was redeployed`);
    await report(ref, {
      phase: state.phase,
      reason: 'JobManagerReady',
      generation: change.generation,
      ready: true,
      message: `adopted the running JobManager; Flink REST answers at ${endpoint.restService}`,
      jobManager: endpoint,
    });
  }

  /** `change` asks for what runs already (state.runsAlready): the running JobManager becomes that generation's. */
  async function keepRunning(change: SpecChanged): Promise<void> {
    const ref = refOf(change.uid, change.generation);
    const running = state.status().deployedGeneration;
    log.info('the spec is the one that runs; nothing redeployed', { ...logFields(ref), running });
    await step('mark JobManager deployed', () => api.markJobManagerDeployed({ ref, spec: change.spec }));
    const phase = state.keptRunning(change);
    const message = `generation ${change.generation} is the spec generation ${running} runs with; the running JobManager is kept, nothing was redeployed`;
    await event(ref, 'Normal', 'SpecUnchanged', message);
    await report(ref, { phase, reason: 'JobManagerReady', generation: change.generation, ready: true, message });
  }

  /**
   * The watcher saw the JobManager Deployment deleted: if it is really gone (not a redeploy's own delete),
   * report it, and redeploy when the policy says so. In application mode Flink itself removes the
   * JobManager when the application ends: that is reported, never relaunched.
   */
  async function checkDrift(change: SpecChanged, redeploy: boolean): Promise<void> {
    const ref = refOf(change.uid, change.generation);
    const exists = await step('check JobManager deployment', () => api.jobManagerExists(ref));
    state.driftChecked();
    if (exists || state.phase !== 'Running') return;
    if (change.spec.applicationConfig) {
      const phase = state.applicationEnded();
      const message =
        `the application's JobManager Deployment ${ref.name} is gone: Flink removes it when the application ends (or someone deleted it); ` +
        'not relaunched — redeploy to run the application again';
      await event(ref, 'Normal', 'ApplicationEnded', message);
      await report(ref, { phase, reason: 'ApplicationEnded', generation: change.generation, ready: false, message });
      return;
    }
    const phase = state.driftReported(redeploy);
    const next = redeploy ? '; redeploying' : '; FSO_DRIFT_POLICY=report, so it stays down until a redeploy';
    const message = `the JobManager Deployment ${ref.name} was deleted outside the operator${next}`;
    await event(ref, 'Warning', 'JobManagerMissing', message);
    await report(ref, { phase, reason: 'JobManagerMissing', generation: change.generation, ready: false, message, error: message });
  }

  /**
   * A redeploy's autoClean of what the deployed generation used. A location the new spec still uses is
   * cleared or the redeploy fails (nothing launches on half-cleared HA data); one it moved away from
   * (say, off a ZooKeeper that is being retired) is bounded by the clean-up deadline, and what could not
   * be removed there is left behind with a Warning, so the redeploy goes on.
   */
  async function clearWhatRan(ref: SessionRef, phase: SessionPhase, ran: FlinkSessionSpec, next: FlinkSessionSpec): Promise<void> {
    const moved = movedAway(ran, next);
    const leftover = (moved.ha || moved.s3) && patched(PATCHES.boundedMovedCleanup) ? await boundedCleanup(ref, phase, 'the redeploy') : untilFailure;
    await clearHaDataAndCheckpoints(ref, ran, { ha: moved.ha ? leftover : untilFailure, s3: moved.s3 ? leftover : untilFailure });
    const leftBehind = state.status().leftBehind ?? [];
    if (leftBehind.length > 0) {
      await event(
        ref,
        'Warning',
        'CleanupIncomplete',
        `the redeploy goes on; what generation ${state.status().deployedGeneration} left where the new spec no longer looks ` +
          `was not removed: ${leftBehind.join('; ')}`,
      );
    }
  }

  /** autoClean (model/auto-clean.ts autoCleanSteps): Flink's HA data, then the HA metadata and checkpoints in S3; savepoints stay. */
  async function clearHaDataAndCheckpoints(ref: SessionRef, spec: FlinkSessionSpec, runStep: { ha: RunCleanupStep; s3: RunCleanupStep }): Promise<void> {
    // Never on another session's behalf: a session that came first to these locations owns what is there.
    const shared = patched(PATCHES.sharedState)
      ? await runStep.ha('check who else uses the HA data', 'the HA data and checkpoints (not checked)', (s) => s.api.stateSharedWith({ ref, spec }))
      : {};
    if (!shared || shared.sharedWith !== undefined) {
      const why = shared?.sharedWith ?? 'could not check which sessions use them';
      if (shared && state.phase === 'Deleting') state.leftBehindByCleanup(`the HA data and checkpoints (not cleared: ${why})`);
      log.warn('HA data and checkpoints not cleared', { ...logFields(ref), why });
      await event(ref, 'Warning', 'HaNotCleared', `the HA data and checkpoints were not cleared: ${why}`);
      return;
    }
    for (const clear of autoCleanSteps(ref, spec)) {
      if (clear.kind === 'zookeeper') {
        const { quorum, root, path } = clear;
        const cleared = await runStep.ha('clear ZooKeeper HA', `the znodes under ${path} on ${quorum}`, (s) =>
          s.cleanup.clearZooKeeperHa({ ref, quorum, ...(root ? { root } : {}) }),
        );
        if (cleared) {
          countZnodesDeleted(cleared.znodes);
          await event(ref, 'Normal', 'HaCleared', `deleted ${cleared.znodes} znodes under ${path}`);
        }
      } else if (clear.kind === 'kubernetes-ha') {
        const cleared = await runStep.ha('clear Kubernetes HA ConfigMaps', `Flink's HA ConfigMaps of ${ref.name}`, (s) => s.api.clearKubernetesHa({ ref }));
        if (cleared) {
          countHaConfigMapsDeleted(cleared.configMaps.length);
          await event(ref, 'Normal', 'HaCleared', `deleted ${cleared.configMaps.length} HA ConfigMaps`);
        }
      } else {
        const { target, prefixes, where } = clear;
        const purged = await runStep.s3('purge S3 prefix', `the objects under ${where}`, (s) => s.cleanup.purgeS3Prefixes({ target, prefixes }));
        if (purged) {
          countS3Purge(purged);
          await event(
            ref,
            'Normal',
            'S3Purged',
            `deleted ${purged.versions} object versions and ${purged.deleteMarkers} delete markers (${purged.bytes} bytes) under ${where}`,
          );
        }
      }
    }
  }

  /** In a redeploy a clean-up step that fails fails the redeploy (nothing launches on half-cleared HA data). */
  async function untilFailure<T>(name: string, _leaves: string, run: (steps: CleanupSteps) => Promise<T>): Promise<T> {
    return step(name, () => run({ api, poll, cleanup }));
  }

  /**
   * A clean-up step bounded by the worker's clean-up deadline (FSO_CLEANUP_DEADLINE_SECONDS, from now):
   * it retries outages until then; one that fails for good, runs out of time, or is skipped by the
   * skip-clean-up annotation of a delete leaves behind what it would have removed (kept in SessionState
   * with the reason), and `goesOn` (the delete, the redeploy) goes on.
   */
  async function boundedCleanup(ref: SessionRef, phase: SessionPhase, goesOn: string): Promise<RunCleanupStep> {
    const { cleanupDeadlineSeconds } = await api.deletePolicy();
    const deadline = Date.now() + cleanupDeadlineSeconds * 1000;
    return async (name, leaves, run) => {
      const remainingMs = deadline - Date.now();
      if (state.skipCleanup || remainingMs <= 0) {
        state.leftBehindByCleanup(`${leaves} (${state.skipCleanup ? 'skipped: annotation' : 'not tried: the clean-up deadline had passed'})`);
        return undefined;
      }
      const within = (options: ActivityOptions) => activities({ ...options, scheduleToCloseTimeout: remainingMs });
      const withinQuick = localSteps ? localActivities({ ...LOCAL_API, scheduleToCloseTimeout: remainingMs }) : within(API);
      try {
        return await cancelledWhen(
          () => state.skipCleanup,
          () => step(name, () => run({ api: withinQuick, poll: within(POLL), cleanup: within(CLEANUP) })),
        );
      } catch (error: unknown) {
        const why = state.skipCleanup && isCancellation(error) ? 'skipped: annotation' : failureMessage(error);
        state.leftBehindByCleanup(`${leaves} (${why})`);
        log.warn('clean-up step left behind', { ...logFields(ref), step: name, error: why });
        await report(ref, {
          phase,
          reason: 'CleanupFailed',
          generation: ref.generation,
          ready: false,
          message: `${name} gave up; ${goesOn} goes on`,
          error: `${name}: ${why}`,
        });
        return undefined;
      }
    };
  }

  /**
   * A delete always ends: its clean-up steps are bounded (boundedCleanup); what they left behind is
   * named in a Warning Event when the finalizer is released.
   */
  async function deleteSession(target: DeleteTarget): Promise<boolean> {
    const ref = refOf(target.uid, target.generation);
    // What is cleaned is what this workflow deployed, or the API server's spec: never a signal's.
    const deployedSpec = state.deployedSpec(target.uid);
    const check: SessionCheckResult = patched(PATCHES.checkSession)
      ? await step('check the FlinkSession', () => api.checkSession({ ref, step: 'delete' }))
      : { trusted: true, ...(target.spec ? { spec: target.spec } : {}) };
    // An object gone from the API server (its finalizer removed by hand) is still cleaned up after when this workflow deployed it.
    if (!check.trusted && !(check.gone === true && deployedSpec)) {
      log.warn('delete signal not acted on: the API server does not confirm it; nothing changed', { ...logFields(ref), why: check.why });
      state.deleteRefused();
      return false;
    }
    const spec = deployedSpec ?? check.spec;
    const phase = state.beganDelete();
    log.info('delete started', logFields(ref));
    await report(ref, { phase, reason: 'Deleting', generation: ref.generation, ready: false, message: 'removing the Flink cluster' });
    await event(ref, 'Normal', 'Deleting', 'removing the JobManager, its pods and the launch Jobs');
    const bounded = await boundedCleanup(ref, phase, 'the delete');

    // The launch Jobs first: a launch pod its Job retries (a client that failed after creating the
    // cluster) would otherwise create the cluster again once its Deployment is gone.
    const launchJobsFirst = patched(PATCHES.launchJobsFirst);
    if (launchJobsFirst) await bounded('remove launch Jobs', `the launch Jobs of ${ref.name}`, (s) => s.api.removeLaunchJobs({ ref }));
    await bounded('delete JobManager deployment', `the JobManager Deployment ${ref.namespace}/${ref.name}`, (s) => s.api.deleteJobManagerDeployment(ref));
    await bounded('wait for the Flink cluster to go', `the pods, Services and ConfigMap of Flink cluster ${ref.name}`, (s) =>
      s.poll.waitForFlinkClusterGone(ref),
    );
    if (spec?.autoClean) await clearHaDataAndCheckpoints(ref, spec, { ha: bounded, s3: bounded });
    if (!launchJobsFirst) await bounded('remove launch Jobs', `the launch Jobs of ${ref.name}`, (s) => s.api.removeLaunchJobs({ ref }));
    const leftBehind = state.status().leftBehind ?? [];
    if (leftBehind.length > 0) {
      await event(ref, 'Warning', 'CleanupIncomplete', `releasing the finalizer with the clean-up incomplete; left behind: ${leftBehind.join('; ')}`);
    } else {
      await event(ref, 'Normal', 'Deleted', 'the Flink cluster is gone; releasing the finalizer');
    }
    await step('release finalizer', () => api.releaseFinalizer(ref));
    log.info('deleted; finalizer released', { ...logFields(ref), leftBehind });
    return true;
  }
}

/** What every log line about a session carries (the SDK adds workflowId, runId and workflowType). */
function logFields(ref: SessionRef) {
  return {
    namespace: ref.namespace,
    name: ref.name,
    generation: ref.generation,
    temporalNamespace: workflowInfo().namespace,
  };
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The Event reason of a failed deploy: the failure's own type (LaunchFailed, ReadinessTimeout, …) when it has one. */
function failureReason(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  return cause instanceof TimeoutFailure ? 'StepTimedOut' : 'DeployFailed';
}
