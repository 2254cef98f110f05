// The watcher: turns `kubectl apply/edit/delete` of FlinkSessions (and JobManager Deployments deleted
// behind the operator's back) into Temporal signals. Started by `flink-session-operator watcher` (or
// `run`), with settings read once at that entry point.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { connectTemporal } from '../config/temporal-connection.ts';
import { operatorLog, type Log, type Logger } from '../observability/logger.ts';
import type { Readiness } from '../observability/server.ts';
import type { WatcherMetrics } from '../observability/watcher-metrics.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/contract.ts';
import type { WatcherConfig } from './config.ts';
import { watchJobManagers } from './drift.ts';
import { watchSessionJobs } from './jobs.ts';
import { errorText } from './error-text.ts';
import { startWatcher } from './watcher.ts';

export interface RunningWatcher {
  readiness: Readiness;
  stop(): Promise<void>;
}

export async function startWatcherProcess(config: WatcherConfig, kubeConfig: KubeConfig, logger: Logger, metrics: WatcherMetrics): Promise<RunningWatcher> {
  const log = operatorLog(logger);
  const connection = await connectTemporal(Connection, config.temporal);
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  await warnAboutMissingSearchAttributes(connection, config.temporal.namespace, log);

  const watcher = await startWatcher({
    kubeConfig,
    temporal,
    namespaces: config.namespaces,
    relistSeconds: config.relistSeconds,
    signalConcurrency: config.signalConcurrency,
    taskQueue: config.temporal.taskQueue,
    log,
    metrics,
  });
  const drift = await watchJobManagers({
    kubeConfig,
    temporal,
    namespaces: config.namespaces,
    relistSeconds: config.relistSeconds,
    redeploy: config.driftPolicy === 'redeploy',
    log,
    metrics,
  });
  const jobs = await watchSessionJobs({
    kubeConfig,
    temporal,
    namespaces: config.namespaces,
    relistSeconds: config.relistSeconds,
    taskQueue: config.temporal.taskQueue,
    log,
    metrics,
  });
  log.info('watcher started', {
    kubernetes: kubeConfig.getCurrentCluster()?.server,
    temporal: config.temporal.address,
    temporalNamespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    namespaces: config.namespaces.length > 0 ? config.namespaces : 'all',
    relistSeconds: config.relistSeconds,
    signalConcurrency: config.signalConcurrency,
    driftPolicy: config.driftPolicy,
  });
  return {
    readiness: () => watcher.unready() ?? drift.unready() ?? jobs.unready(),
    async stop() {
      await Promise.all([watcher.stop(), drift.stop(), jobs.stop()]);
      await connection.close();
    },
  };
}

/** signalWithStart fails while they are missing; the worker (or `temporal operator search-attribute create`) registers them. */
async function warnAboutMissingSearchAttributes(connection: Connection, namespace: string, log: Log): Promise<void> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.values(SEARCH_ATTRIBUTES).filter((key) => !(key.name in (customAttributes ?? {})));
    if (missing.length > 0) {
      log.warn('search attributes not registered in Temporal yet; signals fail until they are (the worker registers them at start)', {
        temporalNamespace: namespace,
        missing: missing.map((key) => `${key.name} (${key.type})`),
      });
    }
  } catch (error: unknown) {
    log.warn('could not list Temporal search attributes', { error: errorText(error) });
  }
}
