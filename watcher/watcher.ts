// The watcher: FlinkSession changes (`kubectl apply/edit/delete`) become Temporal signals. Its loop
// (informers per watched namespace, one object at a time, retries, relists; finalizer, then signal) is
// reconciler.ts, the decision the pure decide.ts, the signals signals.ts. What is left here is what a
// FlinkSession's reconcile decides with and which signal each decision sends.
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import type { FlinkSession } from '../model/flinksession.ts';
import { FLINKSESSION_KIND, FLINKSESSION_PLURAL, TASK_QUEUE, workflowId } from '../model/names.ts';
import type { Log } from '../observability/logger.ts';
import { NO_WATCHER_METRICS, type SignalName, type WatcherMetrics } from '../observability/watcher-metrics.ts';
import { decide, SPEC_SIGNALS } from './decide.ts';
import { annotationRequests } from './decide-annotations.ts';
import { ensureFinalizer } from './finalizer.ts';
import { act, startReconciler, type Observed, type Outcome } from './reconciler.ts';
import { signalApprove, signalDelete, signalForceRedeploy, signalSpecChanged } from './signals.ts';

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

/** The informer hands over plain JSON; only an object with the identity the watcher needs is used. */
function asFlinkSession(object: KubernetesObject): FlinkSession | undefined {
  const meta = object.metadata;
  if (!meta?.name || !meta.namespace || !meta.uid || typeof meta.generation !== 'number') return undefined;
  return object as unknown as FlinkSession;
}

const sessionFields = ({ metadata }: FlinkSession) => ({
  namespace: metadata.namespace,
  name: metadata.name,
  generation: metadata.generation,
  uid: metadata.uid,
  resourceVersion: metadata.resourceVersion,
  workflowId: workflowId(metadata.namespace, metadata.name),
});

export async function startWatcher(deps: WatcherDeps): Promise<Watcher> {
  const { kubeConfig, temporal, log } = deps;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const metrics = deps.metrics ?? NO_WATCHER_METRICS;
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);

  async function counted<T>(signal: SignalName, sent: Promise<T>): Promise<T> {
    try {
      const result = await sent;
      metrics.signalSent(signal, 'ok');
      return result;
    } catch (error: unknown) {
      metrics.signalSent(signal, 'error');
      throw error;
    }
  }

  /**
   * Decide (decide.ts) against the state last acted on, add the finalizer if it is missing, send the
   * signal decided on; then the signals the force-redeploy and approve annotations stand for
   * (decide-annotations.ts). A failure is retried against the same baseline, so nothing is lost.
   */
  const reconcile = async (observed: Observed<FlinkSession>): Promise<Outcome> => {
    const outcome = await signalDecided(observed);
    if (outcome !== 'acted') return outcome;
    for (const request of annotationRequests(observed)) {
      const run =
        request.kind === 'force-redeploy'
          ? await counted('redeploy', signalForceRedeploy(temporal, observed.object, request.token, request.reason, taskQueue))
          : await counted('approve', signalApprove(temporal, observed.object, request.generation, request.reason, taskQueue));
      log.info(`signalled ${request.kind === 'approve' ? 'approve' : 'redeploy (force)'}`, {
        ...sessionFields(observed.object),
        reason: request.reason,
        runId: run.signaledRunId,
      });
    }
    return outcome;
  };

  const signalDecided = (observed: Observed<FlinkSession>): Promise<Outcome> =>
    act(decide(observed), {
      addFinalizer: () => ensureFinalizer(customObjects, observed.object),
      signalFor: (next) =>
        SPEC_SIGNALS.has(next.kind)
          ? { name: 'specChanged', send: () => counted('specChanged', signalSpecChanged(temporal, observed.object, taskQueue)) }
          : next.kind === 'deletion-requested'
            ? { name: 'delete', send: () => counted('delete', signalDelete(temporal, observed.object, taskQueue)) }
            : undefined,
      fields: sessionFields(observed.object),
      finalizerName: 'finalizer',
      log,
    });

  const sessions = await startReconciler({
    kubeConfig,
    plural: FLINKSESSION_PLURAL,
    kind: FLINKSESSION_KIND,
    namespaces: deps.namespaces,
    relistMs: (deps.relistSeconds ?? DEFAULT_RELIST_SECONDS) * 1000,
    retryBaseMs: deps.retryBaseMs ?? 1_000,
    concurrency: deps.signalConcurrency ?? DEFAULT_SIGNAL_CONCURRENCY,
    log,
    metrics,
    accept: asFlinkSession,
    fields: sessionFields,
    reconcile,
  });
  metrics.sessionsWatched(() => sessions.cached());

  return {
    unready: () => sessions.unready(),
    async stop(): Promise<void> {
      await sessions.stop();
      log.info('watcher stopped');
    },
  };
}
