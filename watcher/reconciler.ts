// The watcher's loop over one custom resource (FlinkSessions in watcher.ts, FlinkSessionJobs in
// jobs.ts): informer events become reconciles of one object at a time. It is deliberately stateless
// across restarts: the informer cache is what it knows; in memory it also remembers, per object, the
// state it last acted on (so a failed action is decided again, and a relist or a repeated event does
// nothing). After a restart every object is a first sight and is reconciled once more.
//
// 1. Every informer event only records the newest state of its object and queues the object's key.
// 2. One key is handled at a time (KeyedQueue), at most `concurrency` keys at once: `reconcile`
//    decides on the newest state against the last state acted on (the pure decide*.ts), and `act`
//    takes the steps: the finalizer first when the decision asks for it (so a `kubectl delete` waits
//    for the workflow), then the signal decided on, if any (signals.ts).
// 3. A failed reconcile is retried with backoff (1 s doubling to 30 s) on the object's newest state.
// 4. An informer error restarts the informer with the same backoff; every `relistMs` the informer is
//    replaced by a freshly listed one, and what that list no longer holds left while nobody watched
//    (or its event was lost): it is reconciled as gone.
import type { WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { Semaphore } from '../concurrency/limit.ts';
import { scopedInformers, watchPath } from '../kube/informer-scopes.ts';
import { backoffMs } from '../kube/restarting-informer.ts';
import { API_GROUP, API_VERSION } from '../model/names.ts';
import { sessionKey } from '../model/step-summaries.ts';
import type { Log } from '../observability/logger.ts';
import type { WatchedResource, WatcherMetrics } from '../observability/watcher-metrics.ts';
import { trimForCache } from './cache-trim.ts';
import { errorText } from './error-text.ts';
import { KeyedQueue } from './queue.ts';
import type { FinalizerOutcome } from './finalizer.ts';

/** What the reconciler reads of every object: the key it is queued under. */
interface Named {
  metadata: { name: string; namespace: string };
}

/** One object's newest state and the state last acted on; `gone`: it has left the API server. */
export interface Observed<T> {
  object: T;
  previous?: T;
  gone: boolean;
}

/**
 * `acted`: the object is the baseline of its next decision. `again`: the baseline stays, and the
 * object's next event decides again (a finalizer patch refused on a stale resourceVersion).
 */
export type Outcome = 'acted' | 'again';

export interface ReconcilerOptions<T extends Named> {
  kubeConfig: KubeConfig;
  /** The custom resource's plural (it names its informer restarts in the metrics, too); `kind` names it in /readyz. */
  plural: Exclude<WatchedResource, 'jobmanager-deployments'>;
  kind: string;
  /** Namespaces to watch, one informer each; empty or absent: all namespaces, one informer. */
  namespaces?: readonly string[];
  relistMs: number;
  /** First retry delay of a failed reconcile or informer; doubles up to 30 s. */
  retryBaseMs: number;
  /** Objects reconciled at once; absent: no limit but one at a time per object. */
  concurrency?: number;
  log: Log;
  metrics: WatcherMetrics;
  /** The object as the reconciler hands it on, or undefined when it lacks what `reconcile` reads. */
  accept(object: KubernetesObject): T | undefined;
  /** What log lines say of the object. */
  fields(object: T): Record<string, unknown>;
  /** Decides on the object's newest state and acts; a throw is retried with backoff. */
  reconcile(observed: Observed<T>): Promise<Outcome>;
}

export interface Reconciler<T> {
  /** undefined while every informer watches; otherwise which ones are failing (for /readyz). */
  unready(): string | undefined;
  /** The objects the informer caches hold now. */
  cached(): T[];
  /** Stops the informers and the retries, and waits for reconciles under way. */
  stop(): Promise<void>;
}

export async function startReconciler<T extends Named>(options: ReconcilerOptions<T>): Promise<Reconciler<T>> {
  const { log, plural } = options;
  const customObjects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const queue = new KeyedQueue();
  const slots = options.concurrency === undefined ? undefined : new Semaphore(options.concurrency);
  /** The newest state the informers reported, per key. */
  const newest = new Map<string, { object: T; gone: boolean }>();
  /** The state last acted on, per key: the baseline of the next decision. */
  const actedOn = new Map<string, T>();
  const queued = new Set<string>();
  const retries = new Map<string, { failures: number; timer?: NodeJS.Timeout }>();
  let stopped = false;

  /** Queues the key unless it is already waiting: the reconcile always takes the newest state. */
  function schedule(key: string): void {
    if (stopped || queued.has(key)) return;
    queued.add(key);
    const run = async (): Promise<void> => {
      // Events that arrive while the key waits for a slot are taken in by this run.
      queued.delete(key);
      await reconcileGuarded(key);
    };
    void queue.enqueue(key, () => (slots ? slots.run(run) : run()));
  }

  function sighted(object: KubernetesObject, gone: boolean): void {
    const accepted = options.accept(object);
    if (!accepted) {
      log.warn(`ignored a ${options.kind} without the fields the watcher reads`, { resource: plural, name: object.metadata?.name });
      return;
    }
    const key = sessionKey(accepted.metadata);
    newest.set(key, { object: accepted, gone });
    schedule(key);
  }

  async function reconcileGuarded(key: string): Promise<void> {
    const sighting = newest.get(key);
    if (stopped || !sighting) return;
    const { object, gone } = sighting;
    try {
      const outcome = await options.reconcile({ object, previous: actedOn.get(key), gone });
      if (outcome === 'acted' && gone) {
        actedOn.delete(key);
        if (newest.get(key)?.gone) newest.delete(key);
      } else if (outcome === 'acted') {
        actedOn.set(key, object);
      }
      if (retries.get(key)?.timer === undefined) retries.delete(key);
    } catch (error: unknown) {
      const retry = retries.get(key) ?? { failures: 0 };
      retry.failures += 1;
      retries.set(key, retry);
      const delay = backoffMs(retry.failures, options.retryBaseMs);
      log.error('action failed; retrying', { ...options.fields(object), error: errorText(error), retryInMs: delay });
      if (stopped || retry.timer !== undefined) return;
      retry.timer = setTimeout(() => {
        retry.timer = undefined;
        schedule(key);
      }, delay);
    }
  }

  /** What a fresh list of `namespace` (or of all) no longer holds left unseen: reconcile it as gone. */
  function goneUnseen(cache: ObjectCache<KubernetesObject>, namespace: string | undefined): void {
    for (const [key, { object, gone }] of newest) {
      if (gone || (namespace !== undefined && object.metadata.namespace !== namespace)) continue;
      if (cache.get(object.metadata.name, object.metadata.namespace)) continue;
      newest.set(key, { object, gone: true });
      schedule(key);
    }
  }

  const informers = scopedInformers<KubernetesObject>(options.namespaces, (namespace, scope) => ({
    kubeConfig: options.kubeConfig,
    path: watchPath(`/apis/${API_GROUP}/${API_VERSION}`, plural, namespace),
    list: async () =>
      (namespace === undefined
        ? await customObjects.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural })
        : await customObjects.listNamespacedCustomObject({
            group: API_GROUP,
            version: API_VERSION,
            namespace,
            plural,
          })) as KubernetesListObject<KubernetesObject>,
    relistMs: options.relistMs,
    retryBaseMs: options.retryBaseMs,
    trim: (object) => trimForCache(object, { keepSpec: true }),
    onAdd: (object) => sighted(object, false),
    onUpdate: (object) => sighted(object, false),
    onDelete: (object) => sighted(object, true),
    onStarting: (why) => log.debug('informer starting', { resource: plural, scope, why }),
    onFailed: (error, retryInMs) => {
      options.metrics.watchRestarted(plural);
      log.error('informer failed; restarting', { resource: plural, scope, error: errorText(error), retryInMs });
    },
    onSynced: (cache, why) => {
      log[why === 'periodic relist' ? 'debug' : 'info']('informer watching', { resource: plural, scope, why, objects: cache.list().length });
      goneUnseen(cache, namespace);
    },
  }));
  await informers.start();

  return {
    unready() {
      const failing = informers.failing();
      return failing.length > 0 ? `${options.kind} informer failing for ${failing.join(', ')}` : undefined;
    },
    cached: () => informers.list().flatMap((object) => options.accept(object) ?? []),
    async stop() {
      stopped = true;
      for (const retry of retries.values()) clearTimeout(retry.timer);
      await informers.stop();
      await queue.drain();
    },
  };
}

interface Decided {
  kind: string;
  reason: string;
}

/** How a decision is acted on. */
export interface Acting<D extends Decided> {
  /** Adds the finalizer; called when the decision is `needs-finalizer`. */
  addFinalizer(): Promise<FinalizerOutcome>;
  /** The signal a decision sends (its name for the log, and how it is sent), or undefined for none. */
  signalFor(next: D): { name: string; send: () => Promise<WorkflowHandleWithSignaledRunId> } | undefined;
  /** Log lines about the object carry these. */
  fields: Record<string, unknown>;
  /** How the finalizer's log line names it ('finalizer', 'job finalizer'). */
  finalizerName: string;
  log: Log;
}

/** The steps of a reconcile once its decision is made: the finalizer if it is missing, then the signal. */
export async function act<D extends Decided>(decision: D | { kind: 'needs-finalizer'; reason: string; then: D }, acting: Acting<D>): Promise<Outcome> {
  const { log } = acting;
  const fields = { ...acting.fields, decision: decision.kind, reason: decision.reason };
  const next: D = 'then' in decision ? decision.then : decision;
  if ('then' in decision) {
    const outcome = await acting.addFinalizer();
    log[outcome === 'added' ? 'info' : 'debug'](`${acting.finalizerName} ${outcome}`, fields);
    // Refused on a stale resourceVersion, or the object is gone: the event that brought the change
    // decides again, against the same baseline.
    if (outcome === 'stale' || outcome === 'gone') return 'again';
  }
  const logged = { ...fields, decision: next.kind, reason: next.reason };
  const signal = acting.signalFor(next);
  if (signal) {
    const run = await signal.send();
    log.info(`signalled ${signal.name}`, { ...logged, runId: run.signaledRunId });
  } else {
    log.debug('nothing to do', logged);
  }
  return 'acted';
}
