// The operator as its users run it: the worker and the watcher as separate processes (so tests can
// SIGKILL either), configured through their environment, logging to files in the stack's log folder.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pollUntil } from '../../stack/poll.ts';
import { startProcess, type ManagedProcess } from '../../stack/processes.ts';
import type { StackEndpoints } from '../../stack/stack.ts';

export interface OperatorOptions {
  stack: StackEndpoints;
  /** One task queue and one watched namespace per test file, so parallel files never share work. */
  taskQueue: string;
  namespace: string;
  restUrlTemplate: string;
  readinessDeadlineSeconds?: number;
}

export interface OperatorProcesses {
  worker: ManagedProcess;
  watcher: ManagedProcess;
  /** `extraEnv` e.g. FSO_FAULT_SIGKILL for a worker that crashes on purpose (worker/fault-injection.ts). */
  startWorker(extraEnv?: Record<string, string>): Promise<ManagedProcess>;
  startWatcher(): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

const entry = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export async function startOperator(options: OperatorOptions): Promise<OperatorProcesses> {
  const env = {
    KUBECONFIG: options.stack.kubernetes.kubeconfig,
    TEMPORAL_ADDRESS: options.stack.temporal.address,
    TEMPORAL_NAMESPACE: options.stack.temporal.namespace,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    TEMPORAL_UI_URL: options.stack.temporal.uiUrl,
    FSO_WATCH_NAMESPACES: options.namespace,
    FSO_REST_URL_TEMPLATE: options.restUrlTemplate,
    FSO_POLL_INTERVAL_MS: '250',
    FSO_READINESS_DEADLINE_SECONDS: String(options.readinessDeadlineSeconds ?? 120),
  };
  let count = 0;
  const start = async (role: 'worker' | 'watcher', ready: RegExp, extraEnv: Record<string, string> = {}): Promise<ManagedProcess> => {
    count += 1;
    const process_ = startProcess({
      name: `${role}-${options.taskQueue}-${count}`,
      command: process.execPath,
      args: [entry(`${role}/main.ts`)],
      env: { ...env, ...extraEnv },
      logDir: options.stack.logDir,
    });
    let exited: string | undefined;
    void process_.exited.then((reason) => (exited = reason));
    await pollUntil(`the ${role} to start (log ${process_.logFile})`, async () => (ready.test(readFileSync(process_.logFile, 'utf8')) ? true : undefined), {
      timeoutMs: 60_000,
      giveUpIf: () => (exited ? `it exited (${exited}): ${readFileSync(process_.logFile, 'utf8').slice(-2000)}` : undefined),
    });
    return process_;
  };
  const operator: OperatorProcesses = {
    worker: await start('worker', /worker started/),
    watcher: await start('watcher', /watcher started/),
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
