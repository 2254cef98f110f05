// A thousand FlinkSessions applied at once: how long until the watcher (its own process, as deployed)
// has signalled every workflow, and how much memory it holds per session over its idle baseline.
// No worker runs: the runs are started on a task queue of the benchmark's own, so only the watcher
// is measured. Its idle API traffic is read from the API server's own request counters.
import * as k8s from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Semaphore } from '../concurrency/limit.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_API_VERSION, FLINKSESSION_KIND, FLINKSESSION_PLURAL, workflowId } from '../model/names.ts';
import { apiStatusCode, isConflict } from '../kube/errors.ts';
import { freePort } from '../net/ports.ts';
import { installFlinkSessionCrd } from '../stack/crd.ts';
import { pollUntil } from '../stack/poll.ts';
import { startProcess } from '../stack/processes.ts';
import type { StackEndpoints } from '../stack/stack.ts';
import { DEFAULT_SIGNAL_CONCURRENCY } from '../watcher/watcher.ts';
import { processCpuSeconds, processMemory, resetPeakMemory, scrape, scrapeApiServer, sumSamples } from './metrics.ts';
import { formatSeconds, type BenchRow } from './table.ts';

const PROGRAM = fileURLToPath(new URL('../bin/flink-session-operator.ts', import.meta.url));
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1_000);
/** Node options for the watcher alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes. */
const WATCHER_NODE_ARGS = (process.env.BENCH_WATCHER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const IDLE_MS = 20_000;
const CREATE_CONCURRENCY = 64;
const MB = 1024 * 1024;
/** The watcher's own default unless the environment sets it (the watcher inherits the environment). */
const signalConcurrency = process.env.FSO_SIGNAL_CONCURRENCY?.trim() || String(DEFAULT_SIGNAL_CONCURRENCY);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A spec shaped like a real session's (S3, ZooKeeper HA, resources, a config file), applied the way kubectl apply does. */
function sessionBody(name: string): object {
  const spec = {
    image: 'example.invalid/flink:1.20.1',
    flinkVersion: '1.20',
    sa: 'flink',
    autoClean: true,
    numberOfTaskSlots: 2,
    resource: { jobManager: { cpu: '1', memory: '1600m' }, taskManager: { cpu: '1', memory: '1728m' } },
    s3: { endPoint: 'http://s3.storage:9000', bucket: 'flink-state', credentialsSecret: { name: 'flink-s3' } },
    ha: { type: 'zookeeper', quorum: 'zk-0.zk:2181,zk-1.zk:2181,zk-2.zk:2181' },
    config: { 'flink-conf.yaml': 'state.backend.type: rocksdb\nexecution.checkpointing.interval: 60s\n' },
  };
  const manifest = { apiVersion: FLINKSESSION_API_VERSION, kind: FLINKSESSION_KIND, metadata: { name }, spec };
  return { ...manifest, metadata: { name, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) } } };
}

/** API requests to FlinkSessions, by verb, from the API server's counters. */
const flinkSessionRequests = (text: string): number => sumSamples(text, 'apiserver_request_total', { resource: FLINKSESSION_PLURAL });

/**
 * A create, tried again (up to 3 times) when the connection failed under it: on a loaded machine the
 * API server now and then closes a connection mid-request. 409: an earlier try got through.
 */
async function createSession(create: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await create();
      return;
    } catch (error: unknown) {
      if (isConflict(error)) return;
      if (attempt >= 3 || apiStatusCode(error) !== undefined) throw error;
      await sleep(500);
    }
  }
}

/** IDLE_MS of the watcher doing nothing: its median RSS, and the FlinkSession API requests meanwhile. */
async function idleWindow(kc: k8s.KubeConfig, pid: number): Promise<{ rss: number; requests: number }> {
  const before = await scrapeApiServer(kc);
  const samples: number[] = [];
  for (let t = 0; t < IDLE_MS; t += 1_000) {
    samples.push(processMemory(pid)?.rss ?? 0);
    await sleep(1_000);
  }
  const requests = flinkSessionRequests(await scrapeApiServer(kc)) - flinkSessionRequests(before);
  return { rss: samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0, requests };
}

export async function benchWatcherScale(stack: StackEndpoints): Promise<BenchRow[]> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(stack.kubernetes.kubeconfig);
  await installFlinkSessionCrd(kc);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);
  const run = Date.now().toString(36);
  const namespace = `bench-watch-${run}`;
  const taskQueue = `bench-watch-${run}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const metricsPort = await freePort();
  const watcher = startProcess({
    name: `bench-watcher-${run}`,
    command: process.execPath,
    args: [...WATCHER_NODE_ARGS, PROGRAM, 'watcher'],
    env: {
      KUBECONFIG: stack.kubernetes.kubeconfig,
      TEMPORAL_ADDRESS: stack.temporal.address,
      TEMPORAL_NAMESPACE: stack.temporal.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      FSO_WATCH_NAMESPACES: namespace,
      FSO_METRICS_PORT: String(metricsPort),
      FSO_LOG_LEVEL: 'warn',
    },
    logDir: stack.logDir,
  });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const temporal = new Client({ connection, namespace: stack.temporal.namespace });
  const names = Array.from({ length: SESSIONS }, (_, i) => `s-${i}`);
  try {
    await pollUntil('the watcher to serve /metrics', async () => (await scrape(metricsPort).catch(() => undefined))?.includes('fso_watcher_sessions'), {
      timeoutMs: 60_000,
    });
    // Idle, nothing to watch: its baseline memory and what it asks of the API server meanwhile.
    await sleep(3_000);
    const idle = await idleWindow(kc, watcher.pid);

    // A thousand at once. Memory is read from /proc (a /metrics scrape costs the watcher CPU: it
    // renders a series per session and condition); /metrics only for the signal count, every 250 ms.
    const peakReset = resetPeakMemory(watcher.pid);
    const cpuBefore = processCpuSeconds(watcher.pid) ?? 0;
    const slots = new Semaphore(CREATE_CONCURRENCY);
    let sampledPeak = idle.rss;
    let signalled = 0;
    const started = performance.now();
    let createdMs = 0;
    const creating = Promise.all(
      names.map((name) =>
        slots.run(() =>
          createSession(() =>
            objects.createNamespacedCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              namespace,
              plural: FLINKSESSION_PLURAL,
              body: sessionBody(name),
            }),
          ),
        ),
      ),
    ).then(() => (createdMs = performance.now() - started));
    // Awaited after the signals are counted; a failed create must not end the process meanwhile.
    creating.catch(() => undefined);
    let firstSignalMs: number | undefined;
    let signalledMs = 0;
    for (;;) {
      sampledPeak = Math.max(sampledPeak, processMemory(watcher.pid)?.rss ?? 0);
      signalled = sumSamples(await scrape(metricsPort), 'fso_watcher_signals_sent_total', { signal: 'specChanged', outcome: 'ok' });
      if (signalled > 0) firstSignalMs ??= performance.now() - started;
      if (signalled >= SESSIONS) {
        signalledMs = performance.now() - started;
        break;
      }
      if (performance.now() - started > 300_000) throw new Error(`only ${signalled} of ${SESSIONS} signalled after 300 s`);
      await sleep(250);
    }
    await creating;
    const cpuSeconds = (processCpuSeconds(watcher.pid) ?? 0) - cpuBefore;
    const peakRss = peakReset ? (processMemory(watcher.pid)?.peakRss ?? sampledPeak) : sampledPeak;
    // Idle again, with every session in its cache: what it holds, and asks, once the burst is over.
    await sleep(5_000);
    const settled = await idleWindow(kc, watcher.pid);
    // How much of that RSS is live JavaScript objects (the rest: free heap V8 keeps, native buffers).
    const heapUsed = sumSamples(await scrape(metricsPort), 'nodejs_heap_size_used_bytes');
    const perSession = (rss: number): string => `${Math.round((rss - idle.rss) / SESSIONS / 1024)} KB`;
    const mb = (bytes: number): string => `${Math.round(bytes / MB)} MB`;
    const signalWindowS = (signalledMs - (firstSignalMs ?? 0)) / 1000;
    return [
      {
        work:
          `watcher, ${SESSIONS.toLocaleString('en')} FlinkSessions applied at once ` +
          `(created in ${formatSeconds(createdMs / 1000)}; FSO_SIGNAL_CONCURRENCY ${signalConcurrency})`,
        project: `all signalled after ${formatSeconds(signalledMs / 1000)} (${Math.round(SESSIONS / (signalledMs / 1000))} signals/s)`,
        peers: [],
        note:
          `the last ${formatSeconds(Math.max(0, signalledMs - createdMs) / 1000)} after the last create; ` +
          `first to last signal ${formatSeconds(signalWindowS)} (${Math.round(SESSIONS / Math.max(signalWindowS, 0.001))} signals/s); ` +
          `watcher CPU ${formatSeconds(cpuSeconds)}; ` +
          `RSS idle ${mb(idle.rss)} → peak ${mb(peakRss)} (${perSession(peakRss)}/session), ` +
          `idle after ${mb(settled.rss)} (${perSession(settled.rss)}/session; V8 heap in use ${mb(heapUsed)}); ` +
          `FlinkSession API requests in ${IDLE_MS / 1000} s idle: ${idle.requests} before, ${settled.requests} after ` +
          '(two open watches; one list per relist period)',
      },
    ];
  } catch (error: unknown) {
    console.error(`watcher log: ${readFileSync(watcher.logFile, 'utf8').slice(-3000)}`);
    throw error;
  } finally {
    await watcher.stop();
    await cleanUp(objects, core, temporal, namespace, names);
    await connection.close();
  }
}

/** Releases the sessions the watcher held, deletes them with their namespace, and ends their runs. */
async function cleanUp(objects: k8s.CustomObjectsApi, core: k8s.CoreV1Api, temporal: Client, namespace: string, names: readonly string[]): Promise<void> {
  const slots = new Semaphore(CREATE_CONCURRENCY);
  const crd = { group: API_GROUP, version: API_VERSION, plural: FLINKSESSION_PLURAL, namespace };
  await Promise.all(
    names.map((name) =>
      slots.run(async () => {
        await objects
          .patchNamespacedCustomObject(
            { ...crd, name, body: { metadata: { finalizers: null } } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          )
          .catch(() => undefined);
        await temporal.workflow
          .getHandle(workflowId(namespace, name))
          .terminate('benchmark finished')
          .catch(() => undefined);
      }),
    ),
  );
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
}
