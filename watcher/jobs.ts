// The FlinkSessionJob side of the watcher: `kubectl apply/edit/delete` of a job becomes a signal to its
// SESSION's workflow, with signal-with-start, so a job applied before its session waits in that
// workflow. The loop is reconciler.ts, as for FlinkSessions (the job finalizer first, so a delete waits
// until the workflow took the job off Flink, then the signal), the decision the pure decide-job.ts.
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import type { FlinkSessionJob } from '../model/flinksessionjob.ts';
import { FLINKSESSIONJOB_KIND, FLINKSESSIONJOB_PLURAL, JOB_FINALIZER, TASK_QUEUE, workflowId } from '../model/names.ts';
import { NO_WATCHER_METRICS } from '../observability/watcher-metrics.ts';
import { decideJob } from './decide-job.ts';
import { ensureFinalizer } from './finalizer.ts';
import { act, startReconciler, type Observed, type Outcome } from './reconciler.ts';
import { signalJobChanged, signalJobDeleted } from './signals.ts';
import type { Watcher, WatcherDeps } from './watcher.ts';

/** As the FlinkSession watcher's, with relistSeconds required (start.ts passes the watcher's) and no limit of jobs at once. */
export type JobWatcherDeps = Omit<WatcherDeps, 'signalConcurrency' | 'relistSeconds'> & { relistSeconds: number };

/** The informer hands over plain JSON; only an object with the identity the watcher needs is used. */
function asJob(object: KubernetesObject): FlinkSessionJob | undefined {
  const meta = object.metadata;
  const spec = (object as { spec?: { session?: unknown } }).spec;
  if (!meta?.name || !meta.namespace || !meta.uid || typeof meta.generation !== 'number' || typeof spec?.session !== 'string') return undefined;
  return object as unknown as FlinkSessionJob;
}

const jobFields = (job: FlinkSessionJob) => ({
  namespace: job.metadata.namespace,
  job: job.metadata.name,
  session: job.spec.session,
  generation: job.metadata.generation,
  uid: job.metadata.uid,
  workflowId: workflowId(job.metadata.namespace, job.spec.session),
});

export async function watchSessionJobs(deps: JobWatcherDeps): Promise<Watcher> {
  const { kubeConfig, temporal, log } = deps;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);

  /** Decide (decide-job.ts) against the state last acted on, add the job finalizer if it is missing, send the signal decided on. */
  const reconcile = (observed: Observed<FlinkSessionJob>): Promise<Outcome> =>
    act(decideJob(observed), {
      addFinalizer: () => ensureFinalizer(customObjects, observed.object, { plural: FLINKSESSIONJOB_PLURAL, finalizer: JOB_FINALIZER }),
      signalFor: (next) =>
        next.kind === 'job-changed'
          ? { name: 'jobChanged', send: () => signalJobChanged(temporal, observed.object, taskQueue) }
          : next.kind === 'job-deleted'
            ? { name: 'jobDeleted', send: () => signalJobDeleted(temporal, observed.object, taskQueue) }
            : undefined,
      fields: jobFields(observed.object),
      finalizerName: 'job finalizer',
      log,
    });

  const jobs = await startReconciler({
    kubeConfig,
    plural: FLINKSESSIONJOB_PLURAL,
    kind: FLINKSESSIONJOB_KIND,
    namespaces: deps.namespaces,
    relistMs: deps.relistSeconds * 1000,
    retryBaseMs: deps.retryBaseMs ?? 1_000,
    log,
    metrics: deps.metrics ?? NO_WATCHER_METRICS,
    accept: asJob,
    fields: jobFields,
    reconcile,
  });
  return { unready: () => jobs.unready(), stop: () => jobs.stop() };
}
