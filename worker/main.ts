// The worker process: runs the per-session workflow and its activities with real clients.
//   TEMPORAL_ADDRESS=… KUBECONFIG=… node worker/main.ts
import * as k8s from '@kubernetes/client-node';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.ts';
import { s3ClientFactory } from '../activities/s3-client.ts';
import { connectZooKeeper } from '../activities/zookeeper-client.ts';
import { migratedCredentialsSecretName } from '../model/names.ts';
import { ConfigError, readWorkerConfig } from './config.ts';
import { faultInjector, parseFaultPlan } from './fault-injection.ts';
import { registerSearchAttributes } from './search-attributes.ts';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';

async function main(): Promise<void> {
  const config = readWorkerConfig(process.env);
  const kubeConfig = new k8s.KubeConfig();
  if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
  else kubeConfig.loadFromDefault();
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);

  const connectionOptions = temporalConnectionOptions(config.temporal);
  const client = await Connection.connect(connectionOptions);
  await registerSearchAttributes(client, config.temporal.namespace);
  await client.close();
  const connection = await NativeConnection.connect(connectionOptions);

  const activities = createActivities({
    kubeConfig,
    s3ClientFor: s3ClientFactory({
      readSecret: async (namespace, name) => {
        const secret = await core.readNamespacedSecret({ name, namespace });
        return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
      },
      migratedSecretName: migratedCredentialsSecretName,
    }),
    connectZooKeeper: (quorum) => connectZooKeeper(quorum, 15_000),
    launchJobSettings: config.launchJob,
    readinessDeadlineSeconds: config.readinessDeadlineSeconds,
    pollIntervalMs: config.pollIntervalMs,
    ...(config.restUrlTemplate ? { restUrlTemplate: config.restUrlTemplate } : {}),
    ...(config.temporal.uiUrl ? { temporalUiUrl: config.temporal.uiUrl } : {}),
    temporalNamespace: config.temporal.namespace,
    instance: `${hostname()}/${process.pid}`,
  });
  const faultPlan = parseFaultPlan(process.env.FSO_FAULT_SIGKILL);
  const worker = await Worker.create({
    connection,
    ...(faultPlan ? { interceptors: { activity: [faultInjector(faultPlan, (msg) => console.log(JSON.stringify({ level: 'warn', msg })))] } } : {}),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities,
  });
  const stop = (): void => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(JSON.stringify({ level: 'info', msg: 'worker started', taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, address: config.temporal.address }));
  await worker.run();
  await connection.close();
  console.log(JSON.stringify({ level: 'info', msg: 'worker stopped' }));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
