// The watcher's only way to talk to the workflow: signal-with-start, so a signal always finds a run
// (the first one starts it; a delete of a session whose workflow already finished still gets handled).
// Signals are idempotent by uid + generation + redeploy token, so two watchers sending the same one do
// no harm. Secret values never go into a signal: the spec is always redacted.
import type { Client, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import type { SearchAttributePair, SignalDefinition } from '@temporalio/common';
import type { FlinkSession } from '../model/flinksession.ts';
import type { FlinkSessionJob } from '../model/flinksessionjob.ts';
import { redactSpec } from '../model/redact.ts';
import { sessionStaticDetails, sessionSummary } from '../model/session-details.ts';
import {
  approveSignal,
  deleteSignal,
  jobChangedSignal,
  jobDeletedSignal,
  redeploySignal,
  SEARCH_ATTRIBUTES,
  SESSION_WORKFLOW,
  specChangedSignal,
  TASK_QUEUE,
  workflowId,
  type ApproveRequest,
  type DeleteRequest,
  type JobChanged,
  type JobDeleted,
  type RedeployRequest,
  type SessionWorkflowInput,
  type SpecChanged,
} from '../workflows/contract.ts';
import { redeployToken, skipCleanup } from './decide.ts';

/** The `specChanged` payload of an object: what the workflow needs, with no secret value in it. */
export function specChangedPayload(session: FlinkSession): SpecChanged {
  const token = redeployToken(session);
  return {
    uid: session.metadata.uid,
    generation: session.metadata.generation,
    spec: redactSpec(session.spec),
    ...(token === undefined ? {} : { redeployToken: token }),
  };
}

/**
 * Search attributes a run starts with (a running workflow keeps its generation attribute current
 * itself); a run a FlinkSessionJob starts does not know the session's generation yet.
 */
export function searchAttributes(namespace: string, name: string, generation?: number): SearchAttributePair[] {
  return [
    { key: SEARCH_ATTRIBUTES.namespace, value: namespace },
    { key: SEARCH_ATTRIBUTES.name, value: name },
    ...(generation === undefined ? [] : [{ key: SEARCH_ATTRIBUTES.generation, value: generation }]),
  ];
}

/** How a session's run starts (the first signal of a chain of runs starts it). */
export function startOptions(session: FlinkSession, taskQueue: string) {
  return sessionStartOptions(session.metadata.namespace, session.metadata.name, taskQueue, session.metadata.generation);
}

function sessionStartOptions(namespace: string, name: string, taskQueue: string, generation?: number) {
  const input: SessionWorkflowInput = { namespace, name };
  return {
    workflowId: workflowId(namespace, name),
    taskQueue,
    args: [input] as [SessionWorkflowInput],
    typedSearchAttributes: searchAttributes(namespace, name, generation),
    // What the Temporal UI titles the run with (a run continued as new starts without: Temporal does
    // not carry these over, and the workflow's current details name the session instead).
    staticSummary: sessionSummary({ namespace, name }),
    staticDetails: sessionStaticDetails({ namespace, name }),
  };
}

/** Signal-with-start of a session's workflow: the signal finds the run, or starts one (`start`). */
function signalSession<Arg>(
  client: Client,
  start: ReturnType<typeof sessionStartOptions>,
  signal: SignalDefinition<[Arg]> | SignalDefinition<[Arg?]>,
  arg: Arg,
): Promise<WorkflowHandleWithSignaledRunId> {
  return client.workflow.signalWithStart<(input: SessionWorkflowInput) => Promise<void>, [Arg]>(SESSION_WORKFLOW, {
    ...start,
    signal: signal.name,
    signalArgs: [arg],
  });
}

/** `taskQueue` is the operator's own; tests pass another so no worker runs what they start. */
export function signalSpecChanged(client: Client, session: FlinkSession, taskQueue = TASK_QUEUE): Promise<WorkflowHandleWithSignaledRunId> {
  return signalSession(client, startOptions(session, taskQueue), specChangedSignal, specChangedPayload(session));
}

export function signalDelete(client: Client, session: FlinkSession, taskQueue = TASK_QUEUE): Promise<WorkflowHandleWithSignaledRunId> {
  // The spec rides along: a run that starts with the delete still knows what to clean (autoClean, HA).
  const request: DeleteRequest = {
    uid: session.metadata.uid,
    generation: session.metadata.generation,
    spec: redactSpec(session.spec),
    ...(skipCleanup(session) ? { skipCleanup: true } : {}),
  };
  return signalSession(client, startOptions(session, taskQueue), deleteSignal, request);
}

/** The force-redeploy annotation: the redeploy signal with force, carrying the annotation's value as its token. */
export function signalForceRedeploy(
  client: Client,
  session: FlinkSession,
  token: string,
  reason: string,
  taskQueue = TASK_QUEUE,
): Promise<WorkflowHandleWithSignaledRunId> {
  const request: RedeployRequest = { force: true, token, reason };
  return signalSession(client, startOptions(session, taskQueue), redeploySignal, request);
}

/** The approve annotation: the approve signal for the generation it names. */
export function signalApprove(
  client: Client,
  session: FlinkSession,
  generation: number,
  by: string,
  taskQueue = TASK_QUEUE,
): Promise<WorkflowHandleWithSignaledRunId> {
  const request: ApproveRequest = { generation, by };
  return signalSession(client, startOptions(session, taskQueue), approveSignal, request);
}

/**
 * A FlinkSessionJob signals its SESSION's workflow (flinksession/<namespace>/<spec.session>), starting
 * it when it does not run, so a job applied before its session waits there for it.
 */
export function signalJobChanged(client: Client, job: FlinkSessionJob, taskQueue = TASK_QUEUE): Promise<WorkflowHandleWithSignaledRunId> {
  const change: JobChanged = { name: job.metadata.name, uid: job.metadata.uid, generation: job.metadata.generation, spec: job.spec };
  return signalSession(client, sessionStartOptions(job.metadata.namespace, job.spec.session, taskQueue), jobChangedSignal, change);
}

export function signalJobDeleted(client: Client, job: FlinkSessionJob, taskQueue = TASK_QUEUE): Promise<WorkflowHandleWithSignaledRunId> {
  const request: JobDeleted = { name: job.metadata.name, uid: job.metadata.uid };
  return signalSession(client, sessionStartOptions(job.metadata.namespace, job.spec.session, taskQueue), jobDeletedSignal, request);
}
