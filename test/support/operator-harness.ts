// The set-up every end-to-end file shares: namespaces (with a `flink` service account and an S3
// credentials Secret), the launch kubelet of each (Flink's own client runs every launch Job, and the
// clusters it creates run Flink's own JobManager and TaskManager processes, stack/flink-kubelet.ts),
// one local address for those JobManagers' REST (the operator's FSO_REST_URL_TEMPLATE) and the
// operator's two processes. `withOperator` starts it in beforeAll and stops it in afterAll; everything it
// started is stopped even when a step fails, and a test process that exits or is signalled (vitest
// killed, Ctrl-C) kills the process groups it started on its way out.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import type { FlinkSession } from '../../model/flinksession.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import type { FlinkProcess } from '../../stack/flink-kubelet.ts';
import { startFlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { killStartedProcesses } from '../../stack/processes.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { startOperator, type OperatorOptions, type OperatorProcesses } from './operator.ts';
import { sessionApi } from './sessions.ts';
import { kubeConfig, stackEndpoints, uniqueName } from './stack.ts';

/** The Secret with the stack's S3 keys that every harness namespace gets (unless told otherwise). */
export const S3_SECRET = 's3-credentials';

/**
 * Timeouts for tests whose sessions run real Flink: each deploy launches Flink's client and starts a
 * JobManager JVM, tens of seconds each on 2 cores that other test runs share.
 */
export const REAL_FLINK_READY_MS = 240_000;
export const REAL_FLINK_TEST_MS = 300_000;

export interface HarnessOptions {
  /** The stack's endpoints, outside vitest (default: the test run's, inject('stack')). */
  stack?: StackEndpoints;
  /** The namespaces watched, created here; the first is `namespace`. */
  namespaces: string[];
  /** The S3 credentials Secret's name in each namespace, false for none. */
  s3Secret?: string | false;
  /** A `flink` ServiceAccount in each namespace (default true). */
  serviceAccount?: boolean;
  /** False: the namespaces exist already (e.g. set up from deploy/examples/, test/deploy). */
  createNamespaces?: boolean;
  /** The kubeconfig Flink's client and processes use (default the stack's admin one). */
  flinkKubeconfig?: string;
  /**
   * The operator's settings beyond the harness's own (`temporal`: a Temporal server of the file's own);
   * false: the test starts it (startOperator).
   */
  operator?: (HarnessOperatorOptions & { taskQueue?: string }) | false;
}

type HarnessOperatorOptions = Omit<OperatorOptions, 'stack' | 'namespace' | 'taskQueue' | 'restUrlTemplate'> & { temporal?: StackEndpoints['temporal'] };

export interface OperatorHarness {
  stack: StackEndpoints;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  batch: k8s.BatchV1Api;
  /** The first namespace. */
  namespace: string;
  namespaces: string[];
  taskQueue: string;
  /** One per namespace, in the order of `namespaces`. */
  kubelets: LaunchKubelet[];
  /** The first namespace's. */
  kubelet: LaunchKubelet;
  /** For FSO_REST_URL_TEMPLATE: each session's JobManager REST, under one address. */
  restUrlTemplate: string;
  /** Every Flink REST request the operator made, through the proxy (stack/flink-rest-proxy.ts). */
  restLog: string[];
  operator: OperatorProcesses;
  /** Starts the operator with these options (when `operator: false` was given), stopped with the rest. */
  startOperator(options?: HarnessOperatorOptions): Promise<OperatorProcesses>;
  /** FlinkSession helpers for the first namespace. */
  sessions: ReturnType<typeof sessionApi>;
  /** Every launch pod run of every namespace. */
  runs(): LaunchKubelet['runs'];
  /** A session's JobManager processes that run now. */
  jobManagers(session: string, namespace?: string): FlinkProcess[];
  /** The REST base URL of a session's running JobManager. */
  restUrl(session: string, namespace?: string): string | undefined;
  /**
   * Ready at `generation` (default timeout REAL_FLINK_READY_MS), with exactly one JobManager process of the
   * session running, whose REST answers: the session, and the Flink version that REST reports.
   */
  waitServing(
    session: string,
    generation: number,
    options?: { namespace?: string; timeoutMs?: number },
  ): Promise<{ ready: FlinkSession; flinkVersion: string }>;
  stop(): Promise<void>;
}

let exitCleanup = false;
/** Once per test process: on exit, or on a signal that would end it, kill every process group it started. */
function killStartedProcessesOnExit(): void {
  if (exitCleanup) return;
  exitCleanup = true;
  process.once('exit', () => killStartedProcesses());
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      killStartedProcesses();
      process.exit(code);
    });
  }
}

/** `into`: the object to fill (withOperator's), so that what startOperator sets later is seen there too. */
export async function startOperatorHarness(options: HarnessOptions, into: Partial<OperatorHarness> = {}): Promise<OperatorHarness> {
  killStartedProcessesOnExit();
  const stack = options.stack ?? stackEndpoints();
  const kc = kubeConfig(stack);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const [namespace] = options.namespaces;
  if (!namespace) throw new Error('the harness needs at least one namespace');
  // What was started, stopped in reverse order whatever fails, by stop() or by a set-up that failed.
  const started: Array<{ what: string; stop: () => Promise<void> }> = [];
  const stop = async (): Promise<void> => {
    const failures: string[] = [];
    for (const { what, stop: stopIt } of started.splice(0).reverse()) {
      await stopIt().catch((error: unknown) => failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`));
    }
    if (failures.length > 0) throw new Error(`the harness did not stop cleanly:\n${failures.join('\n')}`);
  };
  try {
    await installFlinkSessionCrd(kc);
    for (const ns of options.namespaces) {
      if (options.createNamespaces !== false) await core.createNamespace({ body: { metadata: { name: ns } } });
      if (options.serviceAccount !== false) await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'flink' } } });
      const secret = options.s3Secret ?? S3_SECRET;
      if (secret !== false) {
        await core.createNamespacedSecret({
          namespace: ns,
          body: { metadata: { name: secret }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey } },
        });
      }
    }
    const flinkStack = options.flinkKubeconfig ? { ...stack, kubernetes: { ...stack.kubernetes, kubeconfig: options.flinkKubeconfig } } : stack;
    const kubelets = options.namespaces.map((ns) => {
      const kubelet = startLaunchKubelet(kc, flinkStack, ns, { flinkPods: 'process' });
      started.push({ what: `the launch kubelet of ${ns}`, stop: () => kubelet.stop() });
      return kubelet;
    });
    const kubeletOf = (ns: string): LaunchKubelet | undefined => kubelets[options.namespaces.indexOf(ns)];
    const restUrl = (session: string, ns: string = namespace): string | undefined => kubeletOf(ns)?.flink?.restUrl(ns, session);
    const proxy = await startFlinkRestProxy((ns, session) => (options.namespaces.includes(ns) ? restUrl(session, ns) : undefined));
    started.push({ what: 'the REST proxy', stop: () => proxy.close() });

    const { taskQueue = uniqueName('fso'), ...operatorOptions } = options.operator || {};
    const harness: OperatorHarness = Object.assign(into, {
      stack,
      kc,
      core,
      apps: kc.makeApiClient(k8s.AppsV1Api),
      batch: kc.makeApiClient(k8s.BatchV1Api),
      namespace,
      namespaces: options.namespaces,
      taskQueue,
      kubelets,
      kubelet: kubelets[0]!,
      restUrlTemplate: proxy.urlTemplate,
      restLog: proxy.log,
      operator: undefined as unknown as OperatorProcesses,
      async startOperator(more = {}) {
        const { temporal, ...rest } = { ...operatorOptions, ...more };
        const operator = await startOperator({
          stack: temporal ? { ...stack, temporal } : stack,
          namespace: options.namespaces.join(','),
          taskQueue,
          restUrlTemplate: proxy.urlTemplate,
          ...rest,
        });
        // Its processes as they are at the end: a test may have restarted either.
        started.push({ what: 'the operator', stop: () => operator.stop() });
        harness.operator = operator;
        return operator;
      },
      sessions: sessionApi(kc, namespace),
      runs: () => kubelets.flatMap((k) => k.runs),
      jobManagers: (session, ns = namespace) => (kubeletOf(ns)?.flink?.running() ?? []).filter((p) => p.session === session && p.component === 'jobmanager'),
      restUrl,
      async waitServing(session, generation, { namespace: ns = namespace, timeoutMs = REAL_FLINK_READY_MS } = {}) {
        const ready = await sessionApi(kc, ns).waitReady(session, generation, timeoutMs);
        const processes = harness.jobManagers(session, ns);
        if (processes.length !== 1) throw new Error(`${ns}/${session} is Ready with ${processes.length} JobManager processes running, not 1`);
        const response = await fetch(`${restUrl(session, ns)}/v1/overview`);
        if (!response.ok) throw new Error(`${ns}/${session} is Ready, but its JobManager's REST answers ${response.status}`);
        return { ready, flinkVersion: ((await response.json()) as { 'flink-version': string })['flink-version'] };
      },
      stop,
    } satisfies OperatorHarness);
    if (options.operator !== false) await harness.startOperator();
    return harness;
  } catch (error: unknown) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/**
 * Starts the harness in beforeAll and stops it in afterAll; the object returned is filled in once
 * beforeAll ran. `options` may be a function, for values known only then (e.g. a Temporal server
 * that the file's own beforeAll, registered before this, started).
 */
export function withOperator(options: HarnessOptions | (() => HarnessOptions)): OperatorHarness {
  const harness = {} as OperatorHarness;
  beforeAll(async () => {
    await startOperatorHarness(typeof options === 'function' ? options() : options, harness);
  });
  afterAll(async () => {
    await harness.stop?.();
  });
  return harness;
}
