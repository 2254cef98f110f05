// The operator as its users run it: the worker and the watcher as separate processes (so tests can
// SIGKILL either), configured through their environment, logging to files in the stack's log folder.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pollUntil } from '../../stack/poll.ts';
import { freePort } from '../../net/ports.ts';
import { startProcess, type ManagedProcess } from '../../stack/processes.ts';
import type { StackEndpoints } from '../../stack/stack.ts';

export interface OperatorOptions {
  stack: StackEndpoints;
  /** One task queue and one watched namespace per test file, so parallel files never share work. */
  taskQueue: string;
  namespace: string;
  restUrlTemplate: string;
  readinessDeadlineSeconds?: number;
  /**
   * Kubeconfigs instead of the stack's admin one: one for both processes, or one each (the watcher's and
   * the worker's service accounts of an install, test/deploy).
   */
  kubeconfig?: string | { watcher: string; worker: string };
  /** Another Temporal server than the stack's (e.g. one with its own dynamic config). */
  temporalAddress?: string;
  /** More settings for both processes, e.g. FSO_CLEANUP_DEADLINE_SECONDS. */
  env?: Record<string, string>;
  /**
   * The settings exactly as an install gives them (e.g. the data of the Helm chart's ConfigMap), instead
   * of the ones built from the options above; only each process's KUBECONFIG and FSO_METRICS_PORT are added.
   */
  environment?: Record<string, string>;
}

export interface OperatorProcess extends ManagedProcess {
  /** Port of its /metrics, /healthz and /readyz. */
  metricsPort: number;
}

export interface OperatorProcesses {
  worker: OperatorProcess;
  watcher: OperatorProcess;
  /** `extraEnv` e.g. FSO_FAULT_SIGKILL for a worker that crashes on purpose (worker/fault-injection.ts). */
  startWorker(extraEnv?: Record<string, string>): Promise<OperatorProcess>;
  startWatcher(): Promise<OperatorProcess>;
  stop(): Promise<void>;
}

const PROGRAM = fileURLToPath(new URL('../../bin/flink-session-operator.ts', import.meta.url));

export async function startOperator(options: OperatorOptions): Promise<OperatorProcesses> {
  const given = options.kubeconfig ?? options.stack.kubernetes.kubeconfig;
  const kubeconfigs = typeof given === 'string' ? { watcher: given, worker: given } : given;
  const env = options.environment
    ? { ...options.environment }
    : {
        TEMPORAL_ADDRESS: options.temporalAddress ?? options.stack.temporal.address,
        TEMPORAL_NAMESPACE: options.stack.temporal.namespace,
        TEMPORAL_TASK_QUEUE: options.taskQueue,
        TEMPORAL_UI_URL: options.stack.temporal.uiUrl,
        FSO_WATCH_NAMESPACES: options.namespace,
        FSO_REST_URL_TEMPLATE: options.restUrlTemplate,
        FSO_POLL_INTERVAL_MS: '250',
        FSO_JOB_WATCH_SECONDS: '1',
        FSO_READINESS_DEADLINE_SECONDS: String(options.readinessDeadlineSeconds ?? 120),
        ...options.env,
      };
  let count = 0;
  const start = async (role: 'worker' | 'watcher', ready: RegExp, extraEnv: Record<string, string> = {}): Promise<OperatorProcess> => {
    count += 1;
    const metricsPort = await freePort();
    const process_ = startProcess({
      name: `${role}-${options.taskQueue}-${count}`,
      command: process.execPath,
      args: [PROGRAM, role],
      env: { ...env, KUBECONFIG: kubeconfigs[role], FSO_METRICS_PORT: String(metricsPort), ...extraEnv },
      logDir: options.stack.logDir,
    });
    let exited: string | undefined;
    void process_.exited.then((reason) => (exited = reason));
    await pollUntil(`the ${role} to start (log ${process_.logFile})`, async () => (ready.test(readFileSync(process_.logFile, 'utf8')) ? true : undefined), {
      timeoutMs: 60_000,
      giveUpIf: () => (exited ? `it exited (${exited}): ${readFileSync(process_.logFile, 'utf8').slice(-2000)}` : undefined),
    });
    return Object.assign(process_, { metricsPort });
  };
  const worker = await start('worker', /worker started/);
  const watcher = await start('watcher', /watcher started/).catch(async (error: unknown) => {
    await worker.stop();
    throw error;
  });
  const operator: OperatorProcesses = {
    worker,
    watcher,
    async startWorker(extraEnv) {
      operator.worker = await start('worker', /worker started/, extraEnv);
      return operator.worker;
    },
    async startWatcher() {
      operator.watcher = await start('watcher', /watcher started/);
      return operator.watcher;
    },
    async stop() {
      await Promise.all([operator.worker.stop(), operator.watcher.stop()]);
    },
  };
  return operator;
}
