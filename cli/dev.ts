// `npm run dev` (`flink-session-operator dev`): everything on this machine. Starts the local stack
// (Temporal with its Web UI, Kubernetes with kwok nodes, S3, ZooKeeper), installs the CRD, runs the
// operator (watcher and worker, in this process), plays the kubelet for launch Jobs with Flink's real
// client (as the tests do), applies an example FlinkSession and prints what to try. Ctrl-C stops it all.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { pino } from 'pino';
import { createIgnoringConflict } from '../kube/errors.ts';
import type { FlinkSession } from '../model/flinksession.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL, workflowId } from '../model/names.ts';
import { freePort } from '../net/ports.ts';
import { installFlinkSessionCrd } from '../stack/crd.ts';
import { DEV_EXAMPLE, devExampleSecret, devExampleSession } from '../stack/dev-example.ts';
import { startFlinkRestStandIn } from '../stack/flink-rest.ts';
import { startLaunchKubelet } from '../stack/launch-kubelet.ts';
import { pollUntil } from '../stack/poll.ts';
import { startStack, type StackEndpoints } from '../stack/stack.ts';
import { temporalUiWorkflowUrl } from '../config/temporal.ts';
import { startOperator } from './operator.ts';

export interface DevOptions {
  stateDir: string;
  fresh: boolean;
  example: boolean;
  /** Where the lines for the person go (stdout). */
  print: (text: string) => void;
}

export async function dev(options: DevOptions): Promise<number> {
  const { print } = options;
  print(`starting the local stack in ${options.stateDir} …`);
  const stack = await startStack({ stateDir: options.stateDir, env: process.env, fresh: options.fresh });
  const stops: Array<() => Promise<void> | void> = [() => stack.stop()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const endpoints = stack.endpoints;
    const kc = new KubeConfig();
    kc.loadFromFile(endpoints.kubernetes.kubeconfig);
    await installFlinkSessionCrd(kc);
    const kubelet = startLaunchKubelet(kc, endpoints);
    stops.push(() => kubelet.stop());
    const rest = await startFlinkRestStandIn(kc);
    stops.push(() => rest.close());

    const metricsPort = process.env.FSO_METRICS_PORT ?? String(await freePort());
    const logFile = join(endpoints.logDir, 'operator.log');
    const operator = await startOperator(['watcher', 'worker'], {
      ...process.env,
      KUBECONFIG: endpoints.kubernetes.kubeconfig,
      TEMPORAL_ADDRESS: endpoints.temporal.address,
      TEMPORAL_NAMESPACE: endpoints.temporal.namespace,
      TEMPORAL_UI_URL: endpoints.temporal.uiUrl,
      // kwok's pods run no Flink: the REST stand-in answers while the JobManager Deployment is there.
      FSO_REST_URL_TEMPLATE: rest.urlTemplate,
      FSO_POLL_INTERVAL_MS: process.env.FSO_POLL_INTERVAL_MS ?? '250',
      FSO_METRICS_PORT: metricsPort,
    }, pino.destination({ dest: logFile, sync: true, mkdir: true }));
    stops.push(() => operator.stop());

    if (options.example) {
      print(`applying FlinkSession ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} …`);
      await applyExample(kc, endpoints);
      await waitReady(kc);
    }
    print(describe(endpoints, operator.metricsPort, logFile, options.example));

    const outcome = await new Promise<'signal' | 'operator'>((resolve) => {
      process.once('SIGINT', () => resolve('signal'));
      process.once('SIGTERM', () => resolve('signal'));
      operator.done.then(() => resolve('operator'), () => resolve('operator'));
    });
    print(outcome === 'signal' ? 'stopping everything …' : `the operator stopped; see ${logFile}; stopping everything …`);
    await stopAll();
    print('stopped');
    return outcome === 'signal' ? 0 : 1;
  } catch (error: unknown) {
    await stopAll();
    throw error;
  }
}

async function applyExample(kc: KubeConfig, endpoints: StackEndpoints): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  // Kept from an earlier run (the state folder survives a restart): left as it is.
  await createIgnoringConflict(() => core.createNamespacedSecret({ namespace: DEV_EXAMPLE.namespace, body: devExampleSecret(endpoints) }));
  await createIgnoringConflict(() => objects.createNamespacedCustomObject({
    group: API_GROUP, version: API_VERSION, namespace: DEV_EXAMPLE.namespace, plural: FLINKSESSION_PLURAL, body: devExampleSession(endpoints),
  }));
}

async function waitReady(kc: KubeConfig): Promise<void> {
  const objects = kc.makeApiClient(CustomObjectsApi);
  await pollUntil(`FlinkSession ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} to be Ready`, async () => {
    const session = (await objects.getNamespacedCustomObject({
      group: API_GROUP, version: API_VERSION, namespace: DEV_EXAMPLE.namespace, plural: FLINKSESSION_PLURAL, name: DEV_EXAMPLE.name,
    })) as FlinkSession;
    return session.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
  }, { timeoutMs: 180_000, intervalMs: 500 });
}

function describe(endpoints: StackEndpoints, metricsPort: number | undefined, logFile: string, example: boolean): string {
  const kubeconfig = endpoints.kubernetes.kubeconfig;
  const temporal = endpoints.temporal;
  const id = workflowId(DEV_EXAMPLE.namespace, DEV_EXAMPLE.name);
  const program = 'npx flink-session-operator';
  const flags = `--temporal-address ${temporal.address} --temporal-ui-url ${temporal.uiUrl}`;
  return [
    '',
    example
      ? `FlinkSession ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} is Ready. Everything runs locally:`
      : 'The operator runs; no example was applied (--no-example). Everything runs locally:',
    `  kubeconfig:       export KUBECONFIG=${kubeconfig}`,
    `  Temporal Web UI:  ${temporal.uiUrl}`,
    `  its workflow:     ${temporalUiWorkflowUrl(temporal.uiUrl, temporal.namespace, id)}`,
    `  Temporal:         ${temporal.address} (namespace ${temporal.namespace})`,
    ...(metricsPort ? [`  metrics:          http://127.0.0.1:${metricsPort}/metrics  (/healthz, /readyz)`] : []),
    `  operator log:     ${logFile}`,
    `  servers' logs:    ${endpoints.logDir}`,
    '',
    'try, in another terminal:',
    `  export KUBECONFIG=${kubeconfig}`,
    '  kubectl get fls',
    `  kubectl edit fls ${DEV_EXAMPLE.name}          # change e.g. spec.resource.taskManager.memory: a redeploy runs`,
    `  ${temporal.cli} workflow signal --address ${temporal.address} --workflow-id ${id} --name redeploy --input '{"reason":"trying it"}'`,
    `  ${temporal.cli} workflow list --address ${temporal.address} --query 'FlinkSessionName="${DEV_EXAMPLE.name}"'`,
    `  ${program} status ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} ${flags}`,
    `  ${program} plan ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} ${flags}`,
    `  ${program} redeploy ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} --reason "trying it" ${flags}`,
    '',
    'Ctrl-C stops everything (Temporal\'s history and the cluster\'s objects stay in the state folder; --fresh starts over).',
  ].join('\n');
}
