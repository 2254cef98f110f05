// Every setting of the operator, once: its environment variable, its command-line flag, who reads it,
// its default and what it does. The CLI builds its flags from this list, a flag given on the command
// line overrides the variable, and a test checks the README's configuration table against it.
// The readers that validate the values are config/temporal.ts, config/observability.ts,
// watcher/config.ts and worker/config.ts.
import type { Env } from './temporal.ts';

export type SettingRole = 'watcher' | 'worker' | 'client';

export interface Setting {
  env: string;
  /** Flag name without the leading dashes; none for secrets (they stay out of `ps`). */
  flag?: string;
  /** Placeholder of the flag's value in --help. */
  value: string;
  roles: readonly SettingRole[];
  default: string;
  description: string;
}

const ALL = ['watcher', 'worker', 'client'] as const;

export const SETTINGS: readonly Setting[] = [
  { env: 'TEMPORAL_ADDRESS', flag: 'temporal-address', value: 'host:port', roles: ALL, default: '127.0.0.1:7233', description: 'Temporal frontend' },
  { env: 'TEMPORAL_NAMESPACE', flag: 'temporal-namespace', value: 'name', roles: ALL, default: 'default', description: 'Temporal namespace' },
  {
    env: 'TEMPORAL_TASK_QUEUE',
    flag: 'task-queue',
    value: 'name',
    roles: ['watcher', 'worker'],
    default: 'flink-session-operator',
    description: 'task queue of the session workflows',
  },
  {
    env: 'TEMPORAL_TLS',
    flag: 'temporal-tls',
    value: 'true|false',
    roles: ALL,
    default: 'false',
    description: 'TLS with the system roots (implied by the TLS files and the API key)',
  },
  {
    env: 'TEMPORAL_TLS_CERT',
    flag: 'temporal-tls-cert',
    value: 'file',
    roles: ALL,
    default: 'none',
    description: 'mTLS client certificate (PEM); goes with TEMPORAL_TLS_KEY',
  },
  { env: 'TEMPORAL_TLS_KEY', flag: 'temporal-tls-key', value: 'file', roles: ALL, default: 'none', description: 'mTLS client key (PEM)' },
  {
    env: 'TEMPORAL_TLS_CA',
    flag: 'temporal-tls-ca',
    value: 'file',
    roles: ALL,
    default: 'system roots',
    description: 'CA certificate (PEM) of the Temporal server',
  },
  { env: 'TEMPORAL_API_KEY', value: 'key', roles: ALL, default: 'none', description: 'API key, e.g. for Temporal Cloud (implies TLS); environment only' },
  {
    env: 'TEMPORAL_UI_URL',
    flag: 'temporal-ui-url',
    value: 'url',
    roles: ['worker', 'client'],
    default: 'none',
    description: 'Temporal Web UI base URL, for the workflow links in status and CLI output',
  },
  {
    env: 'KUBECONFIG',
    flag: 'kubeconfig',
    value: 'file',
    roles: ALL,
    default: "~/.kube/config or the pod's service account",
    description: 'the Kubernetes cluster',
  },
  {
    env: 'FSO_WATCH_NAMESPACES',
    flag: 'watch-namespaces',
    value: 'ns,ns',
    roles: ['watcher', 'worker'],
    default: 'all',
    description: 'comma-separated namespaces to watch; the worker acts in no other namespace, whatever a signal names',
  },
  {
    env: 'FSO_RELIST_SECONDS',
    flag: 'relist-seconds',
    value: 'seconds',
    roles: ['watcher'],
    default: '300',
    description: 'full relist period of the FlinkSession and JobManager Deployment informers (at least 10)',
  },
  {
    env: 'FSO_SIGNAL_CONCURRENCY',
    flag: 'signal-concurrency',
    value: 'n',
    roles: ['watcher'],
    default: '32',
    description: 'FlinkSessions the watcher handles (finalizer, signal) at once (1 to 1000)',
  },
  {
    env: 'FSO_DRIFT_POLICY',
    flag: 'drift-policy',
    value: 'redeploy|report',
    roles: ['watcher'],
    default: 'redeploy',
    description: 'what a JobManager Deployment deleted outside the operator leads to',
  },
  {
    env: 'FSO_READINESS_DEADLINE_SECONDS',
    flag: 'readiness-deadline-seconds',
    value: 'seconds',
    roles: ['worker'],
    default: '600',
    description: "how long a launch may take until Flink's REST answers",
  },
  {
    env: 'FSO_CLUSTER_GONE_DEADLINE_SECONDS',
    flag: 'cluster-gone-deadline-seconds',
    value: 'seconds',
    roles: ['worker'],
    default: '600',
    description: 'how long the pods of a deleted JobManager may take to go before the step fails (pods stuck Terminating)',
  },
  {
    env: 'FSO_CLEANUP_DEADLINE_SECONDS',
    flag: 'cleanup-deadline-seconds',
    value: 'seconds',
    roles: ['worker'],
    default: '900',
    description:
      'how long a delete retries its clean-up before it releases the finalizer and reports what was left behind ' +
      '(also: how long a redeploy retries clearing a location the new spec moved away from)',
  },
  { env: 'FSO_POLL_INTERVAL_MS', flag: 'poll-interval-ms', value: 'ms', roles: ['worker'], default: '1000', description: 'polling period of the waits' },
  {
    env: 'FSO_REST_URL_TEMPLATE',
    flag: 'rest-url-template',
    value: 'url',
    roles: ['worker'],
    default: 'API server service proxy',
    description: "direct URL of Flink's REST with {namespace} and {name}, e.g. http://{name}-rest.{namespace}:8081",
  },
  {
    env: 'FSO_WORKFLOW_BUNDLE',
    flag: 'workflow-bundle',
    value: 'file',
    roles: ['worker'],
    default: 'bundled at start',
    description:
      'a workflow bundle built beforehand from this same version (`npm run build:workflow-bundle -- <file>`): ' +
      'the worker starts without bundling workflows/ (2–5 s of CPU)',
  },
  {
    env: 'FSO_JAR_MAX_BYTES',
    flag: 'jar-max-bytes',
    value: 'bytes',
    roles: ['worker'],
    default: '536870912',
    description: "longest FlinkSessionJob jar the worker streams to Flink's REST (refused while streaming beyond it)",
  },
  {
    env: 'FSO_JOB_DEADLINE_SECONDS',
    flag: 'job-deadline-seconds',
    value: 'seconds',
    roles: ['worker'],
    default: '600',
    description: 'how long a FlinkSessionJob may take to run after its submission, or to stop (its savepoint included)',
  },
  {
    env: 'FSO_JOB_WATCH_SECONDS',
    flag: 'job-watch-seconds',
    value: 'seconds',
    roles: ['worker'],
    default: '10',
    description: "how often the worker asks a session's REST about its running FlinkSessionJobs (a job Flink fails later is reported within this)",
  },
  {
    env: 'FSO_MAX_CONCURRENT_ACTIVITIES',
    flag: 'max-concurrent-activities',
    value: 'n',
    roles: ['worker'],
    default: '100',
    description: 'activities a worker runs at once: the waits (one per session launching or going), the clean-ups and the Flink REST steps',
  },
  {
    env: 'FSO_MAX_CONCURRENT_LOCAL_ACTIVITIES',
    flag: 'max-concurrent-local-activities',
    value: 'n',
    roles: ['worker'],
    default: '100',
    description: 'quick API steps (local activities: checks, status, Events, the launch Job) a worker runs at once',
  },
  {
    env: 'FSO_MAX_CONCURRENT_WORKFLOW_TASKS',
    flag: 'max-concurrent-workflow-tasks',
    value: 'n',
    roles: ['worker'],
    default: '40',
    description: 'workflow tasks a worker runs at once (at most FSO_MAX_CACHED_WORKFLOWS)',
  },
  {
    env: 'FSO_MAX_CACHED_WORKFLOWS',
    flag: 'max-cached-workflows',
    value: 'n',
    roles: ['worker'],
    default: 'by heap size',
    description:
      "session runs a worker keeps in memory (Temporal's sticky cache; a run not kept replays its history at its next task); " +
      'by default ~600 per GiB of heap above 200 MiB',
  },
  {
    env: 'FSO_REST_EXPOSED_TYPE',
    flag: 'rest-exposed-type',
    value: 'type',
    roles: ['worker'],
    default: 'NodePort',
    description: 'kubernetes.rest-service.exposed.type: ClusterIP, NodePort or LoadBalancer',
  },
  {
    env: 'FSO_ALLOWED_SERVICE_ACCOUNTS',
    flag: 'allowed-service-accounts',
    value: 'sa,sa',
    roles: ['worker'],
    default: 'any',
    description: "comma-separated service accounts a FlinkSession's spec.sa may name (docs/trust-model.md)",
  },
  {
    env: 'FSO_ALLOWED_IMAGES',
    flag: 'allowed-images',
    value: 'pattern,pattern',
    roles: ['worker'],
    default: 'any',
    description: 'comma-separated patterns (* any characters) spec.image must match, e.g. registry.example.com/flink:*',
  },
  {
    env: 'FSO_ALLOW_HOST_PATH',
    flag: 'allow-host-path',
    value: 'true|false',
    roles: ['worker'],
    default: 'false',
    description: 'allow hostPath volumes and Bidirectional mount propagation in spec.volumes/volumeMounts',
  },
  {
    env: 'FSO_SECRET_OPT_IN',
    flag: 'secret-opt-in',
    value: 'true|false',
    roles: ['worker'],
    default: 'false',
    description: 'read only Secrets labelled flink.session-operator.io/readable=true for S3 credentials',
  },
  {
    env: 'FSO_METRICS_PORT',
    flag: 'metrics-port',
    value: 'port',
    roles: ['watcher', 'worker'],
    default: '9464',
    description: 'port of /metrics, /healthz and /readyz (0: off)',
  },
  { env: 'FSO_LOG_LEVEL', flag: 'log-level', value: 'level', roles: ['watcher', 'worker'], default: 'info', description: 'debug, info, warn or error' },
  {
    env: 'FSO_FAULT_SIGKILL',
    value: 'plan',
    roles: ['worker'],
    default: 'off',
    description:
      'crash drills: before:<activity>, after:<activity>, during:<activity>:<ms> or heartbeat:<activity>:<n> SIGKILLs the worker once; environment only',
  },
];

/** The settings a command takes. */
export const settingsFor = (roles: readonly SettingRole[]): Setting[] => SETTINGS.filter((s) => s.roles.some((role) => roles.includes(role)));

/** The environment with the flags given on the command line laid over it (flag name → value). */
export function withFlags(env: Env, flags: Readonly<Record<string, string | undefined>>): Env {
  const overrides = SETTINGS.flatMap((s) => (s.flag !== undefined && flags[s.flag] !== undefined ? [[s.env, flags[s.flag]] as const] : []));
  return { ...env, ...Object.fromEntries(overrides) };
}
