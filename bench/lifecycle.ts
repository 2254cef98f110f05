// Times one create → Ready and one redeploy on the real local stack, and splits each into the time the
// operator waits on others (Flink's client run by the launch kubelet, Kubernetes' garbage collector,
// kwok) and its own overhead (everything else: Temporal round trips, API calls, status, events).
//   npm run bench:lifecycle            (starts its own stack; FSO_TEST_STACK=.stack/stack.json reuses one)
// It deletes its sessions (the operator releases them) before it stops the operator, and counts the
// launches Flink's client failed. It also counts the history events and bytes each operation added to
// the session's run, and how many redeploys a run holds before Temporal suggests continue-as-new.
import * as k8s from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { fileURLToPath } from 'node:url';
import { workflowId } from '../model/names.ts';
import type { StackEndpoints } from '../stack/stack.ts';
import { installFlinkSessionCrd } from '../stack/crd.ts';
import { startFlinkRestStandIn } from './flink-rest-stand-in.ts';
import { startLaunchKubelet } from '../stack/launch-kubelet.ts';
import { startOperator } from '../test/support/operator.ts';
import { sessionApi } from '../test/support/sessions.ts';
import { eventually } from '../test/support/stack.ts';
import { watchReady } from './ready-watch.ts';
import { onStack } from './stack.ts';
import { formatSeconds, seconds, type BenchRow } from './table.ts';
import { activityMsByType, historyGrowth, msOf } from './workflow-history.ts';

/** Steps that wait on Flink, Kubernetes or kwok rather than on the operator. */
const EXTERNAL_WAITS = new Set(['waitForJobManagerReady', 'waitForFlinkClusterGone']);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Temporal's defaults for suggesting continue-as-new (limit.historyCount/historySize.suggestContinueAsNew). */
const SUGGEST_CONTINUE_AS_NEW = { events: 4 * 1024, bytes: 4 * 1024 * 1024 };
/** After Ready, the run's last workflow tasks complete: their events count to the operation. */
const SETTLE_MS = 1_500;

interface Split {
  totalMs: number;
  externalMs: number;
  /** What the operation added to the run's history. */
  events: number;
  bytes: number;
}

/** Time spent in steps that wait on others, from the workflow's own history (Temporal's clock). */
async function externalWaitMs(client: Client, id: string, sinceMs: number): Promise<number> {
  return msOf(await activityMsByType(client, id, sinceMs), EXTERNAL_WAITS);
}

export interface LifecycleResult {
  /** One markdown row per round and operation. */
  rounds: string[];
  rows: BenchRow[];
  launches: number;
  failedLaunches: number;
  redeploysPerRun: { events: number; bytes: number; redeploys: number };
}

export async function benchLifecycle(stack: StackEndpoints): Promise<LifecycleResult> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(stack.kubernetes.kubeconfig);
  const namespace = `bench-${Date.now().toString(36)}`;
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await installFlinkSessionCrd(kc);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
  const rest = await startFlinkRestStandIn(kc);
  const kubelet = startLaunchKubelet(kc, stack, namespace);
  const operator = await startOperator({ stack, namespace, taskQueue: `bench-${Date.now()}`, restUrlTemplate: rest.urlTemplate });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection, namespace: stack.temporal.namespace });
  const sessions = sessionApi(kc, namespace);
  const names: string[] = [];
  const rounds: string[] = [];
  const creates: Split[] = [];
  const redeploys: Split[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const name = `bench-${round}`;
      names.push(name);
      const id = workflowId(namespace, name);
      /** Times an operation to Ready, then reads what it added to the history once the run is idle again. */
      const measure = async (generation: number, operate: () => Promise<unknown>): Promise<Split> => {
        const { readyAt } = await watchReady(kc, namespace, [name], generation, 120_000);
        const since = Date.now();
        await operate();
        const totalMs = (await readyAt) - since;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return { totalMs, externalMs: await externalWaitMs(client, id, since), ...(await historyGrowth(client, id, since)) };
      };
      const create = await measure(1, () =>
        sessions.create(name, {
          image: 'example.invalid/flink:1.20',
          sa: 'flink',
          resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } },
        }),
      );
      const redeploy = await measure(2, () => sessions.patch(name, { spec: { numberOfTaskSlots: 2 } }));
      creates.push(create);
      redeploys.push(redeploy);
      for (const [what, split] of [
        ['create → Ready', create],
        ['redeploy → Ready', redeploy],
      ] as const) {
        const own = split.totalMs - split.externalMs;
        rounds.push(
          `| ${round} | ${what} | ${(split.totalMs / 1000).toFixed(2)} s | ${(split.externalMs / 1000).toFixed(2)} s ` +
            `| ${(own / 1000).toFixed(2)} s (${Math.round((100 * own) / split.totalMs)} %) | ${split.events} / ${(split.bytes / 1024).toFixed(1)} KB |`,
        );
      }
    }
    // The operator releases what it holds: delete while it runs, or the finalizers keep the sessions
    // (and their namespace) forever.
    await Promise.all(names.map((name) => sessions.remove(name)));
    await eventually(
      `the benchmark's ${names.length} sessions to be deleted`,
      async () => ((await Promise.all(names.map((name) => sessions.read(name)))).every((s) => s === undefined) ? true : undefined),
      120_000,
    );
  } finally {
    await operator.stop();
    await kubelet.stop();
    await rest.close();
    await connection.close();
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  const failedLaunches = kubelet.runs.filter((r) => r.exitCode !== 0).length;
  const overhead = (splits: Split[]): string =>
    splits
      .map((s) => (s.totalMs - s.externalMs) / 1000)
      .sort((a, b) => a - b)
      .map((s) => s.toFixed(2))
      .join(' / ');
  const row = (what: string, splits: Split[]): BenchRow => ({
    work: `lifecycle ${what}, operator overhead (${ROUNDS} rounds; Flink 1.20 client run by the launch kubelet)`,
    project:
      `${overhead(splits)} s (of ${splits.map((s) => formatSeconds(seconds(s.totalMs))).join(', ')} in all); ` +
      `history ${splits.map((s) => s.events).join(' / ')} events, ${splits.map((s) => (s.bytes / 1024).toFixed(1)).join(' / ')} KB`,
    peers: [],
    note: `Flink's client failed ${failedLaunches} of ${kubelet.runs.length} launches`,
  });
  return {
    rounds,
    rows: [row('create → Ready', creates), row('redeploy → Ready', redeploys)],
    launches: kubelet.runs.length,
    failedLaunches,
    redeploysPerRun: redeploysPerRun(creates, redeploys),
  };
}

/** How many redeploys after a create a run holds before Temporal suggests continue-as-new (the larger operations of the rounds). */
function redeploysPerRun(creates: Split[], redeploys: Split[]): { events: number; bytes: number; redeploys: number } {
  const most = (splits: Split[], key: 'events' | 'bytes') => Math.max(...splits.map((s) => s[key]));
  const fit = (key: 'events' | 'bytes') => Math.floor((SUGGEST_CONTINUE_AS_NEW[key] - most(creates, key)) / most(redeploys, key));
  return { events: fit('events'), bytes: fit('bytes'), redeploys: Math.min(fit('events'), fit('bytes')) };
}

export function printLifecycle(result: LifecycleResult): void {
  console.log(`lifecycle timing, ${ROUNDS} rounds (Flink 1.20 client, kwok nodes, local stack):`);
  console.log('| round | operation | total (kubectl to Ready) | waiting on Flink/Kubernetes | operator overhead | history events / bytes |');
  console.log('|---|---|---|---|---|---|');
  for (const line of result.rounds) console.log(line);
  console.log(`launches run by the launch kubelet: ${result.launches}, of which Flink's client failed: ${result.failedLaunches}`);
  const { events, bytes, redeploys } = result.redeploysPerRun;
  console.log(
    `a run holds ${redeploys} redeploys after its create before Temporal suggests continue-as-new ` +
      `(${events} by its ${SUGGEST_CONTINUE_AS_NEW.events} events, ${bytes} by its ${SUGGEST_CONTINUE_AS_NEW.bytes / 1024 / 1024} MiB)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  onStack(benchLifecycle)
    .then(printLifecycle)
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
