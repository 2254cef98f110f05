// A FlinkSessionJob as kubectl shows it (status, Events, the finalizer), and the worker's check of the
// object in the API server before it submits or stops a job: Temporal is not a trusted source of specs
// (SPEC: Ownership and trust), so a forged jobChanged or jobDeleted changes nothing.
import { Context } from '@temporalio/activity';
import * as k8s from '@kubernetes/client-node';
import { jobStatus, type FlinkSessionJob, type FlinkSessionJobSpec, type JobRef, type JobStatusReport } from '../model/flinksessionjob.ts';
import {
  API_GROUP,
  API_VERSION,
  FLINKSESSIONJOB_API_VERSION,
  FLINKSESSIONJOB_KIND,
  FLINKSESSIONJOB_PLURAL,
  JOB_FINALIZER,
  workflowId,
} from '../model/names.ts';
import { jobSpecHash } from '../model/flink-job-id.ts';
import type { JobChanged } from '../workflows/contract.ts';
import { isNotFound } from '../kube/errors.ts';
import { mergePatchStatus, recordEventBestEffort, removeFinalizer, type EventRecorded, type EventText } from '../kube/resource-writes.ts';
import { activityCallKey } from './heartbeat.ts';

export interface FlinkJobStatusDeps {
  kubeConfig: k8s.KubeConfig;
  watchedNamespaces: string[];
  instance: string;
}

/** What the workflow is about to do with the job. */
export type JobStep = 'submit' | 'suspend' | 'delete';

export type JobCheckResult =
  | { trusted: true }
  /**
   * `current`: what the API server holds for this very job (this uid, of this session), so the workflow
   * goes on looking after it, `deleting` when its deletion is underway; `gone`: no such object.
   */
  | { trusted: false; why: string; gone?: boolean; current?: JobChanged; deleting?: boolean };

/** The jobChanged payload of an object (the watcher sends the same). */
export function jobChangedPayload(job: FlinkSessionJob): JobChanged {
  return { name: job.metadata.name, uid: job.metadata.uid, generation: job.metadata.generation, spec: job.spec };
}

export function createFlinkJobStatusActivities(deps: FlinkJobStatusDeps) {
  const objects = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const events = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const target = (ref: Pick<JobRef, 'namespace' | 'name'>) => ({
    group: API_GROUP,
    version: API_VERSION,
    namespace: ref.namespace,
    plural: FLINKSESSIONJOB_PLURAL,
    name: ref.name,
  });

  async function read(ref: Pick<JobRef, 'namespace' | 'name'>): Promise<FlinkSessionJob | undefined> {
    try {
      return (await objects.getNamespacedCustomObject(target(ref))) as FlinkSessionJob;
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * The job in the API server against what the workflow is about to act on: the asking workflow is
   * the session's, the namespace is watched, the object is this uid of this session, and either it
   * holds this very generation and spec (submit) or it is being deleted (delete).
   */
  async function checkSessionJob(input: { job: JobRef; session: string; spec?: FlinkSessionJobSpec; step: JobStep }): Promise<JobCheckResult> {
    const { job, session, step } = input;
    const asking = Context.current().info.workflowExecution?.workflowId ?? '';
    const key = `${job.namespace}/${job.name}`;
    if (asking !== workflowId(job.namespace, session))
      return {
        trusted: false,
        why: `the workflow ${asking} asked to ${step} FlinkSessionJob ${key} of session ${session}, whose workflow is ${workflowId(job.namespace, session)}`,
      };
    if (deps.watchedNamespaces.length > 0 && !deps.watchedNamespaces.includes(job.namespace)) {
      return { trusted: false, why: `namespace ${job.namespace} is not watched by this operator (FSO_WATCH_NAMESPACES=${deps.watchedNamespaces.join(',')})` };
    }
    const object = await read(job);
    if (!object) return { trusted: false, gone: true, why: `there is no FlinkSessionJob ${key} in the API server` };
    if (object.metadata.uid !== job.uid)
      return { trusted: false, why: `the FlinkSessionJob ${key} in the API server has uid ${object.metadata.uid}, the signal named uid ${job.uid}` };
    if (object.spec.session !== session) return { trusted: false, why: `the FlinkSessionJob ${key} runs on session ${object.spec.session}, not ${session}` };
    // From here on the object is this job of this session: a refusal hands back what the API server
    // holds, so a forged signal cannot make the workflow forget a job (and then ignore its real delete).
    const deleting = object.metadata.deletionTimestamp !== undefined;
    const held = { current: jobChangedPayload(object), ...(deleting ? { deleting: true } : {}) };
    if (step === 'delete') {
      return deleting
        ? { trusted: true }
        : { trusted: false, why: `the FlinkSessionJob ${key} is not being deleted in the API server (no deletionTimestamp)`, ...held };
    }
    if (object.metadata.generation !== job.generation || input.spec === undefined || jobSpecHash(input.spec) !== jobSpecHash(object.spec)) {
      return { trusted: false, why: `the job to ${step} is not the one the API server holds for ${key} (generation ${object.metadata.generation})`, ...held };
    }
    if (deleting) return { trusted: false, why: `the FlinkSessionJob ${key} is being deleted`, ...held };
    return { trusted: true };
  }

  /** Merge-patches the job's status subresource; a job that is gone (or replaced) is left alone. */
  async function reportJobStatus(input: { job: JobRef; report: JobStatusReport }): Promise<{ patched: boolean }> {
    const current = await read(input.job);
    if (!current || current.metadata.uid !== input.job.uid) return { patched: false };
    const status: Record<string, unknown> = { ...jobStatus(current.status, input.report, new Date().toISOString()) };
    // merge patch: null removes what the report no longer says
    if (input.report.error === undefined) status.lastError = null;
    if (input.report.rootCause === undefined) status.rootCause = null;
    return { patched: await mergePatchStatus(objects, target(input.job), status) };
  }

  /** An Event on the FlinkSessionJob; best effort, named after the activity call so a retry records no second one. */
  async function recordJobEvent(input: EventText & { job: JobRef }): Promise<EventRecorded> {
    const { namespace, name, uid } = input.job;
    const involvedObject = { apiVersion: FLINKSESSIONJOB_API_VERSION, kind: FLINKSESSIONJOB_KIND };
    const { type, reason, message } = input;
    return recordEventBestEffort(events, { namespace, name, uid, type, reason, message, instance: deps.instance, involvedObject }, activityCallKey());
  }

  /** Removes the job finalizer, so Kubernetes completes the delete; retried on conflicting writes. */
  async function releaseJobFinalizer(job: JobRef): Promise<{ released: boolean }> {
    const readThisJob = async () => {
      const current = await read(job);
      return current?.metadata.uid === job.uid ? current : undefined;
    };
    return { released: await removeFinalizer(objects, target(job), JOB_FINALIZER, readThisJob, `FlinkSessionJob ${job.namespace}/${job.name}`) };
  }

  return { checkSessionJob, reportJobStatus, recordJobEvent, releaseJobFinalizer };
}
