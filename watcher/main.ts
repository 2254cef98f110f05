// The watcher process: `node watcher/main.ts`. Reads its configuration once, here:
//   KUBECONFIG            kubeconfig file(s); unset: ~/.kube/config, or the pod's service account
//   TEMPORAL_ADDRESS      host:port of Temporal's frontend (default 127.0.0.1:7233)
//   TEMPORAL_NAMESPACE    Temporal namespace (default "default")
//   TEMPORAL_TASK_QUEUE   task queue runs start on (default flink-session-operator)
//   TEMPORAL_TLS_CERT/KEY/CA, TEMPORAL_TLS, TEMPORAL_API_KEY   TLS and API key (config/temporal.ts)
//   FSO_WATCH_NAMESPACES  comma-separated Kubernetes namespaces to watch; empty: all
//   FSO_RELIST_SECONDS    full relist period (default 300)
//   FSO_LOG_LEVEL         debug | info | warn | error (default info)
//   FSO_DRIFT_POLICY      redeploy | report: what a JobManager Deployment deleted behind the operator's back leads to (default redeploy)
// Logs JSON lines to stdout; stops cleanly on SIGTERM and SIGINT.
import { KubeConfig } from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/contract.ts';
import { ConfigError, readConfig, type WatcherConfig } from './config.ts';
import { watchJobManagers } from './drift.ts';
import { jsonLogger } from './log.ts';
import { errorText, startWatcher, type Log } from './watcher.ts';

async function main(): Promise<number> {
  let config: WatcherConfig;
  try {
    config = readConfig(process.env);
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`flink-session-operator watcher: ${error.message}\n`);
    return 2;
  }
  const log = jsonLogger(config.logLevel);

  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromDefault();
  } catch (error: unknown) {
    log('cannot read the kubeconfig (KUBECONFIG, ~/.kube/config or the pod service account)', { level: 'error', error: errorText(error) });
    return 2;
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    log('no Kubernetes cluster configured: set KUBECONFIG, or run in a pod with a service account', { level: 'error' });
    return 2;
  }

  let connection: Connection;
  try {
    connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  } catch (error: unknown) {
    log(`cannot reach Temporal at TEMPORAL_ADDRESS=${config.temporal.address}`, { level: 'error', error: errorText(error) });
    return 1;
  }
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  await warnAboutMissingSearchAttributes(connection, config.temporal.namespace, log);

  const watcher = await startWatcher({ kubeConfig, temporal, namespaces: config.namespaces, relistSeconds: config.relistSeconds, taskQueue: config.temporal.taskQueue, log });
  const drift = watchJobManagers({ kubeConfig, temporal, namespaces: config.namespaces, redeploy: config.driftPolicy === 'redeploy', log });
  log('watcher started', {
    kubernetes: cluster.server,
    temporal: config.temporal.address,
    temporalNamespace: config.temporal.namespace,
    namespaces: config.namespaces.length > 0 ? config.namespaces : 'all',
    relistSeconds: config.relistSeconds,
    driftPolicy: config.driftPolicy,
  });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log('stopping', { signal });
  await Promise.all([watcher.stop(), drift.stop()]);
  await connection.close();
  return 0;
}

/** signalWithStart fails while they are missing; the worker (or `temporal operator search-attribute create`) registers them. */
async function warnAboutMissingSearchAttributes(connection: Connection, namespace: string, log: Log): Promise<void> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.values(SEARCH_ATTRIBUTES).filter((key) => !(key.name in (customAttributes ?? {})));
    if (missing.length > 0) {
      log('search attributes not registered in Temporal yet; signals fail until they are', {
        level: 'warn',
        temporalNamespace: namespace,
        missing: missing.map((key) => `${key.name} (${key.type})`),
      });
    }
  } catch (error: unknown) {
    log('could not list Temporal search attributes', { level: 'warn', error: errorText(error) });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`flink-session-operator watcher failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
