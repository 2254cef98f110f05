// Workflow tests on Temporal's time-skipping test server: the real server (the Java SDK's TestServer,
// fetched by scripts/provision.sh and started by @temporalio/testing), workflows/ bundled once per test
// file, and per test a worker on its own task queue with activities that record their calls.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { HEARTBEAT_THROTTLE } from '../../worker/heartbeats.ts';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FlinkSession, FlinkSessionSpec } from '../../model/flinksession.ts';
import type { FlinkSessionJob, FlinkSessionJobSpec } from '../../model/flinksessionjob.ts';
import { FLINKSESSION_API_VERSION, FLINKSESSION_KIND, FLINKSESSIONJOB_API_VERSION, FLINKSESSIONJOB_KIND, REDEPLOY_ANNOTATION } from '../../model/names.ts';
import { resolveTemporalTestServer } from '../../stack/binaries.ts';
import { signalDelete, signalJobChanged, signalJobDeleted, signalSpecChanged } from '../../watcher/signals.ts';
import { addSearchAttributesRequest } from '../../worker/search-attributes.ts';
import { jobManagerMissingSignal, redeploySignal, statusQuery, workflowId, type SessionWorkflowStatus } from '../../workflows/contract.ts';
import { recordingActivities, type RecordingActivities, type RecordingOptions } from './recording-activities.ts';

// @temporalio/proto is CommonJS: its namespaces come through the default export under Node's ESM.
const { EventType } = proto.temporal.api.enums.v1;

export interface WorkflowTestEnv {
  env: TestWorkflowEnvironment;
  /**
   * A client that reads whole histories of any size: the test server answers a history in one
   * message, which outgrows the default 4 MiB limit of a client's receive once a test pushes a run
   * toward continue-as-new (the client then retries for ever instead of failing).
   */
  historyClient: Client;
  /** A FlinkSession's workflow under test, with its own worker and recording activities. */
  session(options?: SessionOptions): Promise<SessionUnderTest>;
  teardown(): Promise<void>;
}

export interface SessionOptions extends RecordingOptions {
  spec?: FlinkSessionSpec;
}

/** Starts the test server and bundles workflows/ (once per test file: call it in beforeAll). */
export async function startWorkflowTestEnv(): Promise<WorkflowTestEnv> {
  const path = resolveTemporalTestServer(process.env);
  installQuietRuntime();
  const [server, bundle] = await Promise.allSettled([
    startTestServer(path),
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), logger: quietBundlerLogger }),
  ]);
  if (server.status === 'rejected') throw server.reason;
  const env = server.value;
  let historyConnection: Connection | undefined;
  let workflowBundle: WorkflowBundle;
  try {
    if (bundle.status === 'rejected') throw bundle.reason;
    workflowBundle = bundle.value;
    // The test server starts empty, and cannot list search attributes: add them all.
    await env.connection.operatorService.addSearchAttributes(addSearchAttributesRequest(namespaceOf(env)));
    historyConnection = await Connection.connect({ address: env.address, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  } catch (error: unknown) {
    await env.teardown();
    throw error;
  }
  const historyClient = new Client({ connection: historyConnection, namespace: namespaceOf(env) });
  const sessions: SessionUnderTest[] = [];
  return {
    env,
    historyClient,
    async session(options = {}) {
      const session = await startSession(env, workflowBundle, options);
      sessions.push(session);
      return session;
    },
    async teardown() {
      await Promise.allSettled(sessions.map((s) => s.stop()));
      await historyConnection.close();
      await env.teardown();
    },
  };
}

export interface SessionUnderTest extends RecordingActivities {
  name: string;
  namespace: string;
  uid: string;
  taskQueue: string;
  /** The workflow, whichever run is current. */
  handle: WorkflowHandle;
  /** The FlinkSession object at `generation`, as the watcher would see it. */
  object(generation: number, spec?: FlinkSessionSpec, redeployToken?: string): FlinkSession;
  /** What the watcher sends for a new or changed object (signal-with-start). */
  specChanged(generation: number, spec?: FlinkSessionSpec, redeployToken?: string): Promise<void>;
  deleted(generation: number): Promise<void>;
  /** What the watcher sends for a FlinkSessionJob of this session (signal-with-start); its uid is fixed per name. */
  jobChanged(name: string, generation: number, spec?: Partial<FlinkSessionJobSpec>): Promise<void>;
  jobDeleted(name: string, generation: number): Promise<void>;
  jobManagerMissing(redeploy: boolean): Promise<void>;
  redeploy(reason?: string): Promise<void>;
  status(): Promise<SessionWorkflowStatus>;
  /**
   * Waits until a recorded call line equals `line` (or the predicate holds), skipping time meanwhile:
   * the session workflow never ends by itself, so its timers (retry back-offs) pass while a test waits
   * on calls. Like result(), one wait at a time (the server counts time-skipping locks).
   */
  waitFor(line: string | ((lines: readonly string[]) => boolean), timeoutMs?: number): Promise<void>;
  /** Waits until the workflow's run completes (time skipped meanwhile). */
  result(): Promise<void>;
  /** Ends the workflow if it still runs (see endWorkflow), and stops the worker. */
  stop(): Promise<void>;
}

/** How much skipped time one step of a wait lets pass. */
const SKIP_STEP = '250 milliseconds';

/** A small valid spec: no S3, no HA, so a deploy is the bare sequence of steps. */
export const MINIMAL_SPEC: FlinkSessionSpec = {
  image: 'example.invalid/flink:1.20',
  flinkVersion: '1.20',
  sa: 'flink',
  resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
};

async function startSession(env: TestWorkflowEnvironment, workflowBundle: WorkflowBundle, options: SessionOptions): Promise<SessionUnderTest> {
  const suffix = randomUUID().slice(0, 8);
  const namespace = 'workflow-tests';
  const name = `session-${suffix}`;
  const uid = randomUUID();
  const taskQueue = `workflow-tests-${suffix}`;
  const recording = recordingActivities(options);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: namespaceOf(env),
    taskQueue,
    workflowBundle,
    activities: recording.activities,
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
  });
  const running = worker.run();
  const client = env.client;
  const handle = client.workflow.getHandle(workflowId(namespace, name));
  const defaultSpec = options.spec ?? MINIMAL_SPEC;
  // A generation grows only when the spec changes: without a spec of its own, generation N > 1 is an edit of the
  // default one (N task slots), never the spec that runs (which the workflow keeps without a redeploy).
  const specOf = (generation: number): FlinkSessionSpec => (generation > 1 ? { ...defaultSpec, numberOfTaskSlots: generation } : defaultSpec);
  const object = (generation: number, spec = specOf(generation), redeployToken?: string): FlinkSession => ({
    apiVersion: FLINKSESSION_API_VERSION,
    kind: FLINKSESSION_KIND,
    metadata: { namespace, name, uid, generation, ...(redeployToken ? { annotations: { [REDEPLOY_ANNOTATION]: redeployToken } } : {}) },
    spec,
  });
  const jobUids = new Map<string, string>();
  const jobObject = (job: string, generation: number, spec: Partial<FlinkSessionJobSpec> = {}): FlinkSessionJob => {
    if (!jobUids.has(job)) jobUids.set(job, randomUUID());
    return {
      apiVersion: FLINKSESSIONJOB_API_VERSION,
      kind: FLINKSESSIONJOB_KIND,
      metadata: { namespace, name: job, uid: jobUids.get(job)!, generation },
      spec: { session: name, jar: 's3://jobs/job.jar', ...spec },
    };
  };
  let stopped: Promise<void> | undefined;
  return {
    ...recording,
    name,
    namespace,
    uid,
    taskQueue,
    handle,
    object,
    async specChanged(generation, spec, redeployToken) {
      await signalSpecChanged(client, object(generation, spec, redeployToken), taskQueue);
    },
    async deleted(generation) {
      await signalDelete(client, object(generation), taskQueue);
    },
    async jobChanged(job, generation, spec) {
      await signalJobChanged(client, jobObject(job, generation, spec), taskQueue);
    },
    async jobDeleted(job, generation) {
      await signalJobDeleted(
        client,
        { ...jobObject(job, generation), metadata: { ...jobObject(job, generation).metadata, deletionTimestamp: new Date().toISOString() } },
        taskQueue,
      );
    },
    jobManagerMissing: (redeploy) => handle.signal(jobManagerMissingSignal, { deployment: name, redeploy }),
    redeploy: (reason) => handle.signal(redeploySignal, reason ? { reason } : undefined),
    status: () => handle.query(statusQuery),
    async waitFor(line, timeoutMs) {
      // Time is skipped in bounded steps (each a sleep in skipped time that locks again when it ends), not
      // left unlocked for the whole wait: a workflow that went idle on a condition with no timer of its
      // own, while the lock was off, let the server skip to the run's execution timeout (its default, 10
      // years), and the run ended TIMED_OUT (issue 11, item 7: 1 full-file run in 6). A step skips at most
      // SKIP_STEP past the line, as the unlocked wait skipped on until it locked again.
      let waiting = true;
      const found = recording.recorder.waitFor(line, timeoutMs).finally(() => {
        waiting = false;
      });
      while (waiting) await env.sleep(SKIP_STEP);
      await found;
    },
    result: () => client.workflow.result(handle.workflowId),
    stop() {
      stopped ??= (async () => {
        await endWorkflow(handle);
        worker.shutdown();
        await running;
      })();
      return stopped;
    },
  };
}

/**
 * Ends a workflow a test left running: cancelled, so that a workflow task ends it (here, once two runs
 * had been terminated, the test server skipped no more time for any run), and terminated only when
 * that does not end it (a run stuck on a failing workflow task).
 */
async function endWorkflow(handle: WorkflowHandle): Promise<void> {
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return;
    await handle.cancel();
    const ended = await Promise.race([
      handle.result().then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3_000)),
    ]);
    if (!ended) await handle.terminate('the test ended and cancelling did not end it');
  } catch {
    // never started, or ended meanwhile
  }
}

export type RunOutcome =
  { state: 'running' } | { state: 'continued-as-new'; nextRunId: string } | { state: 'task-failed'; error: string } | { state: 'closed'; eventType: string };

/** What became of one run, from its history: still running, continued as new, or stuck on a failed workflow task. */
export async function runOutcome(historyClient: Client, workflowId: string, runId: string): Promise<RunOutcome> {
  return outcomeOf(await historyOf(historyClient, workflowId, runId));
}

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const historyOf = async (historyClient: Client, workflowId: string, runId: string): Promise<HistoryEvent[]> =>
  (await historyClient.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];

function outcomeOf(events: HistoryEvent[]): RunOutcome {
  // A failed workflow task counts only while no later one completed: the server also fails a task
  // that completes with continue-as-new while a new signal came in (cause UNHANDLED_COMMAND), and the
  // worker's retry then goes on.
  let failed: RunOutcome | undefined;
  for (const event of events) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      const attributes = event.workflowTaskFailedEventAttributes;
      const failure = attributes?.failure;
      failed = { state: 'task-failed', error: `${failure?.message ?? `cause ${attributes?.cause ?? 'unknown'}`}\n${failure?.stackTrace ?? ''}`.trim() };
      if (!failure) failed = undefined; // a cause without a failure is the server's, e.g. UNHANDLED_COMMAND
    }
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) failed = undefined;
    const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (continued) return { state: 'continued-as-new', nextRunId: continued };
    if (
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED ||
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED ||
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED ||
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT
    ) {
      return { state: 'closed', eventType: EventType[event.eventType] };
    }
  }
  return failed ?? { state: 'running' };
}

/**
 * Waits until the run `runId` continued as new and returns the new run's id. Fails at once, with the
 * error, when a workflow task of that run failed instead (the worker retries it, and the run never
 * moves on).
 */
export async function waitForContinueAsNew(historyClient: Client, workflowId: string, runId: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await runOutcome(historyClient, workflowId, runId);
    if (outcome.state === 'continued-as-new') return outcome.nextRunId;
    if (outcome.state === 'task-failed') throw new Error(`a workflow task of run ${runId} failed instead of continuing as new: ${outcome.error}`);
    if (outcome.state === 'closed') throw new Error(`run ${runId} ended (${outcome.eventType}) instead of continuing as new`);
    if (Date.now() > deadline) throw new Error(`run ${runId} did not continue as new within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until the run `runId` has handled every event it was sent, i.e. its last workflow task
 * completed (none is scheduled or running), or until it continued as new or closed; returns which.
 * A test that signals a run again only after this never signals it while a workflow task may end it.
 */
export async function waitUntilHandled(historyClient: Client, workflowId: string, runId: string, timeoutMs = 10_000): Promise<RunOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await historyOf(historyClient, workflowId, runId);
    const outcome = outcomeOf(events);
    if (outcome.state !== 'running') return outcome;
    const lastTaskEvent = events.findLast((e) => e.eventType != null && WORKFLOW_TASK_EVENTS.has(e.eventType));
    if (lastTaskEvent?.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return outcome;
    if (Date.now() > deadline) throw new Error(`run ${runId} still had a workflow task to do after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const WORKFLOW_TASK_EVENTS = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);

const namespaceOf = (env: TestWorkflowEnvironment): string => env.namespace ?? 'default';

/**
 * The SDK starts the program as `<path> <port>` and gives it 5 s to answer (then kills it). The JVM
 * is up in 1–2 s here; on a machine busy enough to miss that (two cores shared with Flink's JVMs),
 * another try finds its classes cached: up to four tries.
 */
async function startTestServer(path: string): Promise<TestWorkflowEnvironment> {
  const start = () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error: unknown) {
      if (!(error instanceof Error && /did not start within/.test(error.message)) || attempt === 4) throw error;
      console.warn(`the test server ${path} missed the SDK's start-up probe (try ${attempt} of 4); trying again: ${error.message}`);
    }
  }
}

/**
 * The SDK's warnings and errors, without the lines every test makes on purpose: the workflow's own
 * log (a refused spec, a failed deploy) and worker state changes. Core's own lines only from ERROR
 * (it warns that the test server does not advertise newer server capabilities).
 */
function installQuietRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      if (entry.meta?.sdkComponent === 'workflow') return;
      console.error(`[${entry.level}] ${entry.message}`, entry.meta ?? '');
    }),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'ERROR', other: 'ERROR' } } },
  });
}

/** The bundler reports every module it packs at info level; only its warnings and errors matter here. */
const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};
