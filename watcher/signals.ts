// The watcher's only way to talk to the workflow: signal-with-start, so a signal always finds a run
// (the first one starts it; a delete of a session whose workflow already finished still gets handled).
// Signals are idempotent by uid + generation + redeploy token, so two watchers sending the same one do
// no harm. Secret values never go into a signal: the spec is always redacted.
import type { Client, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { FlinkSession } from '../model/flinksession.ts';
import { redactSpec } from '../model/redact.ts';
import { sessionStaticDetails, sessionSummary } from '../model/session-details.ts';
import {
  deleteSignal,
  SEARCH_ATTRIBUTES,
  SESSION_WORKFLOW,
  specChangedSignal,
  TASK_QUEUE,
  workflowId,
  type DeleteRequest,
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

/** Search attributes a run starts with (a running workflow keeps its generation attribute current itself). */
export function searchAttributes(session: FlinkSession): SearchAttributePair[] {
  return [
    { key: SEARCH_ATTRIBUTES.namespace, value: session.metadata.namespace },
    { key: SEARCH_ATTRIBUTES.name, value: session.metadata.name },
    { key: SEARCH_ATTRIBUTES.generation, value: session.metadata.generation },
  ];
}

/** How a session's run starts (the first signal of a chain of runs starts it). */
export function startOptions(session: FlinkSession, taskQueue: string) {
  const { namespace, name } = session.metadata;
  const input: SessionWorkflowInput = { namespace, name };
  return {
    workflowId: workflowId(namespace, name),
    taskQueue,
    args: [input] as [SessionWorkflowInput],
    typedSearchAttributes: searchAttributes(session),
    // What the Temporal UI titles the run with (a run continued as new starts without: Temporal does
    // not carry these over, and the workflow's current details name the session instead).
    staticSummary: sessionSummary({ namespace, name }),
    staticDetails: sessionStaticDetails({ namespace, name }),
  };
}

/** `taskQueue` is the operator's own; tests pass another so no worker runs what they start. */
export function signalSpecChanged(client: Client, session: FlinkSession, taskQueue = TASK_QUEUE): Promise<WorkflowHandleWithSignaledRunId> {
  return client.workflow.signalWithStart<(input: SessionWorkflowInput) => Promise<void>, [SpecChanged]>(SESSION_WORKFLOW, {
    ...startOptions(session, taskQueue),
    signal: specChangedSignal,
    signalArgs: [specChangedPayload(session)],
  });
}

export function signalDelete(client: Client, session: FlinkSession, taskQueue = TASK_QUEUE): Promise<WorkflowHandleWithSignaledRunId> {
  // The spec rides along: a run that starts with the delete still knows what to clean (autoClean, HA).
  const request: DeleteRequest = {
    uid: session.metadata.uid, generation: session.metadata.generation, spec: redactSpec(session.spec),
    ...(skipCleanup(session) ? { skipCleanup: true } : {}),
  };
  return client.workflow.signalWithStart<(input: SessionWorkflowInput) => Promise<void>, [DeleteRequest]>(SESSION_WORKFLOW, {
    ...startOptions(session, taskQueue),
    signal: deleteSignal,
    signalArgs: [request],
  });
}
