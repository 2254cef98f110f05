// What a person sees with kubectl: the status subresource, Events, and the finalizer that holds a delete.
import { temporalUiWorkflowUrl } from '../config/temporal.ts';
import * as k8s from '@kubernetes/client-node';
import type { FlinkSession, FlinkSessionStatus, SessionRef } from '../model/flinksession.ts';
import { API_GROUP, API_VERSION, FINALIZER, FLINKSESSION_PLURAL } from '../model/names.ts';
import { nextStatus, type StatusReport } from '../model/status.ts';
import { isNotFound } from '../kube/errors.ts';
import { mergePatchStatus, recordEventBestEffort, removeFinalizer, type EventRecorded, type EventText } from '../kube/resource-writes.ts';
import { activityCallKey } from './heartbeat.ts';

export interface SessionStatusDeps {
  kubeConfig: k8s.KubeConfig;
  /** Temporal Web UI base URL, for the workflow link in status. */
  temporalUiUrl?: string;
  temporalNamespace: string;
  /** Identifies this worker in Events (reportingInstance). */
  instance: string;
}

export interface WorkflowRef {
  id: string;
  runId: string;
}

export function createSessionStatusActivities(deps: SessionStatusDeps) {
  const objects = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const events = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const target = (ref: SessionRef) => ({ group: API_GROUP, version: API_VERSION, namespace: ref.namespace, plural: FLINKSESSION_PLURAL, name: ref.name });

  async function read(ref: SessionRef): Promise<FlinkSession | undefined> {
    try {
      const session = (await objects.getNamespacedCustomObject(target(ref))) as FlinkSession;
      return session.metadata.uid === ref.uid ? session : undefined;
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  function workflowLink(workflow: WorkflowRef): NonNullable<FlinkSessionStatus['workflow']> {
    const url = deps.temporalUiUrl ? temporalUiWorkflowUrl(deps.temporalUiUrl, deps.temporalNamespace, workflow.id, workflow.runId) : undefined;
    return { id: workflow.id, runId: workflow.runId, ...(url ? { url } : {}) };
  }

  /** Merge-patches the status subresource; a session that is gone (or replaced) is left alone. */
  async function reportStatus(input: { ref: SessionRef; report: StatusReport; workflow: WorkflowRef }): Promise<{ patched: boolean }> {
    const current = await read(input.ref);
    if (!current) return { patched: false };
    const status: Record<string, unknown> = {
      ...nextStatus(current.status, { ...input.report, workflow: workflowLink(input.workflow) }, new Date().toISOString()),
    };
    if (input.report.error === undefined) status.lastError = null; // merge patch: null removes it
    return { patched: await mergePatchStatus(objects, target(input.ref), status) };
  }

  /** Merge-patches status.jobs (the JOBS column): how many of the session's FlinkSessionJobs there are, and run. */
  async function reportSessionJobs(input: { ref: SessionRef; jobs: NonNullable<FlinkSessionStatus['jobs']> }): Promise<{ patched: boolean }> {
    return patchStatusFields(input.ref, { jobs: input.jobs });
  }

  /** Merge-patches status.carriedJobs: what the latest redeploy did with each job that ran on the session, and where it runs again. */
  async function reportCarriedJobs(input: { ref: SessionRef; carriedJobs: NonNullable<FlinkSessionStatus['carriedJobs']> }): Promise<{ patched: boolean }> {
    return patchStatusFields(input.ref, { carriedJobs: input.carriedJobs });
  }

  /** Merge-patches some fields of the status (the rest stays); a session that is gone is left alone. */
  async function patchStatusFields(ref: SessionRef, fields: Partial<FlinkSessionStatus>): Promise<{ patched: boolean }> {
    if (!(await read(ref))) return { patched: false };
    return { patched: await mergePatchStatus(objects, target(ref), fields) };
  }

  /** Records a Kubernetes Event on the FlinkSession (kubectl describe fls shows them); best effort, named after the activity call. */
  async function recordEvent(input: EventText & { ref: SessionRef }): Promise<EventRecorded> {
    const { namespace, name, uid } = input.ref;
    const { type, reason, message } = input;
    return recordEventBestEffort(events, { namespace, name, uid, type, reason, message, instance: deps.instance }, activityCallKey());
  }

  /** Removes the finalizer, so Kubernetes completes the delete; retried on conflicting writes. */
  async function releaseFinalizer(ref: SessionRef): Promise<{ released: boolean }> {
    return { released: await removeFinalizer(objects, target(ref), FINALIZER, () => read(ref), `${ref.namespace}/${ref.name}`) };
  }

  return { reportStatus, reportSessionJobs, reportCarriedJobs, recordEvent, releaseFinalizer };
}
