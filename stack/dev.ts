// `npm run dev` (stack/dev-command.ts): everything on this machine. Starts
// the local stack (Temporal with its Web UI, Kubernetes with kwok nodes, S3, ZooKeeper), installs the CRD, runs the
// operator (watcher and worker, in this process), plays the kubelet for launch Jobs with Flink's real
// client and for the Flink pods with Flink's own JobManagers and TaskManagers (as the tests do),
// applies an example FlinkSession, runs the sample job on it and prints what to try. Ctrl-C stops it all.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ConnectionReusingKubeConfig } from '../kube/connection-reuse.ts';
import { join } from 'node:path';
import { pino } from 'pino';
import { createIgnoringConflict } from '../kube/errors.ts';
import type { FlinkSession } from '../model/flinksession.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL, workflowId } from '../model/names.ts';
import { freePort } from '../net/ports.ts';
import { installFlinkSessionCrd } from './crd.ts';
import { DEV_EXAMPLE, devExampleSecret, devExampleSession } from './dev-example.ts';
import { clientVersion, listJobs, submitJar } from './flink-jobs.ts';
import { startFlinkRestProxy } from './flink-rest-proxy.ts';
import type { FlinkKubelet } from './flink-kubelet.ts';
import { startLaunchKubelet } from './launch-kubelet.ts';
import { pollUntil } from './poll.ts';
import { claimStateDir, startStack, type StackEndpoints } from './stack.ts';
import { temporalUiWorkflowUrl } from '../config/temporal.ts';
import { startOperator } from '../cli/operator.ts';
import { listenForStop, runUntilStopped } from '../cli/signals.ts';

export interface DevOptions {
  stateDir: string;
  fresh: boolean;
  example: boolean;
  /** Where the lines for the person go (stdout). */
  print: (text: string) => void;
}

export async function dev(options: DevOptions): Promise<number> {
  const { print } = options;
  const signalled = listenForStop();
  claimStateDir(options.stateDir);
  print(`starting the local stack in ${options.stateDir} …`);
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({ stateDir: options.stateDir, env: process.env, fresh: options.fresh });
  } catch (error: unknown) {
    // A Ctrl-C reaches the servers too (one process group), so the start fails with them; the stack
    // has stopped what it started. That is the stop that was asked for, not a failure.
    if (!signalled.arrived) throw error;
    print('stopped');
    return 0;
  }
  const stops: Array<() => Promise<void> | void> = [() => stack.stop()];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  /** A Ctrl-C during start-up stops what has started so far. */
  const interrupted = async (): Promise<boolean> => {
    if (!signalled.arrived) return false;
    print('stopping everything …');
    await stopAll();
    print('stopped');
    return true;
  };
  try {
    if (await interrupted()) return 0;
    const endpoints = stack.endpoints;
    const kc = new ConnectionReusingKubeConfig();
    kc.loadFromFile(endpoints.kubernetes.kubeconfig);
    await installFlinkSessionCrd(kc);
    const kubelet = startLaunchKubelet(kc, endpoints, undefined, { flinkPods: 'process' });
    stops.push(() => kubelet.stop());
    const flink = kubelet.flink!;
    const rest = await startFlinkRestProxy((namespace, name) => flink.restUrl(namespace, name));
    stops.push(() => rest.close());

    const metricsPort = process.env.FSO_METRICS_PORT ?? String(await freePort());
    const logFile = join(endpoints.logDir, 'operator.log');
    const operator = await startOperator(
      ['watcher', 'worker'],
      {
        ...process.env,
        KUBECONFIG: endpoints.kubernetes.kubeconfig,
        TEMPORAL_ADDRESS: endpoints.temporal.address,
        TEMPORAL_NAMESPACE: endpoints.temporal.namespace,
        TEMPORAL_UI_URL: endpoints.temporal.uiUrl,
        // The JobManagers run as local processes: their REST under one address, /<namespace>/<name>/….
        FSO_REST_URL_TEMPLATE: rest.urlTemplate,
        FSO_POLL_INTERVAL_MS: process.env.FSO_POLL_INTERVAL_MS ?? '250',
        FSO_METRICS_PORT: metricsPort,
      },
      pino.destination({ dest: logFile, sync: true, mkdir: true }),
    );
    stops.push(() => operator.stop());
    if (await interrupted()) return 0;

    const dashboard = `${restUrl(rest.urlTemplate, DEV_EXAMPLE.namespace, DEV_EXAMPLE.name)}/`;
    if (options.example) {
      print(`applying FlinkSession ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} …`);
      const generation = await applyExample(kc, endpoints);
      const ready = await Promise.race([
        waitReady(kc, generation)
          .then(() => runSampleJob(endpoints, flink, print))
          .then(() => true),
        signalled.received.then(() => false),
      ]);
      if (!ready && (await interrupted())) return 0;
    }
    print(describe(endpoints, operator.metricsPort, logFile, options.example ? dashboard : undefined));

    const report = (error: unknown): void => print(`the operator stopped (${error instanceof Error ? error.message : String(error)}); see ${logFile}`);
    const code = await runUntilStopped(
      signalled,
      operator.done,
      async () => {
        print('stopping everything …');
        await stopAll();
      },
      report,
    );
    print('stopped');
    return code;
  } catch (error: unknown) {
    await stopAll();
    throw error;
  }
}

/**
 * Creates the example, or (state kept from an earlier run) points it at this run's S3 and ZooKeeper:
 * they keep their ports with their data, so that changes nothing unless a port was taken meanwhile
 * (then the example moves, and redeploys). Returns the generation to wait for.
 */
async function applyExample(kc: KubeConfig, endpoints: StackEndpoints): Promise<number> {
  const core = kc.makeApiClient(CoreV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const example = devExampleSession(endpoints);
  const target = { group: API_GROUP, version: API_VERSION, namespace: DEV_EXAMPLE.namespace, plural: FLINKSESSION_PLURAL };
  const secret = devExampleSecret(endpoints);
  if (!(await createIgnoringConflict(() => core.createNamespacedSecret({ namespace: DEV_EXAMPLE.namespace, body: secret })))) {
    await core.replaceNamespacedSecret({ name: secret.metadata.name, namespace: DEV_EXAMPLE.namespace, body: secret });
  }
  if (await createIgnoringConflict(() => objects.createNamespacedCustomObject({ ...target, body: example }))) return 1;
  const patched = (await objects.patchNamespacedCustomObject(
    { ...target, name: DEV_EXAMPLE.name, body: { spec: { s3: example.spec.s3, ha: example.spec.ha } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as FlinkSession;
  return patched.metadata.generation;
}

const restUrl = (template: string, namespace: string, name: string): string => template.replace('{namespace}', namespace).replace('{name}', name);

/** The sample job on the example, unless a job runs there already (one Flink's HA brought back after a restart). */
async function runSampleJob(endpoints: StackEndpoints, flink: FlinkKubelet, print: (text: string) => void): Promise<void> {
  // The JobManager's own address: Flink's CLI talks to a REST root, not to a path under the proxy.
  const rest = await pollUntil(
    "the example's JobManager to answer",
    async () => {
      const url = flink.restUrl(DEV_EXAMPLE.namespace, DEV_EXAMPLE.name);
      const jobs = url ? await listJobs(url).catch(() => undefined) : undefined;
      return url && jobs ? { url, jobs } : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  if (rest.jobs.some((job) => !['FAILED', 'CANCELED', 'FINISHED'].includes(job.state))) return;
  const version = clientVersion(endpoints.flink, devExampleSession(endpoints).spec.flinkVersion!);
  print('submitting the sample job (a keyed counter, checkpointing every second) …');
  // Dev mode goes on without it: the session is there to try the operator with.
  await submitJar(endpoints.flink, version, rest.url, endpoints.flink.sampleJobs[version]!).catch((error: unknown) => {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    print(`the sample job was not submitted (${message?.slice(0, 300)}); the session runs without it`);
  });
}

async function waitReady(kc: KubeConfig, generation: number): Promise<void> {
  const objects = kc.makeApiClient(CustomObjectsApi);
  await pollUntil(
    `FlinkSession ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} to be Ready at generation ${generation}`,
    async () => {
      const session = (await objects.getNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace: DEV_EXAMPLE.namespace,
        plural: FLINKSESSION_PLURAL,
        name: DEV_EXAMPLE.name,
      })) as FlinkSession;
      const ready = session.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return ready && (session.status?.observedGeneration ?? 0) >= generation ? true : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  );
}

/** `dashboard`: the example's Flink dashboard, when the example was applied. */
function describe(endpoints: StackEndpoints, metricsPort: number | undefined, logFile: string, dashboard: string | undefined): string {
  const kubeconfig = endpoints.kubernetes.kubeconfig;
  const temporal = endpoints.temporal;
  const id = workflowId(DEV_EXAMPLE.namespace, DEV_EXAMPLE.name);
  const program = 'npx flink-session-operator';
  const flags = `--temporal-address ${temporal.address} --temporal-ui-url ${temporal.uiUrl}`;
  return [
    '',
    dashboard
      ? `FlinkSession ${DEV_EXAMPLE.namespace}/${DEV_EXAMPLE.name} is Ready. Everything runs locally:`
      : 'The operator runs; no example was applied (--no-example). Everything runs locally:',
    `  kubeconfig:       export KUBECONFIG=${kubeconfig}`,
    `  Temporal Web UI:  ${temporal.uiUrl}`,
    `  its workflow:     ${temporalUiWorkflowUrl(temporal.uiUrl, temporal.namespace, id)}`,
    ...(dashboard ? [`  Flink dashboard:  ${dashboard}  (the example's JobManager: its web UI and REST, e.g. ${dashboard}v1/overview)`] : []),
    `  Temporal:         ${temporal.address} (namespace ${temporal.namespace})`,
    `  S3:               ${endpoints.s3.endpoint}  (access key ${endpoints.s3.accessKeyId}, secret key ${endpoints.s3.secretAccessKey}; spec.s3.endPoint)`,
    `  ZooKeeper:        ${endpoints.zookeeper.connect}  (spec.ha.quorum)`,
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
    "Ctrl-C stops everything (Temporal's history and the cluster's objects stay in the state folder; --fresh starts over).",
  ].join('\n');
}
