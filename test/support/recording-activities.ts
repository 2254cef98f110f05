// Test doubles of the operator's OWN activities (activities/index.ts), for workflow-level tests: every
// call is recorded (name and arguments) and answered with a plausible result, or with what a test
// overrides. They stand in for our activities only; Temporal itself is the real test server.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities/index.ts';
import { jobManagerDeploymentName, launchJobName, restServiceName } from '../../model/names.ts';
import { describeProblems, validateSpec } from '../../model/validate.ts';
import { untagged } from './sessions.ts';

export type ActivityName = keyof Activities;

export interface RecordedCall {
  name: ActivityName;
  args: unknown[];
  /** Which workflow run called it (a continue-as-new starts another run of the same workflow). */
  runId: string;
  /** The activity's attempt, from 1: a retried step is recorded once per attempt. */
  attempt: number;
  /** When it started, in real time (Date.now()), to tell skipped time from waited time. */
  at: number;
}

/** What the doubles pretend about the cluster, so that answers stay consistent between steps. */
export interface FakeCluster {
  /** Whether a JobManager Deployment exists: a ready launch creates it, a delete removes it. */
  jobManager: boolean;
  /** The spec the JobManager was marked with once it served (what a new run may adopt). */
  markedSpec?: string;
  /** The jobs that run on the JobManager (submitted, or put here by a test as if run by hand); gone with it. */
  flinkJobs: Array<{ jobId: string; name: string; state: string }>;
  /** The generation whose JobManager serves now (set when one becomes ready). */
  generation?: number;
}

export interface RecordingOptions {
  /** Activities a test answers itself (still recorded), e.g. one that throws. */
  overrides?: Partial<Activities>;
  /** A JobManager the operator did not (yet) deploy, e.g. one left from an earlier run. */
  jobManager?: boolean;
  /** The worker's FSO_CLEANUP_DEADLINE_SECONDS, as deletePolicy answers it (default 900). */
  cleanupDeadlineSeconds?: number;
  /** Generations whose JobManager never serves: waitForJobManagerReady fails for good with ReadinessTimeout. */
  neverReady?: number[];
  /** FlinkSessionJobs that do not run on a generation's JobManager: waitForFlinkJobRunning fails for good with JobFailed, the job left restarting. */
  jobsFailOn?: Array<{ generation: number; job: string }>;
}

type Waiter = { matches: (lines: readonly string[]) => boolean; resolve: () => void };

/** The calls, in the order the activities started, and a way to wait for one. */
export class ActivityRecorder {
  readonly calls: RecordedCall[] = [];
  private readonly waiters: Waiter[] = [];

  record(call: RecordedCall): void {
    this.calls.push(call);
    const lines = this.lines();
    for (const waiter of [...this.waiters]) {
      if (waiter.matches(lines)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** One line per call: the activity's name with the arguments that tell steps apart (see describeCall). */
  lines(): string[] {
    return this.calls.map(describeCall);
  }

  names(): ActivityName[] {
    return this.calls.map((c) => c.name);
  }

  /** Forgets what was recorded so far, so the next assertion covers only what comes after. */
  clear(): void {
    this.calls.length = 0;
  }

  /** Resolves once a recorded line equals `line` (or the predicate holds); rejects after `timeoutMs` with every line so far. */
  waitFor(line: string | ((lines: readonly string[]) => boolean), timeoutMs = 15_000): Promise<void> {
    const matches = typeof line === 'string' ? (lines: readonly string[]) => lines.includes(line) : line;
    if (matches(this.lines())) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const what = typeof line === 'string' ? `"${line}"` : 'the expected calls';
        reject(new Error(`no ${what} within ${timeoutMs} ms; recorded so far:\n  ${this.lines().join('\n  ')}`));
      }, timeoutMs);
      const waiter: Waiter = {
        matches,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }
}

/** A call as one line, e.g. `reportStatus Running/JobManagerReady`, `submitLaunchJob g2 attempt 0`. */
export function describeCall(call: RecordedCall): string {
  const [first] = call.args as [Record<string, unknown> | undefined];
  switch (call.name) {
    case 'reportStatus': {
      const { report } = first as Parameters<Activities['reportStatus']>[0];
      return `reportStatus ${report.phase}/${report.reason}`;
    }
    case 'recordEvent': {
      const { type, reason } = first as Parameters<Activities['recordEvent']>[0];
      return `recordEvent ${type} ${reason}`;
    }
    case 'reportJobStatus': {
      const { job, report } = first as Parameters<Activities['reportJobStatus']>[0];
      return `reportJobStatus ${job.name} ${report.reason}`;
    }
    case 'recordJobEvent': {
      const { job, type, reason } = first as Parameters<Activities['recordJobEvent']>[0];
      return `recordJobEvent ${job.name} ${type} ${reason}`;
    }
    case 'submitFlinkJob': {
      const { job } = first as unknown as Parameters<Activities['submitFlinkJob']>[0];
      return `submitFlinkJob ${job.name} g${job.generation}`;
    }
    case 'stopFlinkJob': {
      const { savepointDirectory, fromCheckpoint } = first as unknown as Parameters<Activities['stopFlinkJob']>[0];
      return `stopFlinkJob ${savepointDirectory ? 'savepoint' : fromCheckpoint ? 'checkpoint' : 'cancel'}`;
    }
    case 'reportSessionJobs': {
      const { jobs } = first as unknown as Parameters<Activities['reportSessionJobs']>[0];
      return `reportSessionJobs ${jobs.running}/${jobs.declared}`;
    }
    case 'watchFlinkJobs': {
      const { jobs } = first as unknown as Parameters<Activities['watchFlinkJobs']>[0];
      return `watchFlinkJobs ${jobs.map((j) => j.name).join(',')}`;
    }
    case 'submitLaunchJob': {
      const { ref, launch } = first as Parameters<Activities['submitLaunchJob']>[0];
      return `submitLaunchJob g${ref.generation} attempt ${launch.attempt}`;
    }
    case 'removeLaunchJobs': {
      const { keep } = first as Parameters<Activities['removeLaunchJobs']>[0];
      return keep ? `removeLaunchJobs keep ${untagged(keep)}` : 'removeLaunchJobs all';
    }
    default:
      return call.name;
  }
}

/** Plausible answers, consistent with `cluster`; `validateSessionSpec` runs the real (pure) validation. */
function plausibleActivities(cluster: FakeCluster, options: RecordingOptions): Activities {
  return {
    deletePolicy: async () => ({ cleanupDeadlineSeconds: options.cleanupDeadlineSeconds ?? 900 }),
    checkSession: async () => ({ trusted: true }),
    stateSharedWith: async () => ({}),
    validateSessionSpec: async ({ spec }) => {
      const problems = validateSpec(spec);
      return { problems, message: describeProblems(problems) };
    },
    inspectJobManager: async ({ spec }) =>
      cluster.jobManager
        ? {
            exists: true,
            adoptable: cluster.markedSpec === JSON.stringify(spec),
            why: cluster.markedSpec === JSON.stringify(spec) ? 'same fingerprint' : 'another fingerprint',
          }
        : { exists: false },
    markJobManagerDeployed: async ({ spec }) => {
      cluster.markedSpec = JSON.stringify(spec);
      return { fingerprint: 'f' };
    },
    applySessionFiles: async () => undefined,
    submitLaunchJob: async ({ ref, launch }) => ({ jobName: launchJobName(ref.name, ref.generation, launch.attempt, launch.tag), created: true }),
    removeLaunchJobs: async () => ({ removed: [] }),
    jobManagerExists: async () => cluster.jobManager,
    deleteJobManagerDeployment: async () => {
      const deleted = cluster.jobManager;
      cluster.jobManager = false;
      cluster.flinkJobs = [];
      cluster.markedSpec = undefined;
      return { deleted };
    },
    waitForFlinkClusterGone: async () => ({ waitedMs: 0 }),
    listFlinkCluster: async (ref) => (cluster.jobManager ? [`Deployment/${jobManagerDeploymentName(ref.name)}`] : []),
    waitForJobManagerReady: async ({ ref }) => {
      if (options.neverReady?.includes(ref.generation)) {
        throw ApplicationFailure.nonRetryable(`the JobManager of generation ${ref.generation} did not become ready in time`, 'ReadinessTimeout');
      }
      cluster.jobManager = true;
      cluster.generation = ref.generation;
      return { deployment: jobManagerDeploymentName(ref.name), restService: restServiceName(ref.name) };
    },
    clearKubernetesHa: async () => ({ configMaps: [] }),
    reportStatus: async () => ({ patched: true }),
    recordEvent: async () => ({ recorded: true }),
    releaseFinalizer: async () => ({ released: true }),
    ensureBucket: async () => ({ created: false }),
    purgeS3Prefixes: async () => ({ objects: 0, versions: 0, deleteMarkers: 0, bytes: 0 }),
    clearZooKeeperHa: async () => ({ znodes: 0 }),
    checkSessionJob: async () => ({ trusted: true }),
    submitFlinkJob: async ({ job }) => {
      const jobId = `${job.name}-g${job.generation}`.padEnd(32, '0').slice(0, 32);
      const duplicate = cluster.flinkJobs.some((j) => j.jobId === jobId);
      if (!duplicate) cluster.flinkJobs.push({ jobId, name: job.name, state: 'RUNNING' });
      return { jobId, duplicate };
    },
    waitForFlinkJobRunning: async ({ jobId }) => {
      const job = cluster.flinkJobs.find((j) => j.jobId === jobId);
      if (job && options.jobsFailOn?.some((f) => f.generation === cluster.generation && f.job === job.name)) {
        job.state = 'RESTARTING';
        throw ApplicationFailure.create({
          message:
            `the job ${jobId} ended FAILED instead of running; ` +
            `Flink's root cause: java.lang.IllegalStateException: generation ${cluster.generation} cannot run it`,
          type: 'JobFailed',
          nonRetryable: true,
        });
      }
      return { state: 'RUNNING' };
    },
    stopFlinkJob: async ({ savepointDirectory, fromCheckpoint, jobId }) => {
      cluster.flinkJobs = cluster.flinkJobs.filter((j) => j.jobId !== jobId);
      return savepointDirectory
        ? { state: 'FINISHED', savepoint: { path: `${savepointDirectory}savepoint-1` } }
        : { state: 'CANCELED', ...(fromCheckpoint ? { checkpoint: { path: `s3://state/checkpoints/${jobId}/chk-7` } } : {}) };
    },
    listFlinkJobs: async () =>
      cluster.jobManager ? { reachable: true, jobs: cluster.flinkJobs.map((j) => ({ ...j })) } : { reachable: false, jobs: [], why: 'connect ECONNREFUSED' },
    latestFlinkCheckpoint: async ({ jobId }) => ({ completed: 7, latest: { path: `s3://state/checkpoints/${jobId}/chk-7` } }),
    reportCarriedJobs: async () => ({ patched: true }),
    watchFlinkJobs: watchUntilCancelled,
    reportJobStatus: async () => ({ patched: true }),
    reportSessionJobs: async () => ({ patched: true }),
    recordJobEvent: async () => ({ recorded: true }),
    releaseJobFinalizer: async () => ({ released: true }),
  };
}

/** Nothing ends by itself here: the watch of running jobs lasts until the workflow cancels it (it has a step to run). */
export async function watchUntilCancelled(): Promise<never> {
  const context = Context.current();
  for (;;) {
    context.heartbeat();
    await context.sleep(200);
  }
}

export interface RecordingActivities {
  activities: Activities;
  recorder: ActivityRecorder;
  cluster: FakeCluster;
}

export function recordingActivities(options: RecordingOptions = {}): RecordingActivities {
  const cluster: FakeCluster = { jobManager: options.jobManager ?? false, flinkJobs: [] };
  const recorder = new ActivityRecorder();
  const answers: Activities = { ...plausibleActivities(cluster, options), ...options.overrides };
  const recorded = Object.fromEntries(
    (Object.keys(answers) as ActivityName[]).map((name) => {
      const answer = answers[name] as (...args: unknown[]) => Promise<unknown>;
      const wrapped = async (...args: unknown[]): Promise<unknown> => {
        const { workflowExecution, attempt } = Context.current().info;
        recorder.record({ name, args, runId: workflowExecution?.runId ?? '', attempt, at: Date.now() });
        return answer(...args);
      };
      return [name, wrapped];
    }),
  ) as unknown as Activities;
  return { activities: recorded, recorder, cluster };
}
