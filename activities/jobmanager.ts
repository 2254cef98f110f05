// The JobManager Flink created: find it, delete it, wait for its pods to go, wait until it serves.
import * as k8s from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { clientError } from '../model/client-error.ts';
import { jobManagerPodFailure } from '../model/jobmanager-pod-failure.ts';
import type { SessionRef } from '../model/flinksession.ts';
import { FLINK_LABEL_COMPONENT, FLINK_REST_PORT_NAME, JOB_NAME_LABEL, jobManagerDeploymentName, restServiceName } from '../model/names.ts';
import { flinkLabelsText, flinkObjectSelector, isFlinkHaConfigMapOf, isFlinkJobManagerOf, NAME_CONFLICT, nameConflictMessage } from '../model/ownership.ts';
import { firstScheduledAt, heartbeatIfInActivity } from './heartbeat.ts';
import { apiMessage, deleteIgnoringNotFound, isNotFound } from '../kube/errors.ts';
import { namespacedPath, type ChangeWake } from '../kube/change-wake.ts';
import { wakeOnChanges } from './wait-wake.ts';

export interface JobManagerDeps {
  kubeConfig: k8s.KubeConfig;
  /** How often polls look again. */
  pollIntervalMs: number;
  /** How long a launch may take until the JobManager serves. */
  readinessDeadlineSeconds: number;
  /** How long the pods of a deleted JobManager may take to go (pods stuck Terminating on a dead node). */
  clusterGoneDeadlineSeconds: number;
  /** Flink's REST overview: `{namespace}`/`{name}` in a URL template, or (undefined) the API server's service proxy. */
  restUrlTemplate?: string;
}

export interface JobManagerEndpoint {
  deployment: string;
  restService: string;
  nodePort?: number;
}

export function createJobManagerActivities(deps: JobManagerDeps) {
  const apps = deps.kubeConfig.makeApiClient(k8s.AppsV1Api);
  const core = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const batch = deps.kubeConfig.makeApiClient(k8s.BatchV1Api);

  /** Whether Flink's JobManager Deployment of this session is there (a foreign Deployment of that name is not). */
  async function jobManagerExists(ref: SessionRef): Promise<boolean> {
    return (await readDeployment(ref)) !== undefined;
  }

  /**
   * Deletes Flink's JobManager Deployment; its ReplicaSets, pods and TaskManagers follow (owner
   * references). Only a Deployment with Flink's labels for this cluster, and only the one read (uid
   * precondition: one re-created meanwhile under the same name is not deleted unseen).
   */
  async function deleteJobManagerDeployment(ref: SessionRef): Promise<{ deleted: boolean }> {
    const name = jobManagerDeploymentName(ref.name);
    const found = await readAnyDeployment(ref);
    if (!found) return { deleted: false };
    if (!isFlinkJobManagerOf(found.metadata?.labels, ref.name)) {
      throw ApplicationFailure.nonRetryable(nameConflictMessage(`Deployment ${ref.namespace}/${name}`, flinkLabelsText(ref.name, true)), NAME_CONFLICT);
    }
    const deleted = await deleteIgnoringNotFound(() =>
      apps.deleteNamespacedDeployment({
        name,
        namespace: ref.namespace,
        propagationPolicy: 'Background',
        body: { preconditions: { uid: found.metadata?.uid } },
      }),
    );
    return { deleted };
  }

  /**
   * Waits until nothing of the session's Flink cluster is left: the Deployment, its pods (JobManager and
   * TaskManagers), and the Services and ConfigMaps Flink owns through it. A new launch while Flink's old
   * rest Service is still there would make Flink's client fail ("already exists") and tear its new cluster down.
   * HA ConfigMaps are not waited for: they outlive the cluster on purpose.
   */
  async function waitForFlinkClusterGone(ref: SessionRef): Promise<{ waitedMs: number }> {
    // From the first attempt: a retry (a worker that died, a timeout) goes on with the same deadline.
    const started = firstScheduledAt();
    const deadline = started + deps.clusterGoneDeadlineSeconds * 1000;
    // Looked at again as the Deployment and each pod go (the pods take longest: they terminate; the
    // Services and ConfigMaps go with the Deployment), at the latest after the poll interval.
    const labelSelector = flinkObjectSelector(ref.name);
    const gone = wakeOnChanges(
      deps.kubeConfig,
      [
        { ...jobManagerDeploymentWatch(ref), wakeOn: ['DELETED'] },
        { path: namespacedPath('v1', 'pods', ref.namespace), labelSelector, wakeOn: ['DELETED'] },
      ],
      deps.pollIntervalMs,
    );
    try {
      await gone.opened;
      for (;;) {
        const left = await listFlinkCluster(ref);
        if (left.length === 0) return { waitedMs: Date.now() - started };
        if (Date.now() >= deadline) {
          throw ApplicationFailure.nonRetryable(
            `${left.join(', ')} of ${ref.namespace}/${ref.name} still there ${deps.clusterGoneDeadlineSeconds} s after the JobManager Deployment was deleted ` +
              `(pods stuck Terminating? see kubectl -n ${ref.namespace} describe ${left[0]})`,
            'ClusterNotGone',
          );
        }
        heartbeatIfInActivity({ left });
        await gone.next(deps.pollIntervalMs);
      }
    } finally {
      gone.close();
    }
  }

  /**
   * What is there of the session's Flink cluster, as kind/name: the JobManager Deployment, the pods
   * (JobManager and TaskManagers), Services and non-HA ConfigMaps Flink created for it.
   */
  async function listFlinkCluster(ref: SessionRef): Promise<string[]> {
    const selector = flinkObjectSelector(ref.name);
    const [deployment, pods, services, configMaps] = await Promise.all([
      readDeployment(ref),
      core.listNamespacedPod({ namespace: ref.namespace, labelSelector: selector }),
      core.listNamespacedService({ namespace: ref.namespace, labelSelector: selector }),
      core.listNamespacedConfigMap({ namespace: ref.namespace, labelSelector: selector }),
    ]);
    return [
      ...(deployment ? [`deployment/${deployment.metadata?.name}`] : []),
      ...pods.items.map((p) => `pod/${p.metadata?.name}`),
      ...services.items.map((s) => `service/${s.metadata?.name}`),
      ...configMaps.items.filter((c) => !isFlinkHaConfigMapOf(c.metadata?.name, c.metadata?.labels, ref.name)).map((c) => `configmap/${c.metadata?.name}`),
    ];
  }

  /**
   * Waits until the JobManager Deployment is available and Flink's REST answers /v1/overview. A launch
   * Job that failed, a JobManager container that keeps exiting, or an image that cannot be pulled ends
   * the wait at once (non-retryable: a redeploy with a fixed spec is needed).
   */
  async function waitForJobManagerReady(input: { ref: SessionRef; launchJob?: string }): Promise<JobManagerEndpoint> {
    const { ref } = input;
    // From the first attempt, so neither a retry nor the activity's own timeout restarts the wait.
    const deadline = firstScheduledAt() + deps.readinessDeadlineSeconds * 1000;
    let waitingFor = 'the JobManager Deployment';
    const progress = watchReadiness(ref);
    try {
      await progress.opened;
      for (let first = true; first || Date.now() < deadline; first = false) {
        heartbeatIfInActivity({ waitingFor });
        const deployment = await readDeployment(ref);
        if (deployment && (deployment.status?.availableReplicas ?? 0) >= 1) {
          waitingFor = "Flink's REST /v1/overview";
          if (await restAnswers(ref)) return await endpoint(ref);
        } else if (deployment) {
          waitingFor = 'an available JobManager pod';
          await failIfJobManagerCannotStart(ref);
        }
        // Only then the launch Job: Flink's client can fail after it created a cluster that runs fine.
        if (!deployment && input.launchJob) await failIfLaunchFailed(ref, input.launchJob);
        await progress.next(deps.pollIntervalMs);
      }
    } finally {
      progress.close();
    }
    throw ApplicationFailure.nonRetryable(
      `the JobManager of ${ref.namespace}/${ref.name} was not ready within ${deps.readinessDeadlineSeconds} s (waiting for ${waitingFor}); ` +
        `see ${input.launchJob ? `the launch Job ${input.launchJob} and ` : ''}the JobManager pod's events`,
      'ReadinessTimeout',
    );
  }

  /**
   * What the readiness wait is woken by: the JobManager Deployment (created, then available). A pod
   * that cannot start, a launch Job that failed and Flink's REST itself are looked at again after the
   * poll interval: one watch per wait, however many sessions launch at once.
   */
  function watchReadiness(ref: SessionRef): ChangeWake {
    return wakeOnChanges(deps.kubeConfig, [{ ...jobManagerDeploymentWatch(ref), wakeOn: ['ADDED', 'MODIFIED'] }], deps.pollIntervalMs);
  }

  function jobManagerDeploymentWatch(ref: SessionRef): { path: string; fieldSelector: string } {
    return { path: namespacedPath('apps/v1', 'deployments', ref.namespace), fieldSelector: `metadata.name=${jobManagerDeploymentName(ref.name)}` };
  }

  /** Flink's JobManager Deployment of this session; a Deployment of that name without Flink's labels is not it. */
  async function readDeployment(ref: SessionRef): Promise<k8s.V1Deployment | undefined> {
    const deployment = await readAnyDeployment(ref);
    return deployment && isFlinkJobManagerOf(deployment.metadata?.labels, ref.name) ? deployment : undefined;
  }

  async function readAnyDeployment(ref: SessionRef): Promise<k8s.V1Deployment | undefined> {
    try {
      return await apps.readNamespacedDeployment({ name: jobManagerDeploymentName(ref.name), namespace: ref.namespace });
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function failIfLaunchFailed(ref: SessionRef, jobName: string): Promise<void> {
    let job: k8s.V1Job;
    try {
      job = await batch.readNamespacedJob({ name: jobName, namespace: ref.namespace });
    } catch (error: unknown) {
      if (isNotFound(error)) return; // removed by its TTL after it finished: the Deployment tells the rest
      throw error;
    }
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed) {
      const said = await lastClientError(ref, jobName);
      throw ApplicationFailure.nonRetryable(
        `the launch Job ${jobName} failed (${failed.reason ?? 'Failed'}: ${failed.message ?? 'no message'})${said ? `; Flink's client said: ${said}` : ''}; ` +
          `read its pod's log: kubectl -n ${ref.namespace} logs job/${jobName}`,
        'LaunchFailed',
      );
    }
  }

  async function failIfJobManagerCannotStart(ref: SessionRef): Promise<void> {
    const pods = await core.listNamespacedPod({ namespace: ref.namespace, labelSelector: jobManagerPodSelector(ref) });
    const failure = jobManagerPodFailure(pods.items, ref.namespace);
    if (failure) throw ApplicationFailure.nonRetryable(failure.message, failure.reason);
  }

  /** The error in the termination message of the Job's last failed pod (the launch container keeps its log's tail there). */
  async function lastClientError(ref: SessionRef, jobName: string): Promise<string | undefined> {
    const pods = await core.listNamespacedPod({ namespace: ref.namespace, labelSelector: `${JOB_NAME_LABEL}=${jobName}` });
    const messages = pods.items
      .filter((p) => p.status?.phase === 'Failed')
      .sort((a, b) => (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0))
      .flatMap((p) => p.status?.containerStatuses?.map((c) => c.state?.terminated?.message ?? '') ?? []);
    return clientError(messages.at(-1) ?? '');
  }

  async function restAnswers(ref: SessionRef): Promise<boolean> {
    try {
      if (deps.restUrlTemplate) {
        const url = deps.restUrlTemplate.replaceAll('{namespace}', ref.namespace).replaceAll('{name}', ref.name);
        const response = await fetch(`${url.replace(/\/$/, '')}/v1/overview`, { signal: AbortSignal.timeout(5_000) });
        return response.ok && typeof ((await response.json()) as { taskmanagers?: unknown }).taskmanagers === 'number';
      }
      const body = await core.connectGetNamespacedServiceProxyWithPath({
        name: `${restServiceName(ref.name)}:${FLINK_REST_PORT_NAME}`,
        namespace: ref.namespace,
        path: 'v1/overview',
      });
      return typeof (JSON.parse(body) as { taskmanagers?: unknown }).taskmanagers === 'number';
    } catch (error: unknown) {
      heartbeatIfInActivity({ restError: apiMessage(error) });
      return false;
    }
  }

  async function endpoint(ref: SessionRef): Promise<JobManagerEndpoint> {
    const restService = restServiceName(ref.name);
    let nodePort: number | undefined;
    try {
      const service = await core.readNamespacedService({ name: restService, namespace: ref.namespace });
      nodePort = service.spec?.ports?.find((p) => p.name === FLINK_REST_PORT_NAME)?.nodePort;
    } catch (error: unknown) {
      if (!isNotFound(error)) throw error;
    }
    return { deployment: jobManagerDeploymentName(ref.name), restService, ...(nodePort ? { nodePort } : {}) };
  }

  return { jobManagerExists, deleteJobManagerDeployment, waitForFlinkClusterGone, listFlinkCluster, waitForJobManagerReady };
}

/** Flink's JobManager pods of this session. */
function jobManagerPodSelector(ref: SessionRef): string {
  return `${flinkObjectSelector(ref.name)},${FLINK_LABEL_COMPONENT}=jobmanager`;
}
