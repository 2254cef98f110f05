// `flink-session-operator status <namespace>/<name>`: the session workflow's `status` query and its
// run, readable.
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { statusQuery, type SessionWorkflowStatus } from '../workflows/contract.ts';
import type { SessionTarget } from './target.ts';
import { noWorkflowMessage, openSessionClient, WorkflowNotFoundError } from './temporal-client.ts';
import type { Env } from '../config/temporal.ts';

export interface StatusView {
  target: SessionTarget;
  workflowId: string;
  runId: string;
  runStatus: string;
  startedAt: Date;
  taskQueue: string;
  status?: SessionWorkflowStatus;
  /** Why the query had no answer (no worker polling, …). */
  queryError?: string;
  uiLink?: string;
}

/** Pure: the lines `status` prints. */
export function formatStatus(view: StatusView): string {
  const s = view.status;
  const lines = [
    `FlinkSession ${view.target.namespace}/${view.target.name}`,
    `  workflow:            ${view.workflowId} (run ${view.runId}, ${view.runStatus}, started ${view.startedAt.toISOString()}, task queue ${view.taskQueue})`,
  ];
  if (s) {
    lines.push(
      `  phase:               ${s.phase}${s.step ? ` (now: ${s.step})` : ''}`,
      `  desired generation:  ${s.desiredGeneration ?? '-'}`,
      `  deployed generation: ${s.deployedGeneration ?? '-'}`,
      `  redeploys:           ${s.redeploys}`,
      ...(s.lastError ? [`  last error:          ${s.lastError}`] : []),
    );
  } else {
    lines.push(`  status query:        no answer (${view.queryError ?? 'unknown'})`);
  }
  if (view.uiLink) lines.push(`  Temporal UI:         ${view.uiLink}`);
  return lines.join('\n');
}

const QUERY_TIMEOUT_MS = 10_000;

export async function status(env: Env, target: SessionTarget, json: boolean): Promise<{ exitCode: number; output: string }> {
  const session = await openSessionClient(env);
  try {
    const handle = session.handle(target);
    let description: WorkflowExecutionDescription;
    try {
      description = await handle.describe();
    } catch (error: unknown) {
      if (error instanceof WorkflowNotFoundError) return { exitCode: 1, output: noWorkflowMessage(target, session.settings) };
      throw error;
    }
    const view: StatusView = {
      target,
      workflowId: description.workflowId,
      runId: description.runId,
      runStatus: description.status.name,
      startedAt: description.startTime,
      taskQueue: description.taskQueue,
      ...(session.uiLink(target) ? { uiLink: session.uiLink(target)! } : {}),
    };
    try {
      view.status = await session.client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(statusQuery));
    } catch (error: unknown) {
      view.queryError = `${error instanceof Error ? error.message : String(error)}; is a worker polling task queue ${description.taskQueue}?`;
    }
    return { exitCode: view.status ? 0 : 1, output: json ? JSON.stringify(view, null, 2) : formatStatus(view) };
  } finally {
    await session.close();
  }
}
