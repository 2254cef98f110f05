// Temporal settings of the watcher and the worker, read once from the environment at their entry
// points. Pure: callers hand in process.env and collect the problems.
import { TASK_QUEUE } from '../model/names.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  tls?: { certFile?: string; keyFile?: string; caFile?: string };
  apiKey?: string;
  uiUrl?: string;
}

/** host:port, host a name, an IPv4 address or a bracketed IPv6 address; port 1-65535. */
export function isHostPort(value: string): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  return match !== null && port >= 1 && port <= 65535;
}

export function readTemporalSettings(env: Env, problems: string[]): TemporalSettings {
  const address = env.TEMPORAL_ADDRESS?.trim() || '127.0.0.1:7233';
  if (!isHostPort(address)) problems.push(`TEMPORAL_ADDRESS must be host:port, e.g. temporal-frontend.temporal:7233 (got "${address}")`);
  const certFile = env.TEMPORAL_TLS_CERT;
  const keyFile = env.TEMPORAL_TLS_KEY;
  if (Boolean(certFile) !== Boolean(keyFile)) problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS client certificate and its key)');
  const caFile = env.TEMPORAL_TLS_CA;
  const tlsFlag = env.TEMPORAL_TLS?.trim().toLowerCase() || 'false';
  if (tlsFlag !== 'true' && tlsFlag !== 'false') problems.push(`TEMPORAL_TLS must be true or false (got "${env.TEMPORAL_TLS}")`);
  const tls = certFile || caFile || tlsFlag === 'true' ? { certFile, keyFile, caFile } : undefined;
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE?.trim() || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE?.trim() || TASK_QUEUE,
    ...(tls ? { tls } : {}),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
    ...(env.TEMPORAL_UI_URL ? { uiUrl: env.TEMPORAL_UI_URL } : {}),
  };
}

/** The Temporal Web UI page of a workflow (its run's history when the run id is known). */
export function temporalUiWorkflowUrl(uiUrl: string, namespace: string, workflowId: string, runId?: string): string {
  const base = `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}
