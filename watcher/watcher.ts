// The watcher: an informer on FlinkSessions turns `kubectl apply/edit/delete` into Temporal signals.
// It is deliberately small and stateless across restarts: the informer cache is what it knows; in
// memory it also remembers, per object, the state it last acted on successfully (so a failed action is
// decided again, and a relist or a repeated event does nothing). After a restart every object is a
// first sight and is signalled once more, which the workflow ignores when it already has that spec.
//
// 1. Every informer event only records the newest state of its object and queues the object's key.
// 2. One key is handled one at a time (KeyedQueue), and at most `signalConcurrency` keys at once;
//    the handler decides on the newest state against the last state acted on: add the finalizer,
//    then signal `specChanged` or `delete`. The informer cache keeps only what decisions read.
// 3. A failed action is retried with backoff (1 s doubling to 30 s) on the object's newest state.
// 4. An informer error restarts the informer with the same backoff; every `relistSeconds` the informer
//    is replaced by a fresh one (a full list), so an event lost anywhere is made up for.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import type { FlinkSession } from '../model/flinksession.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL, TASK_QUEUE, workflowId } from '../model/names.ts';
import { decide, SPEC_SIGNALS, type SignalDecision } from './decide.ts';
import { apiStatusCode } from '../kube/errors.ts';
import { backoffMs, startRestartingInformer, type RestartingInformer } from '../kube/restarting-informer.ts';
import { Semaphore } from '../concurrency/limit.ts';
import { trimForCache } from './cache-trim.ts';
import { ensureFinalizer } from './finalizer.ts';
import { KeyedQueue } from './queue.ts';
import { NO_WATCHER_METRICS, type WatcherMetrics } from '../observability/watcher-metrics.ts';
import { signalDelete, signalSpecChanged } from './signals.ts';

import type { Log } from '../observability/logger.ts';

export interface WatcherDeps {
  kubeConfig: KubeConfig;
  temporal: Client;
  /** Namespaces to watch, one informer each; empty or absent: all namespaces, one informer. */
  namespaces?: string[];
  log: Log;
  /** Replace the informer by a freshly listed one this often (default 300 s). */
  relistSeconds?: number;
  /** Task queue runs are started on (default TASK_QUEUE); tests use their own so no worker runs them. */
  taskQueue?: string;
  /** First retry delay of a failed action or informer (default 1 s); doubles up to 30 s. */
  retryBaseMs?: number;
  metrics?: WatcherMetrics;
  /** Objects handled (finalizer, signal) at once (default DEFAULT_SIGNAL_CONCURRENCY). */
  signalConcurrency?: number;
}

export interface Watcher {
  /** undefined while every informer watches; otherwise which ones are failing (for /readyz). */
  unready(): string | undefined;
  stop(): Promise<void>;
}

export const DEFAULT_RELIST_SECONDS = 300;
/** Enough to keep Temporal and the API server busy after a mass apply, few enough not to swamp them. */
export const DEFAULT_SIGNAL_CONCURRENCY = 32;

interface Sighting {
  object: FlinkSession;
  gone: boolean;
}

export const sessionKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** The informer hands over plain JSON; only an object with the identity the watcher needs is used. */
export function asFlinkSession(object: KubernetesObject): FlinkSession | undefined {
  const meta = object.metadata;
  if (!meta?.name || !meta.namespace || !meta.uid || typeof meta.generation !== 'number') return undefined;
  return object as unknown as FlinkSession;
}

/** A short text for a log line; never a request body (it could hold a spec). */
export function errorText(error: unknown): string {
  const code = apiStatusCode(error);
  if (code !== undefined) return `Kubernetes API answered ${code}`;
  if (error instanceof Error) {
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? ` (HTTP ${error.statusCode})` : '';
    return `${error.name}: ${error.message}${status}`;
  }
  return String(error);
}

export async function startWatcher(deps: WatcherDeps): Promise<Watcher> {
  const { kubeConfig, temporal, log } = deps;
  const relistMs = (deps.relistSeconds ?? DEFAULT_RELIST_SECONDS) * 1000;
  const retryBaseMs = deps.retryBaseMs ?? 1_000;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const metrics = deps.metrics ?? NO_WATCHER_METRICS;
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const queue = new KeyedQueue();
  const slots = new Semaphore(deps.signalConcurrency ?? DEFAULT_SIGNAL_CONCURRENCY);
  /** The newest state the informers reported, per key. */
  const newest = new Map<string, Sighting>();
  /** The state last acted on successfully, per key: the baseline of the next decision. */
  const actedOn = new Map<string, FlinkSession>();
  const queued = new Set<string>();
  const retries = new Map<string, { failures: number; timer?: NodeJS.Timeout }>();
  let stopped = false;

  const sessionFields = (session: FlinkSession) => ({
    namespace: session.metadata.namespace,
    name: session.metadata.name,
    generation: session.metadata.generation,
    uid: session.metadata.uid,
    resourceVersion: session.metadata.resourceVersion,
    workflowId: workflowId(session.metadata.namespace, session.metadata.name),
  });

  /** Queues the key unless it is already waiting: the handler always takes the newest state. */
  function schedule(key: string): void {
    if (stopped || queued.has(key)) return;
    queued.add(key);
    void queue.enqueue(key, () =>
      slots.run(async () => {
        // Events that arrive while the key waits for a slot are taken in by this run.
        queued.delete(key);
        await handleGuarded(key);
      }),
    );
  }

  function sighted(object: KubernetesObject, gone: boolean): void {
    const session = asFlinkSession(object);
    if (!session) {
      log.warn('ignored an object without name, namespace, uid or generation', { name: object.metadata?.name });
      return;
    }
    const key = sessionKey(session.metadata.namespace, session.metadata.name);
    newest.set(key, { object: session, gone });
    schedule(key);
  }

  async function handleGuarded(key: string): Promise<void> {
    if (stopped) return;
    const sighting = newest.get(key);
    if (!sighting) return;
    try {
      await handle(key, sighting);
      const retry = retries.get(key);
      if (retry?.timer === undefined) retries.delete(key);
    } catch (error: unknown) {
      const retry = retries.get(key) ?? { failures: 0 };
      retry.failures += 1;
      retries.set(key, retry);
      const delay = backoffMs(retry.failures, retryBaseMs);
      log.error('action failed; retrying', { ...sessionFields(sighting.object), error: errorText(error), retryInMs: delay });
      if (stopped || retry.timer !== undefined) return;
      retry.timer = setTimeout(() => {
        retry.timer = undefined;
        schedule(key);
      }, delay);
    }
  }

  async function counted<T>(signal: 'specChanged' | 'delete', sent: Promise<T>): Promise<T> {
    try {
      const result = await sent;
      metrics.signalSent(signal, 'ok');
      return result;
    } catch (error: unknown) {
      metrics.signalSent(signal, 'error');
      throw error;
    }
  }

  async function handle(key: string, { object, gone }: Sighting): Promise<void> {
    const decision = decide({ object, previous: actedOn.get(key), gone });
    const fields = { ...sessionFields(object), decision: decision.kind, reason: decision.reason };
    const next: SignalDecision = decision.kind === 'needs-finalizer' ? decision.then : decision;
    if (decision.kind === 'needs-finalizer') {
      const outcome = await ensureFinalizer(customObjects, object);
      log[outcome === 'added' ? 'info' : 'debug'](`finalizer ${outcome}`, fields);
      // Refused on a stale resourceVersion, or the object is gone: the event that brought the change
      // decides again, against the same baseline.
      if (outcome === 'stale' || outcome === 'gone') return;
    }
    if (SPEC_SIGNALS.has(next.kind)) {
      const run = await counted('specChanged', signalSpecChanged(temporal, object, taskQueue));
      log.info('signalled specChanged', { ...fields, decision: next.kind, reason: next.reason, runId: run.signaledRunId });
    } else if (next.kind === 'deletion-requested') {
      const run = await counted('delete', signalDelete(temporal, object, taskQueue));
      log.info('signalled delete', { ...fields, decision: next.kind, reason: next.reason, runId: run.signaledRunId });
    } else {
      log.debug('nothing to do', { ...fields, decision: next.kind, reason: next.reason });
    }
    if (gone) {
      actedOn.delete(key);
      if (newest.get(key)?.gone) newest.delete(key);
    } else {
      actedOn.set(key, object);
    }
  }

  /** One informer over one namespace (or all), replaced on error (with backoff) and on every relist. */
  function watchScope(namespace: string | undefined): RestartingInformer<KubernetesObject> & { scope: string } {
    const scope = namespace ?? '(all namespaces)';
    const informer = startRestartingInformer<KubernetesObject>({
      kubeConfig,
      path:
        namespace === undefined
          ? `/apis/${API_GROUP}/${API_VERSION}/${FLINKSESSION_PLURAL}`
          : `/apis/${API_GROUP}/${API_VERSION}/namespaces/${namespace}/${FLINKSESSION_PLURAL}`,
      list: async () =>
        (namespace === undefined
          ? await customObjects.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: FLINKSESSION_PLURAL })
          : await customObjects.listNamespacedCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              namespace,
              plural: FLINKSESSION_PLURAL,
            })) as KubernetesListObject<KubernetesObject>,
      relistMs,
      retryBaseMs,
      trim: (object) => trimForCache(object, { keepSpec: true }),
      onAdd: (object) => sighted(object, false),
      onUpdate: (object) => sighted(object, false),
      onDelete: (object) => sighted(object, true),
      onStarting: (why) => log.debug('informer starting', { scope, why }),
      onFailed: (error, retryInMs) => {
        metrics.watchRestarted('flinksessions');
        log.error('informer failed; restarting', { scope, error: errorText(error), retryInMs });
      },
      onSynced: (cache, why) => {
        log[why === 'periodic relist' ? 'debug' : 'info']('informer watching', { scope, why, objects: cache.list().length });
        // What a fresh list no longer holds left while nobody watched (or while its event was lost):
        // decide on it as gone.
        for (const [key, { object, gone }] of newest) {
          if (gone || (namespace !== undefined && object.metadata.namespace !== namespace)) continue;
          if (cache.get(object.metadata.name, object.metadata.namespace)) continue;
          newest.set(key, { object, gone: true });
          schedule(key);
        }
      },
    });
    return Object.assign(informer, { scope });
  }

  const namespaces = deps.namespaces?.length ? [...new Set(deps.namespaces)] : [undefined];
  const scopes = namespaces.map(watchScope);
  await Promise.all(scopes.map((s) => s.start()));
  metrics.sessionsWatched(() => scopes.flatMap((s) => s.list()).flatMap((object) => asFlinkSession(object) ?? []));

  return {
    unready() {
      const failing = scopes.filter((s) => s.failing()).map((s) => s.scope);
      return failing.length > 0 ? `FlinkSession informer failing for ${failing.join(', ')}` : undefined;
    },
    async stop(): Promise<void> {
      stopped = true;
      for (const retry of retries.values()) clearTimeout(retry.timer);
      await Promise.all(scopes.map((s) => s.stop()));
      await queue.drain();
      log.info('watcher stopped');
    },
  };
}
