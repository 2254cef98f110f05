// One long-lived workflow per FlinkSession (id flinksession/<namespace>/<name>). Signal handlers only
// record into SessionState; this loop does the work, one step (activity) at a time, so every step is
// visible in the Temporal UI and a crash of any component resumes at the step it was in.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import { autoCleanS3Prefixes, sessionS3Target } from '../model/auto-clean.ts';
import type { StatusReport } from '../model/status.ts';
import {
  deleteSignal,
  jobManagerMissingSignal,
  redeploySignal,
  SEARCH_ATTRIBUTES,
  specChangedSignal,
  statusQuery,
  type SessionWorkflowInput,
  type SpecChanged,
} from './contract.ts';
import { countDeploy, countHaConfigMapsDeleted, countS3Purge, countZnodesDeleted, type DeployKind } from './metrics.ts';
import { SessionState } from './session-state.ts';

const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;
/** Named timeout profiles: quick API calls, polls that heartbeat, and long clean-ups. */
const api = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: RETRY });
const poll = proxyActivities<Activities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '30 seconds', retry: RETRY });
const cleanup = proxyActivities<Activities>({ startToCloseTimeout: '2 hours', heartbeatTimeout: '30 seconds', retry: RETRY });


export async function flinkSessionWorkflow(input: SessionWorkflowInput): Promise<void> {
  const state = new SessionState(input.namespace, input.name, input.carried);
  setHandler(specChangedSignal, (change) => state.onSpecChanged(change));
  setHandler(redeploySignal, (request) => state.onRedeploy(request));
  setHandler(deleteSignal, (request) => state.onDelete(request));
  setHandler(jobManagerMissingSignal, (report) => state.onJobManagerMissing(report));
  setHandler(statusQuery, () => state.status());
  const workflow = { id: workflowInfo().workflowId, runId: workflowInfo().runId };

  const refOf = (uid: string, generation: number): SessionRef => ({ namespace: input.namespace, name: input.name, uid, generation });
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    state.step = name;
    try {
      return await run();
    } finally {
      state.step = undefined;
    }
  };
  const report = (ref: SessionRef, r: StatusReport) => api.reportStatus({ ref, report: r, workflow });
  const event = (ref: SessionRef, type: 'Normal' | 'Warning', reason: string, message: string) => api.recordEvent({ ref, type, reason, message });

  for (;;) {
    await condition(() => state.hasWork() || workflowInfo().continueAsNewSuggested);
    const work = state.next();
    if (work.kind === 'idle') {
      await continueAsNew<typeof flinkSessionWorkflow>({ namespace: input.namespace, name: input.name, carried: state.snapshot });
      return;
    }
    if (work.kind === 'delete') {
      await deleteSession(refOf(work.uid, 0), work.spec);
      // An object re-created (new uid) during the delete starts clean in a new run.
      const carried = state.afterDelete();
      if (carried) await continueAsNew<typeof flinkSessionWorkflow>({ namespace: input.namespace, name: input.name, carried });
      return;
    }
    if (work.kind === 'check-drift') {
      await checkDrift(work.change, work.redeploy);
      continue;
    }
    await deploy(work.change, work.reasons, work.attempt);
  }

  async function deploy(change: SpecChanged, reasons: string[], attempt: number): Promise<void> {
    const ref = refOf(change.uid, change.generation);
    const spec = change.spec;
    const startedAt = Date.now();
    const fields = logFields(ref);
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.generation, value: change.generation }]);

    // 1. Validate the new spec before anything is touched: a bad edit never takes a session down.
    const validation = await step('validate spec', () => api.validateSessionSpec(spec));
    if (validation.problems.length > 0) {
      log.warn('spec refused; nothing changed', { ...fields, problems: validation.message });
      countDeploy(state.running ? 'redeploy' : 'deploy', 'refused', startedAt);
      state.refused(change, validation.message);
      const running = state.running;
      state.phase = running ? 'Running' : 'Failed';
      // The event first, then the status people wait on, so whoever sees the status also finds the event.
      await event(ref, 'Warning', 'InvalidSpec', `generation ${change.generation} refused, nothing was changed: ${validation.message}`);
      await report(ref, {
        phase: running ? 'Running' : 'Failed', reason: 'InvalidSpec', generation: change.generation, ready: running,
        message: running ? `generation ${change.generation} was refused; the running JobManager is kept` : 'the spec was refused',
        error: `fix the spec: ${validation.message}`,
      });
      return;
    }

    const redeploying = state.running || (await api.jobManagerExists(ref));
    state.phase = redeploying ? 'Redeploying' : 'Deploying';
    const kind: DeployKind = redeploying ? 'redeploy' : 'deploy';
    const why = reasons.join('; ');
    log.info(`${kind} started`, { ...fields, reasons: why });
    await report(ref, { phase: state.phase, reason: state.phase, generation: change.generation, ready: false, message: why });
    await event(ref, 'Normal', state.phase, `${state.phase.toLowerCase()} generation ${change.generation}: ${why}`);
    try {
      // 2. What the launch needs: the operator's files (config, pod templates, inline secrets moved into
      //    a Secret, which the bucket check may need), and the bucket.
      await step('write session files', () => api.applySessionFiles({ ref, spec }));
      if (spec.s3) await step('ensure bucket', () => api.ensureBucket(s3Target(ref, spec)));

      // 3. Take the old cluster down, and with autoClean clear its HA data and state.
      if (redeploying) {
        await step('delete JobManager deployment', () => api.deleteJobManagerDeployment(ref));
        await step('wait for the Flink cluster to go', () => poll.waitForFlinkClusterGone(ref));
        await event(ref, 'Normal', 'JobManagerDeleted', 'the JobManager Deployment, its pods, Services and ConfigMap are gone');
        if (spec.autoClean) await clearHaData(ref, spec);
      }

      // 4. Launch, and wait until Flink serves.
      const launch = await step('submit launch Job', () => api.submitLaunchJob({ ref, spec, attempt }));
      state.launched(change);
      await event(ref, 'Normal', 'Launched', `launch Job ${launch.jobName} submitted`);
      await report(ref, { phase: state.phase, reason: 'WaitingForJobManager', generation: change.generation, ready: false, message: `launch Job ${launch.jobName} runs kubernetes-session.sh` });
      const endpoint = await step('wait for JobManager ready', () => poll.waitForJobManagerReady({ ref, launchJob: launch.jobName }));
      await step('remove old launch Jobs', () => api.removeLaunchJobs({ ref, keep: launch.jobName }));

      state.deployed(change, attempt);
      state.phase = 'Running';
      countDeploy(kind, 'ready', startedAt);
      log.info(`${kind} ready`, { ...fields, seconds: (Date.now() - startedAt) / 1000, launchJob: launch.jobName });
      await event(ref, 'Normal', 'Ready', `generation ${change.generation} is running`);
      await report(ref, { phase: 'Running', reason: 'JobManagerReady', generation: change.generation, ready: true, message: `Flink REST answers at ${endpoint.restService}`, jobManager: endpoint });
    } catch (error: unknown) {
      const message = failureMessage(error);
      countDeploy(kind, 'failed', startedAt);
      log.error(`${kind} failed`, { ...fields, error: message });
      state.refused(change, message);
      state.phase = 'Failed';
      await event(ref, 'Warning', failureReason(error), message);
      await report(ref, { phase: 'Failed', reason: failureReason(error), generation: change.generation, ready: false, message, error: message });
    }
  }

  /** The watcher saw the JobManager Deployment deleted: if it is really gone (not a redeploy's own delete), report it, and redeploy when the policy says so. */
  async function checkDrift(change: SpecChanged, redeploy: boolean): Promise<void> {
    const ref = refOf(change.uid, change.generation);
    const exists = await step('check JobManager deployment', () => api.jobManagerExists(ref));
    state.driftChecked();
    if (exists || state.phase !== 'Running') return;
    const message = `the JobManager Deployment ${ref.name} was deleted outside the operator${redeploy ? '; redeploying' : '; FSO_DRIFT_POLICY=report, so it stays down until a redeploy'}`;
    await event(ref, 'Warning', 'JobManagerMissing', message);
    await report(ref, { phase: redeploy ? 'Running' : 'Failed', reason: 'JobManagerMissing', generation: change.generation, ready: false, message, error: message });
    if (redeploy) state.forceRedeploy('the JobManager Deployment was deleted outside the operator');
  }

  async function clearHaData(ref: SessionRef, spec: FlinkSessionSpec): Promise<void> {
    if (spec.ha?.type === 'zookeeper' && spec.ha.quorum) {
      const { znodes } = await step('clear ZooKeeper HA', () => cleanup.clearZooKeeperHa({ quorum: spec.ha!.quorum!, root: spec.ha!.path, clusterId: ref.name }));
      countZnodesDeleted(znodes);
      await event(ref, 'Normal', 'HaCleared', `deleted ${znodes} znodes under ${spec.ha.path ?? '/flink'}/${ref.name}`);
    } else if (spec.ha?.type === 'kubernetes') {
      const { configMaps } = await step('clear Kubernetes HA ConfigMaps', () => api.clearKubernetesHa({ ref }));
      countHaConfigMapsDeleted(configMaps.length);
      await event(ref, 'Normal', 'HaCleared', `deleted ${configMaps.length} HA ConfigMaps`);
    }
    if (spec.s3) {
      const prefixes = autoCleanS3Prefixes(ref.name);
      const purged = await step('purge S3 prefix', () => cleanup.purgeS3Prefixes({ target: s3Target(ref, spec), prefixes }));
      countS3Purge(purged);
      await event(ref, 'Normal', 'S3Purged', `deleted ${purged.versions} object versions and ${purged.deleteMarkers} delete markers (${purged.bytes} bytes) under s3://${spec.s3.bucket}/${prefixes.join(', ')}`);
    }
  }

  async function deleteSession(ref: SessionRef, spec: FlinkSessionSpec | undefined): Promise<void> {
    state.phase = 'Deleting';
    log.info('delete started', logFields(ref));
    await report(ref, { phase: 'Deleting', reason: 'Deleting', generation: ref.generation, ready: false, message: 'removing the Flink cluster' });
    await event(ref, 'Normal', 'Deleting', 'removing the JobManager, its pods and the launch Jobs');
    await step('delete JobManager deployment', () => api.deleteJobManagerDeployment(ref));
    await step('wait for the Flink cluster to go', () => poll.waitForFlinkClusterGone(ref));
    if (spec?.autoClean) await clearHaData(ref, spec);
    await step('remove launch Jobs', () => api.removeLaunchJobs({ ref }));
    await event(ref, 'Normal', 'Deleted', 'the Flink cluster is gone; releasing the finalizer');
    await step('release finalizer', () => api.releaseFinalizer(ref));
    log.info('deleted; finalizer released', logFields(ref));
  }
}

/** What every log line about a session carries (the SDK adds workflowId, runId and workflowType). */
function logFields(ref: SessionRef) {
  // A delete knows no generation (0): left out rather than logged as 0.
  return { namespace: ref.namespace, name: ref.name, ...(ref.generation > 0 ? { generation: ref.generation } : {}), temporalNamespace: workflowInfo().namespace };
}

function s3Target(ref: SessionRef, spec: FlinkSessionSpec) {
  return sessionS3Target(ref, spec.s3!);
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function failureReason(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type ? cause.type : 'LaunchFailed';
}
