// Drift: Flink's JobManager Deployment deleted behind the operator's back. An informer on JobManager
// Deployments (Flink's labels) tells the session's workflow, which checks that the Deployment is really
// gone (a redeploy deletes it too) and reports it, or redeploys, as FSO_DRIFT_POLICY says.
import { AppsV1Api, type KubeConfig, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FLINK_LABEL_APP, FLINK_LABEL_COMPONENT, FLINK_LABEL_TYPE, FLINK_TYPE_NATIVE, workflowId } from '../model/names.ts';
import { jobManagerMissingSignal } from '../workflows/contract.ts';
import type { WatcherMetrics } from '../observability/watcher-metrics.ts';
import type { Log } from '../observability/logger.ts';
import { errorText } from './error-text.ts';
import { trimForCache } from './cache-trim.ts';
import { scopedInformers, watchPath } from '../kube/informer-scopes.ts';

const JOBMANAGER_SELECTOR = `${FLINK_LABEL_TYPE}=${FLINK_TYPE_NATIVE},${FLINK_LABEL_COMPONENT}=jobmanager`;

export interface DriftDeps {
  kubeConfig: KubeConfig;
  temporal: Client;
  namespaces: string[];
  redeploy: boolean;
  log: Log;
  metrics: WatcherMetrics;
  /** Replace the informers by freshly listed ones this often (the watcher's FSO_RELIST_SECONDS). */
  relistSeconds?: number;
  /** First restart delay after an informer error (default 1 s); doubles up to 30 s. */
  retryBaseMs?: number;
}

export interface DriftWatch {
  /** undefined while every informer watches; otherwise which ones are failing (for /readyz). */
  unready(): string | undefined;
  stop(): Promise<void>;
}

/** The session a JobManager Deployment belongs to: Flink names the cluster id in the app label. */
function sessionOfDeployment(deployment: KubernetesObject): { namespace: string; name: string } | undefined {
  const namespace = deployment.metadata?.namespace;
  const name = deployment.metadata?.labels?.[FLINK_LABEL_APP];
  return namespace && name ? { namespace, name } : undefined;
}

const deploymentKey = (deployment: KubernetesObject): string => `${deployment.metadata?.namespace}/${deployment.metadata?.name}`;

export async function watchJobManagers(deps: DriftDeps): Promise<DriftWatch> {
  const apps = deps.kubeConfig.makeApiClient(AppsV1Api);
  const informers = scopedInformers<V1Deployment>(deps.namespaces, (namespace, scope) => {
    /** The JobManager Deployments seen in this scope: one a fresh list no longer holds was deleted unseen. */
    const known = new Map<string, V1Deployment>();
    const gone = (deployment: V1Deployment): void => {
      known.delete(deploymentKey(deployment));
      void report(deployment);
    };
    return {
      kubeConfig: deps.kubeConfig,
      path: watchPath('/apis/apps/v1', 'deployments', namespace),
      list: () =>
        namespace === undefined
          ? apps.listDeploymentForAllNamespaces({ labelSelector: JOBMANAGER_SELECTOR })
          : apps.listNamespacedDeployment({ namespace, labelSelector: JOBMANAGER_SELECTOR }),
      labelSelector: JOBMANAGER_SELECTOR,
      relistMs: deps.relistSeconds === undefined ? undefined : deps.relistSeconds * 1000,
      retryBaseMs: deps.retryBaseMs,
      // Only a Deployment's name, namespace and labels are read (its cached spec would be most of the memory).
      trim: (deployment) => trimForCache(deployment, { keepSpec: false }),
      onAdd: (deployment) => void known.set(deploymentKey(deployment), deployment),
      onUpdate: (deployment) => void known.set(deploymentKey(deployment), deployment),
      onDelete: gone,
      onFailed: (error, retryInMs) => {
        deps.metrics.watchRestarted('jobmanager-deployments');
        deps.log.warn('JobManager informer failed; restarting', { scope, error: errorText(error), retryInMs });
      },
      onSynced: (cache) => {
        for (const deployment of [...known.values()]) {
          if (!cache.get(deployment.metadata!.name!, deployment.metadata!.namespace)) gone(deployment);
        }
      },
    };
  });

  async function report(deployment: V1Deployment): Promise<void> {
    const session = sessionOfDeployment(deployment);
    if (!session) return;
    const id = workflowId(session.namespace, session.name);
    try {
      await deps.temporal.workflow.getHandle(id).signal(jobManagerMissingSignal, { deployment: deployment.metadata!.name!, redeploy: deps.redeploy });
      deps.metrics.signalSent('jobManagerMissing', 'ok');
      deps.log.info('signalled jobManagerMissing', { ...session, workflowId: id, redeploy: deps.redeploy });
    } catch (error: unknown) {
      // No run: the session is gone or was never the operator's; nothing to report to.
      if (error instanceof WorkflowNotFoundError) return;
      deps.metrics.signalSent('jobManagerMissing', 'error');
      deps.log.error('could not report a deleted JobManager', { ...session, workflowId: id, error: errorText(error) });
    }
  }

  await informers.start();
  return {
    unready() {
      const failing = informers.failing();
      return failing.length > 0 ? `JobManager Deployment informer failing for ${failing.join(', ')}` : undefined;
    },
    stop: () => informers.stop(),
  };
}
