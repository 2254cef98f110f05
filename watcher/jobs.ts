// The FlinkSessionJob side of the watcher: an informer on FlinkSessionJobs (one per watched namespace,
// or one for all) turns `kubectl apply/edit/delete` of a job into a signal to its SESSION's workflow,
// with signal-with-start, so a job applied before its session waits in that workflow. It adds the job
// finalizer first (so a delete waits until the workflow took the job off Flink). As in watcher.ts:
// one key at a time (KeyedQueue), the newest state decided against the last one acted on
// (decide-job.ts), a failed action retried with backoff, the informer replaced on errors and relists.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import type { FlinkSessionJob } from '../model/flinksessionjob.ts';
import { API_GROUP, API_VERSION, FLINKSESSIONJOB_PLURAL, JOB_FINALIZER, TASK_QUEUE, workflowId } from '../model/names.ts';
import { backoffMs, startRestartingInformer, type RestartingInformer } from '../kube/restarting-informer.ts';
import type { Log } from '../observability/logger.ts';
import { NO_WATCHER_METRICS, type WatcherMetrics } from '../observability/watcher-metrics.ts';
import { trimForCache } from './cache-trim.ts';
import { decideJob, type JobSignalDecision } from './decide-job.ts';
import { ensureFinalizer } from './finalizer.ts';
import { KeyedQueue } from './queue.ts';
import { signalJobChanged, signalJobDeleted } from './signals.ts';
import { errorText } from './watcher.ts';

export interface JobWatcherDeps {
  kubeConfig: KubeConfig;
  temporal: Client;
  namespaces?: string[];
  log: Log;
  relistSeconds: number;
  taskQueue?: string;
  retryBaseMs?: number;
  metrics?: WatcherMetrics;
}

export interface JobWatcher {
  unready(): string | undefined;
  stop(): Promise<void>;
}

/** The informer hands over plain JSON; only an object with the identity the watcher needs is used. */
function asJob(object: KubernetesObject): FlinkSessionJob | undefined {
  const meta = object.metadata;
  const spec = (object as { spec?: { session?: unknown } }).spec;
  if (!meta?.name || !meta.namespace || !meta.uid || typeof meta.generation !== 'number' || typeof spec?.session !== 'string') return undefined;
  return object as unknown as FlinkSessionJob;
}

export async function watchSessionJobs(deps: JobWatcherDeps): Promise<JobWatcher> {
  const { kubeConfig, temporal, log } = deps;
  const retryBaseMs = deps.retryBaseMs ?? 1_000;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const metrics = deps.metrics ?? NO_WATCHER_METRICS;
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const queue = new KeyedQueue();
  const newest = new Map<string, { object: FlinkSessionJob; gone: boolean }>();
  const actedOn = new Map<string, FlinkSessionJob>();
  const queued = new Set<string>();
  const retries = new Map<string, { failures: number; timer?: NodeJS.Timeout }>();
  let stopped = false;

  const fields = (job: FlinkSessionJob) => ({
    namespace: job.metadata.namespace,
    job: job.metadata.name,
    session: job.spec.session,
    generation: job.metadata.generation,
    uid: job.metadata.uid,
    workflowId: workflowId(job.metadata.namespace, job.spec.session),
  });

  function schedule(key: string): void {
    if (stopped || queued.has(key)) return;
    queued.add(key);
    void queue.enqueue(key, async () => {
      queued.delete(key);
      await handleGuarded(key);
    });
  }

  function sighted(object: KubernetesObject, gone: boolean): void {
    const job = asJob(object);
    if (!job) {
      log.warn('ignored a FlinkSessionJob without name, namespace, uid, generation or spec.session', { name: object.metadata?.name });
      return;
    }
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    newest.set(key, { object: job, gone });
    schedule(key);
  }

  async function handleGuarded(key: string): Promise<void> {
    const sighting = newest.get(key);
    if (stopped || !sighting) return;
    try {
      await handle(key, sighting.object, sighting.gone);
      if (retries.get(key)?.timer === undefined) retries.delete(key);
    } catch (error: unknown) {
      const retry = retries.get(key) ?? { failures: 0 };
      retry.failures += 1;
      retries.set(key, retry);
      const delay = backoffMs(retry.failures, retryBaseMs);
      log.error('job action failed; retrying', { ...fields(sighting.object), error: errorText(error), retryInMs: delay });
      if (stopped || retry.timer !== undefined) return;
      retry.timer = setTimeout(() => {
        retry.timer = undefined;
        schedule(key);
      }, delay);
    }
  }

  async function handle(key: string, object: FlinkSessionJob, gone: boolean): Promise<void> {
    const decision = decideJob({ object, previous: actedOn.get(key), gone });
    const next: JobSignalDecision = decision.kind === 'needs-finalizer' ? decision.then : decision;
    const logged = { ...fields(object), decision: next.kind, reason: next.reason };
    if (decision.kind === 'needs-finalizer') {
      const outcome = await ensureFinalizer(customObjects, object, { plural: FLINKSESSIONJOB_PLURAL, finalizer: JOB_FINALIZER });
      log[outcome === 'added' ? 'info' : 'debug'](`job finalizer ${outcome}`, logged);
      if (outcome === 'stale' || outcome === 'gone') return;
    }
    if (next.kind === 'job-changed') {
      const run = await signalJobChanged(temporal, object, taskQueue);
      log.info('signalled jobChanged', { ...logged, runId: run.signaledRunId });
    } else if (next.kind === 'job-deleted') {
      const run = await signalJobDeleted(temporal, object, taskQueue);
      log.info('signalled jobDeleted', { ...logged, runId: run.signaledRunId });
    } else {
      log.debug('nothing to do', logged);
    }
    if (gone) {
      actedOn.delete(key);
      if (newest.get(key)?.gone) newest.delete(key);
    } else {
      actedOn.set(key, object);
    }
  }

  function watchScope(namespace: string | undefined): RestartingInformer<KubernetesObject> & { scope: string } {
    const scope = namespace ?? '(all namespaces)';
    const informer = startRestartingInformer<KubernetesObject>({
      kubeConfig,
      path:
        namespace === undefined
          ? `/apis/${API_GROUP}/${API_VERSION}/${FLINKSESSIONJOB_PLURAL}`
          : `/apis/${API_GROUP}/${API_VERSION}/namespaces/${namespace}/${FLINKSESSIONJOB_PLURAL}`,
      list: async () =>
        (namespace === undefined
          ? await customObjects.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: FLINKSESSIONJOB_PLURAL })
          : await customObjects.listNamespacedCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              namespace,
              plural: FLINKSESSIONJOB_PLURAL,
            })) as KubernetesListObject<KubernetesObject>,
      relistMs: deps.relistSeconds * 1000,
      retryBaseMs,
      trim: (object) => trimForCache(object, { keepSpec: true }),
      onAdd: (object) => sighted(object, false),
      onUpdate: (object) => sighted(object, false),
      onDelete: (object) => sighted(object, true),
      onStarting: (why) => log.debug('job informer starting', { scope, why }),
      onFailed: (error, retryInMs) => {
        metrics.watchRestarted('flinksessionjobs');
        log.error('job informer failed; restarting', { scope, error: errorText(error), retryInMs });
      },
      onSynced: (cache, why) => {
        log[why === 'periodic relist' ? 'debug' : 'info']('job informer watching', { scope, why, objects: cache.list().length });
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
  return {
    unready() {
      const failing = scopes.filter((s) => s.failing()).map((s) => s.scope);
      return failing.length > 0 ? `FlinkSessionJob informer failing for ${failing.join(', ')}` : undefined;
    },
    async stop() {
      stopped = true;
      for (const retry of retries.values()) clearTimeout(retry.timer);
      await Promise.all(scopes.map((s) => s.stop()));
      await queue.drain();
    },
  };
}
