// `run`, `watcher` and `worker`: the operator's long-running processes. Reads the settings (environment
// with flags laid over it) once, serves /metrics, /healthz and /readyz, and stops cleanly on SIGTERM
// and SIGINT.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError } from '../config/errors.ts';
import type { Env } from '../config/temporal.ts';
import { loadKubeConfig } from '../kube/kubeconfig.ts';
import type { DestinationStream } from 'pino';
import { createLogger } from '../observability/logger.ts';
import { startObservabilityServer, type ObservabilityServer, type Readiness } from '../observability/server.ts';
import { createWatcherMetrics } from '../observability/watcher-metrics.ts';
import { readConfig as readWatcherConfig } from '../watcher/config.ts';
import { startWatcherProcess } from '../watcher/start.ts';
import { readWorkerConfig } from '../worker/config.ts';
import { installWorkerRuntime } from '../worker/runtime.ts';
import { startWorker } from '../worker/start.ts';

export type OperatorRole = 'watcher' | 'worker';

export interface OperatorHandle {
  /** Port of /metrics, /healthz and /readyz (undefined when FSO_METRICS_PORT=0). */
  metricsPort?: number;
  /** Settles when the worker stopped by itself (a fatal error rejects it); never for a watcher alone. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the roles in this process; settings problems throw ConfigError before anything connects. */
export async function startOperator(roles: readonly OperatorRole[], env: Env, logDestination?: DestinationStream): Promise<OperatorHandle> {
  const watcherConfig = roles.includes('watcher') ? readWatcherConfig(env) : undefined;
  const workerConfig = roles.includes('worker') ? readWorkerConfig(env) : undefined;
  const { logLevel, metricsPort } = (watcherConfig ?? workerConfig)!.observability;
  const logger = createLogger(logLevel, roles.join('+'), logDestination);
  const kubeConfig = loadKubeConfig(env.KUBECONFIG);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const runtime = workerConfig ? await installWorkerRuntime(logger) : undefined;
  let starting = true;
  const readiness: Readiness[] = [() => (starting ? 'starting' : undefined)];
  let server: ObservabilityServer | undefined;
  if (metricsPort > 0) {
    server = await startObservabilityServer({
      port: metricsPort,
      metrics: async () => `${await registry.metrics()}\n${runtime ? await runtime.metrics() : ''}`,
      readiness,
    }).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError(
        [`FSO_METRICS_PORT: cannot serve /metrics, /healthz and /readyz on port ${metricsPort} (${reason}); choose a free port, or 0 to turn them off`],
        'observability settings',
      );
    });
  }

  const stops: Array<() => Promise<void>> = [];
  const running: Array<Promise<void>> = [];
  try {
    // The worker first: whatever the watcher signals finds a worker to run it.
    if (workerConfig) {
      const worker = await startWorker(workerConfig, kubeConfig, logger);
      readiness.push(worker.readiness);
      stops.push(() => worker.stop());
      running.push(worker.done);
    }
    if (watcherConfig) {
      const watcher = await startWatcherProcess(watcherConfig, kubeConfig, logger, createWatcherMetrics(registry));
      readiness.push(watcher.readiness);
      stops.push(() => watcher.stop());
    }
  } catch (error: unknown) {
    await Promise.allSettled(stops.map((stop) => stop()));
    await server?.close();
    throw error;
  }
  starting = false;
  logger.info({ roles, metricsPort: server?.port ?? 'off' }, 'operator started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('stopping');
      await Promise.allSettled(stops.reverse().map((s) => s()));
      await server?.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  // Only a worker ends by itself (a fatal error); a watcher runs until stopped.
  const done = running.length > 0 ? Promise.race(running) : new Promise<void>(() => {});
  return { ...(server ? { metricsPort: server.port } : {}), done, stop };
}
