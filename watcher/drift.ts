// Drift: Flink's JobManager Deployment deleted behind the operator's back. An informer on JobManager
// Deployments (Flink's labels) tells the session's workflow, which checks that the Deployment is really
// gone (a redeploy deletes it too) and reports it, or redeploys, as FSO_DRIFT_POLICY says.
import { AppsV1Api, makeInformer, type KubeConfig, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FLINK_LABEL_APP, FLINK_LABEL_COMPONENT, FLINK_LABEL_TYPE, FLINK_TYPE_NATIVE, workflowId } from '../model/names.ts';
import { jobManagerMissingSignal } from '../workflows/contract.ts';
import type { WatcherMetrics } from '../observability/watcher-metrics.ts';
import type { Log } from './watcher.ts';
import { errorText } from './watcher.ts';
import { trimForCache } from './cache-trim.ts';

export const JOBMANAGER_SELECTOR = `${FLINK_LABEL_TYPE}=${FLINK_TYPE_NATIVE},${FLINK_LABEL_COMPONENT}=jobmanager`;

export interface DriftDeps {
  kubeConfig: KubeConfig;
  temporal: Client;
  namespaces: string[];
  redeploy: boolean;
  log: Log;
  metrics: WatcherMetrics;
}

/** The session a JobManager Deployment belongs to: Flink names the cluster id in the app label. */
export function sessionOfDeployment(deployment: KubernetesObject): { namespace: string; name: string } | undefined {
  const namespace = deployment.metadata?.namespace;
  const name = deployment.metadata?.labels?.[FLINK_LABEL_APP];
  return namespace && name ? { namespace, name } : undefined;
}

export function watchJobManagers(deps: DriftDeps): { stop(): Promise<void> } {
  const apps = deps.kubeConfig.makeApiClient(AppsV1Api);
  const scopes = deps.namespaces.length > 0 ? deps.namespaces : [undefined];
  const informers = scopes.map((namespace) => {
    const path = namespace ? `/apis/apps/v1/namespaces/${namespace}/deployments` : '/apis/apps/v1/deployments';
    const list = () => (namespace
      ? apps.listNamespacedDeployment({ namespace, labelSelector: JOBMANAGER_SELECTOR })
      : apps.listDeploymentForAllNamespaces({ labelSelector: JOBMANAGER_SELECTOR }));
    const informer = makeInformer<V1Deployment>(deps.kubeConfig, path, list, JOBMANAGER_SELECTOR);
    // Only a Deployment's name, namespace and labels are read (its cached spec would be most of the memory).
    informer.on('add', (deployment) => trimForCache(deployment, { keepSpec: false }));
    informer.on('update', (deployment) => trimForCache(deployment, { keepSpec: false }));
    informer.on('delete', (deployment) => void report(deployment));
    informer.on('error', (error: unknown) => {
      deps.log('JobManager informer failed; restarting in 5 s', { level: 'warn', error: errorText(error) });
      deps.metrics.watchRestarted('jobmanager-deployments');
      setTimeout(() => void informer.start(), 5_000);
    });
    void informer.start();
    return informer;
  });

  async function report(deployment: V1Deployment): Promise<void> {
    const session = sessionOfDeployment(deployment);
    if (!session) return;
    const id = workflowId(session.namespace, session.name);
    try {
      await deps.temporal.workflow.getHandle(id).signal(jobManagerMissingSignal, { deployment: deployment.metadata!.name!, redeploy: deps.redeploy });
      deps.metrics.signalSent('jobManagerMissing', 'ok');
      deps.log('signalled jobManagerMissing', { ...session, workflowId: id, redeploy: deps.redeploy });
    } catch (error: unknown) {
      // No run: the session is gone or was never the operator's; nothing to report to.
      if (error instanceof WorkflowNotFoundError) return;
      deps.metrics.signalSent('jobManagerMissing', 'error');
      deps.log('could not report a deleted JobManager', { level: 'error', ...session, workflowId: id, error: errorText(error) });
    }
  }

  return { stop: async () => void (await Promise.all(informers.map((i) => i.stop()))) };
}
