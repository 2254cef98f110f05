// Many FlinkSessions created at once (BENCH_MANY_SESSIONS, 200 by default): how long until every one
// is Ready, against the time one session alone takes, on one worker and one watcher with the worker
// settings given (FSO_MAX_CONCURRENT_*, FSO_MAX_CACHED_WORKFLOWS; Temporal's defaults otherwise).
// Flink's objects come from the direct launcher (bench/direct-launcher.ts) and its REST from the
// stand-in, so the figure is the operator's and the servers', not that of 200 client JVMs.
import * as k8s from '@kubernetes/client-node';
import { Semaphore } from '../concurrency/limit.ts';
import { installFlinkSessionCrd } from '../stack/crd.ts';
import type { StackEndpoints } from '../stack/stack.ts';
import { startOperator } from '../test/support/operator.ts';
import { sessionApi } from '../test/support/sessions.ts';
import { eventually } from '../test/support/stack.ts';
import { startDirectLauncher } from './direct-launcher.ts';
import { startFlinkRestStandIn } from './flink-rest-stand-in.ts';
import { watchReady } from './ready-watch.ts';
import { formatSeconds, type BenchRow } from './table.ts';
import { readWorkerConfig } from '../worker/config.ts';

const SESSIONS = Number(process.env.BENCH_MANY_SESSIONS ?? 200);
const CREATE_CONCURRENCY = 32;
const SPEC = { image: 'example.invalid/flink:1.20', sa: 'flink', resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } } };

export async function benchManySessions(stack: StackEndpoints): Promise<BenchRow> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(stack.kubernetes.kubeconfig);
  const run = Date.now().toString(36);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await installFlinkSessionCrd(kc);
  const namespaces = { one: `bench-one-${run}`, many: `bench-many-${run}` };
  for (const namespace of Object.values(namespaces)) {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
  }
  const rest = await startFlinkRestStandIn(kc);
  const launchers = Object.values(namespaces).map((namespace) => startDirectLauncher(kc, namespace));
  const operator = await startOperator({
    stack,
    namespace: Object.values(namespaces).join(','),
    taskQueue: `bench-many-${run}`,
    restUrlTemplate: rest.urlTemplate,
    readinessDeadlineSeconds: 600,
  });
  const created: Array<{ namespace: string; name: string }> = [];
  /** Creates `names` in `namespace` (a few at a time); answers how long until all were Ready, from the first create. */
  const timeToReady = async (namespace: string, names: string[]): Promise<number> => {
    const sessions = sessionApi(kc, namespace);
    const { readyAt } = await watchReady(kc, namespace, names, 1, 900_000);
    const started = Date.now();
    const creating = new Semaphore(CREATE_CONCURRENCY);
    await Promise.all(
      names.map((name) =>
        creating.run(async () => {
          await sessions.create(name, SPEC);
          created.push({ namespace, name });
        }),
      ),
    );
    return (await readyAt) - started;
  };
  let oneMs = 0;
  let manyMs = 0;
  try {
    oneMs = await timeToReady(namespaces.one, ['alone']);
    manyMs = await timeToReady(
      namespaces.many,
      Array.from({ length: SESSIONS }, (_, i) => `s-${i}`),
    );
    // Deleted while the operator runs, so that it releases them (their finalizers) before it stops.
    await Promise.all(created.map(({ namespace, name }) => sessionApi(kc, namespace).remove(name)));
    await eventually(
      `the benchmark's ${created.length} sessions to be deleted`,
      async () => {
        const left = await Promise.all(created.map(({ namespace, name }) => sessionApi(kc, namespace).read(name)));
        return left.every((s) => s === undefined) ? true : undefined;
      },
      600_000,
    );
  } finally {
    await operator.stop();
    await Promise.all(launchers.map((launcher) => launcher.stop()));
    await rest.close();
    for (const namespace of Object.values(namespaces)) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  // What the worker runs with, read as the worker reads it (it inherits this environment).
  const { slots } = readWorkerConfig(process.env);
  const settings =
    `worker: ${slots.activities} activities, ${slots.localActivities} local activities, ${slots.workflowTasks} workflow tasks at once, ` +
    `${slots.cachedWorkflows ?? 'heap-sized'} cached runs`;
  return {
    work: `${SESSIONS} FlinkSessions created at once → all Ready (one worker, one watcher; the direct launcher and kwok's pods, no Flink JVM)`,
    project: `all Ready after ${formatSeconds(manyMs / 1000)}; one session alone ${formatSeconds(oneMs / 1000)}`,
    peers: [],
    note: `${(manyMs / oneMs).toFixed(1)}× the time of one; ${settings}`,
  };
}
