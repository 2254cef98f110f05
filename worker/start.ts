// The worker: runs the per-session workflow and its activities with real clients. Started by
// `flink-session-operator worker` (or `run`), with settings read once at that entry point.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { hostname } from 'node:os';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { s3ClientFactory } from '../activities/s3-client.ts';
import { connectZooKeeper } from '../activities/zookeeper-client.ts';
import { connectTemporal } from '../config/temporal-connection.ts';
import { ApplicationFailure } from '@temporalio/common';
import { LABEL_SECRET_READABLE, migratedCredentialsSecretName } from '../model/names.ts';
import type { Logger } from '../observability/logger.ts';
import type { Readiness } from '../observability/server.ts';
import type { WorkerConfig } from './config.ts';
import { faultInjector } from './fault-injection.ts';
import { registerSearchAttributes } from './search-attributes.ts';
import { stepInterceptor } from './step-interceptor.ts';
import { stepFailureInterceptor } from './step-failures.ts';
import { HEARTBEAT_THROTTLE } from './heartbeats.ts';
import { workflowSource } from './workflow-bundle.ts';
import { createStepRetryReporter } from '../activities/step-retry-report.ts';

export interface RunningWorker {
  readiness: Readiness;
  /** Resolves when the worker has stopped (after stop(), or on a fatal error, which it rejects with). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** The activities' clients for real: Kubernetes from the kubeconfig, S3 credentials from Secrets, ZooKeeper. */
export function realActivityDeps(config: WorkerConfig, kubeConfig: KubeConfig): ActivityDeps {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    kubeConfig,
    s3ClientFor: s3ClientFactory({
      readSecret: async (namespace, name) => {
        const secret = await core.readNamespacedSecret({ name, namespace });
        if (config.secretOptIn && secret.metadata?.labels?.[LABEL_SECRET_READABLE] !== 'true') {
          throw ApplicationFailure.nonRetryable(
            `the Secret ${namespace}/${name} is not opted in for the operator: label it ${LABEL_SECRET_READABLE}=true ` +
              `to let the worker read it (FSO_SECRET_OPT_IN=true)`,
            'SecretNotOptedIn',
          );
        }
        return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      },
      migratedSecretName: migratedCredentialsSecretName,
    }),
    connectZooKeeper: (quorum) => connectZooKeeper(quorum, 15_000),
    launchJobSettings: config.launchJob,
    policy: config.policy,
    readinessDeadlineSeconds: config.readinessDeadlineSeconds,
    clusterGoneDeadlineSeconds: config.clusterGoneDeadlineSeconds,
    cleanupDeadlineSeconds: config.cleanupDeadlineSeconds,
    pollIntervalMs: config.pollIntervalMs,
    jarMaxBytes: config.jarMaxBytes,
    jobDeadlineSeconds: config.jobDeadlineSeconds,
    jobWatchSeconds: config.jobWatchSeconds,
    ...(config.restUrlTemplate ? { restUrlTemplate: config.restUrlTemplate } : {}),
    ...(config.temporal.uiUrl ? { temporalUiUrl: config.temporal.uiUrl } : {}),
    temporalNamespace: config.temporal.namespace,
    watchedNamespaces: config.watchedNamespaces,
    instance: `${hostname()}/${process.pid}`,
  };
}

export async function startWorker(config: WorkerConfig, kubeConfig: KubeConfig, logger: Logger): Promise<RunningWorker> {
  const workflows = workflowSource(config.workflowBundle);
  const client = await connectTemporal(Connection, config.temporal);
  const added = await registerSearchAttributes(client, config.temporal.namespace);
  if (added.length > 0) logger.info({ searchAttributes: added, temporalNamespace: config.temporal.namespace }, 'registered search attributes');
  await client.close();
  const connection = await connectTemporal(NativeConnection, config.temporal);

  const deps = realActivityDeps(config, kubeConfig);
  const activities = createActivities(deps);
  const reportRetry = createStepRetryReporter({ kubeConfig, instance: deps.instance });
  // The step logger outermost, so its line shows the failure as the next interceptor turned it.
  const interceptors: ActivityInterceptorsFactory[] = [stepInterceptor, stepFailureInterceptor(reportRetry, (msg, fields) => logger.warn(fields, msg))];
  if (config.faultPlan) interceptors.push(faultInjector(config.faultPlan, (msg) => logger.warn(msg)));
  const worker = await Worker.create({
    connection,
    interceptors: { activity: interceptors },
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...workflows,
    activities,
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    maxConcurrentActivityTaskExecutions: config.slots.activities,
    maxConcurrentLocalActivityExecutions: config.slots.localActivities,
    maxConcurrentWorkflowTaskExecutions: config.slots.workflowTasks,
    ...(config.slots.cachedWorkflows === undefined ? {} : { maxCachedWorkflows: config.slots.cachedWorkflows }),
  });
  const done = worker.run().finally(() => connection.close());
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      temporalNamespace: config.temporal.namespace,
      address: config.temporal.address,
      workflowBundle: config.workflowBundle ?? 'bundled at start',
      slots: { ...config.slots, cachedWorkflows: config.slots.cachedWorkflows ?? 'by heap size' },
    },
    'worker started',
  );
  return {
    readiness: () => (worker.getState() === 'RUNNING' ? undefined : `worker is ${worker.getState()}`),
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      logger.info('worker stopped');
    },
  };
}
