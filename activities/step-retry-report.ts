// Tells kubectl about a step that Temporal is retrying (the workflow itself sees nothing until the step
// ends): the FlinkSession's conditions and lastError say which step fails, its attempt and error, and an
// Event is recorded on the first failure and every tenth. Called by the worker's step interceptor.
import * as k8s from '@kubernetes/client-node';
import type { FlinkSession } from '../model/flinksession.ts';
import { renderSessionEvent } from '../model/session-event.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL } from '../model/names.ts';
import { recordsRetryEvent, retryingStatus, retryMessage, type RetryingStep } from '../model/step-retry.ts';
import { createIgnoringConflict, isNotFound } from '../kube/errors.ts';
import { mergePatchStatus } from '../kube/resource-writes.ts';

export interface StepRetryReport extends RetryingStep {
  namespace: string;
  name: string;
  /** The same for every attempt of one activity call: the run and the activity's id. */
  callKey: string;
}

export type ReportStepRetry = (report: StepRetryReport) => Promise<void>;

export function createStepRetryReporter(deps: { kubeConfig: k8s.KubeConfig; instance: string }): ReportStepRetry {
  const objects = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const core = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);
  return async (report) => {
    const target = { group: API_GROUP, version: API_VERSION, namespace: report.namespace, plural: FLINKSESSION_PLURAL, name: report.name };
    let session: FlinkSession;
    try {
      session = (await objects.getNamespacedCustomObject(target)) as FlinkSession;
    } catch (error: unknown) {
      if (isNotFound(error)) return;
      throw error;
    }
    const status = retryingStatus(session.status, report, new Date().toISOString());
    if (!(await mergePatchStatus(objects, target, status))) return;
    if (!recordsRetryEvent(report.attempt)) return;
    const { namespace, name } = report;
    const event = renderSessionEvent(
      {
        namespace,
        name,
        uid: session.metadata.uid,
        type: 'Warning',
        reason: 'StepRetrying',
        message: retryMessage(report),
        key: `${report.callKey}/attempt-${report.attempt}`,
        instance: deps.instance,
      },
      new Date(),
    );
    await createIgnoringConflict(() => core.createNamespacedEvent({ namespace, body: event }));
  };
}
