// The worker's settings, read once from the environment at start and validated with messages that say
// what to fix. Pure: the entry point hands in process.env.
import { parseFaultPlan, type FaultPlan } from './fault-injection.ts';
import { DEFAULT_LAUNCH_JOB_SETTINGS, type LaunchJobSettings } from '../model/launch-job.ts';
import { ConfigError } from '../config/errors.ts';
import { readObservabilitySettings, type ObservabilitySettings } from '../config/observability.ts';
import { readWatchNamespaces } from '../config/watch-namespaces.ts';
import type { ActivitySettings } from '../activities/index.ts';
import { readTemporalSettings, type Env, type TemporalSettings } from '../config/temporal.ts';

export interface WorkerConfig extends ActivitySettings {
  temporal: TemporalSettings;
  observability: ObservabilitySettings;
  launchJob: LaunchJobSettings;
  /** FSO_SECRET_OPT_IN: read only Secrets labelled readable by the operator. */
  secretOptIn: boolean;
  /** FSO_WORKFLOW_BUNDLE: a workflow bundle built beforehand; unset, the worker bundles workflows/ at start. */
  workflowBundle?: string;
  /** Crash drills (FSO_FAULT_SIGKILL), off when undefined. */
  faultPlan?: FaultPlan;
  slots: WorkerSlots;
}

/** How much a worker runs at once, and how many runs it keeps in memory (Temporal's worker options). */
export interface WorkerSlots {
  /** FSO_MAX_CONCURRENT_ACTIVITIES: the waits, the clean-ups and the Flink REST steps. */
  activities: number;
  /** FSO_MAX_CONCURRENT_LOCAL_ACTIVITIES: the quick API steps. */
  localActivities: number;
  /** FSO_MAX_CONCURRENT_WORKFLOW_TASKS. */
  workflowTasks: number;
  /** FSO_MAX_CACHED_WORKFLOWS: the sticky cache; undefined, the SDK's default by heap size. */
  cachedWorkflows?: number;
}

/** Temporal's own defaults, kept when the settings are not given. */
export const DEFAULT_WORKER_SLOTS: WorkerSlots = { activities: 100, localActivities: 100, workflowTasks: 40 };

export { ConfigError };

function positiveInt(env: Env, key: string, fallback: number, problems: string[]): number {
  const text = env[key];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    problems.push(`${key} must be a positive whole number (got "${text}")`);
    return fallback;
  }
  return value;
}

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function flag(env: Env, key: string, problems: string[]): boolean {
  const text = env[key]?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  problems.push(`${key} must be true or false (got "${text}")`);
  return false;
}

export function readWorkerConfig(env: Env): WorkerConfig {
  const problems: string[] = [];
  const temporal = readTemporalSettings(env, problems);
  const exposed = env.FSO_REST_EXPOSED_TYPE ?? DEFAULT_LAUNCH_JOB_SETTINGS.restExposedType;
  if (exposed !== 'ClusterIP' && exposed !== 'NodePort' && exposed !== 'LoadBalancer') {
    problems.push(`FSO_REST_EXPOSED_TYPE must be ClusterIP, NodePort or LoadBalancer (got "${exposed}")`);
  }
  const restUrlTemplate = env.FSO_REST_URL_TEMPLATE;
  if (restUrlTemplate && !/^https?:\/\//.test(restUrlTemplate))
    problems.push(
      `FSO_REST_URL_TEMPLATE must be an http(s) URL with {namespace} and {name}, e.g. http://{name}-rest.{namespace}:8081 (got "${restUrlTemplate}")`,
    );
  const workflowBundle = env.FSO_WORKFLOW_BUNDLE?.trim() || undefined;
  let faultPlan: FaultPlan | undefined;
  try {
    faultPlan = parseFaultPlan(env.FSO_FAULT_SIGKILL);
  } catch (error: unknown) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const slots = readWorkerSlots(env, problems);
  const config: WorkerConfig = {
    temporal,
    observability: readObservabilitySettings(env, problems),
    readinessDeadlineSeconds: positiveInt(env, 'FSO_READINESS_DEADLINE_SECONDS', 600, problems),
    clusterGoneDeadlineSeconds: positiveInt(env, 'FSO_CLUSTER_GONE_DEADLINE_SECONDS', 600, problems),
    cleanupDeadlineSeconds: positiveInt(env, 'FSO_CLEANUP_DEADLINE_SECONDS', 900, problems),
    pollIntervalMs: positiveInt(env, 'FSO_POLL_INTERVAL_MS', 1000, problems),
    jarMaxBytes: positiveInt(env, 'FSO_JAR_MAX_BYTES', 512 * 1024 * 1024, problems),
    jobDeadlineSeconds: positiveInt(env, 'FSO_JOB_DEADLINE_SECONDS', 600, problems),
    jobWatchSeconds: positiveInt(env, 'FSO_JOB_WATCH_SECONDS', 10, problems),
    ...(restUrlTemplate ? { restUrlTemplate } : {}),
    watchedNamespaces: readWatchNamespaces(env, problems),
    policy: {
      allowedServiceAccounts: list(env.FSO_ALLOWED_SERVICE_ACCOUNTS),
      allowedImages: list(env.FSO_ALLOWED_IMAGES),
      allowHostPath: flag(env, 'FSO_ALLOW_HOST_PATH', problems),
    },
    secretOptIn: flag(env, 'FSO_SECRET_OPT_IN', problems),
    launchJob: { ...DEFAULT_LAUNCH_JOB_SETTINGS, restExposedType: exposed as LaunchJobSettings['restExposedType'] },
    ...(workflowBundle ? { workflowBundle } : {}),
    ...(faultPlan ? { faultPlan } : {}),
    slots,
  };
  if (problems.length > 0) throw new ConfigError(problems, 'worker configuration');
  return config;
}

function readWorkerSlots(env: Env, problems: string[]): WorkerSlots {
  const cached = env.FSO_MAX_CACHED_WORKFLOWS ? positiveInt(env, 'FSO_MAX_CACHED_WORKFLOWS', 0, problems) : undefined;
  const slots: WorkerSlots = {
    activities: positiveInt(env, 'FSO_MAX_CONCURRENT_ACTIVITIES', DEFAULT_WORKER_SLOTS.activities, problems),
    localActivities: positiveInt(env, 'FSO_MAX_CONCURRENT_LOCAL_ACTIVITIES', DEFAULT_WORKER_SLOTS.localActivities, problems),
    workflowTasks: positiveInt(env, 'FSO_MAX_CONCURRENT_WORKFLOW_TASKS', DEFAULT_WORKER_SLOTS.workflowTasks, problems),
    ...(cached ? { cachedWorkflows: cached } : {}),
  };
  // A workflow task runs a cached run: Temporal would lower the tasks to the cache's size with a warning only.
  if (slots.cachedWorkflows !== undefined && slots.workflowTasks > slots.cachedWorkflows) {
    problems.push(
      `FSO_MAX_CONCURRENT_WORKFLOW_TASKS (${slots.workflowTasks}) must not exceed FSO_MAX_CACHED_WORKFLOWS (${slots.cachedWorkflows}): ` +
        'raise the cache or lower the tasks',
    );
  }
  if (slots.cachedWorkflows === 1) problems.push('FSO_MAX_CACHED_WORKFLOWS must be at least 2 (Temporal keeps 2 at the least)');
  return slots;
}
