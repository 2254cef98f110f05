// The worker's settings, read once from the environment at start and validated with messages that say
// what to fix. Pure: the entry point hands in process.env.
import { DEFAULT_LAUNCH_JOB_SETTINGS, type LaunchJobSettings } from '../model/launch-job.ts';
import { TASK_QUEUE } from '../model/names.ts';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  tls?: { certFile?: string; keyFile?: string; caFile?: string };
  apiKey?: string;
  uiUrl?: string;
}

export interface WorkerConfig {
  temporal: TemporalSettings;
  kubeconfig?: string;
  readinessDeadlineSeconds: number;
  pollIntervalMs: number;
  restUrlTemplate?: string;
  launchJob: LaunchJobSettings;
}

export class ConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

export function readTemporalSettings(env: Env, problems: string[]): TemporalSettings {
  const address = env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  if (!HOST_PORT.test(address)) problems.push(`TEMPORAL_ADDRESS must be host:port, e.g. temporal-frontend.temporal:7233 (got "${address}")`);
  const certFile = env.TEMPORAL_TLS_CERT;
  const keyFile = env.TEMPORAL_TLS_KEY;
  if (Boolean(certFile) !== Boolean(keyFile)) problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS client certificate and its key)');
  const caFile = env.TEMPORAL_TLS_CA;
  const tls = certFile || caFile || env.TEMPORAL_TLS === 'true' ? { certFile, keyFile, caFile } : undefined;
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
    ...(tls ? { tls } : {}),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
    ...(env.TEMPORAL_UI_URL ? { uiUrl: env.TEMPORAL_UI_URL } : {}),
  };
}

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

export function readWorkerConfig(env: Env): WorkerConfig {
  const problems: string[] = [];
  const temporal = readTemporalSettings(env, problems);
  const exposed = env.FSO_REST_EXPOSED_TYPE ?? DEFAULT_LAUNCH_JOB_SETTINGS.restExposedType;
  if (exposed !== 'ClusterIP' && exposed !== 'NodePort' && exposed !== 'LoadBalancer') {
    problems.push(`FSO_REST_EXPOSED_TYPE must be ClusterIP, NodePort or LoadBalancer (got "${exposed}")`);
  }
  const restUrlTemplate = env.FSO_REST_URL_TEMPLATE;
  if (restUrlTemplate && !/^https?:\/\//.test(restUrlTemplate)) problems.push(`FSO_REST_URL_TEMPLATE must be an http(s) URL with {namespace} and {name}, e.g. http://{name}-rest.{namespace}:8081 (got "${restUrlTemplate}")`);
  const config: WorkerConfig = {
    temporal,
    ...(env.KUBECONFIG ? { kubeconfig: env.KUBECONFIG } : {}),
    readinessDeadlineSeconds: positiveInt(env, 'FSO_READINESS_DEADLINE_SECONDS', 600, problems),
    pollIntervalMs: positiveInt(env, 'FSO_POLL_INTERVAL_MS', 1000, problems),
    ...(restUrlTemplate ? { restUrlTemplate } : {}),
    launchJob: { ...DEFAULT_LAUNCH_JOB_SETTINGS, restExposedType: exposed as LaunchJobSettings['restExposedType'] },
  };
  if (problems.length > 0) throw new ConfigError(`the worker's configuration is not usable:\n  - ${problems.join('\n  - ')}`);
  return config;
}
