// The Temporal client of the one-shot commands (status, redeploy, plan), from the same settings as the
// operator's processes.
import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ConfigError } from '../config/errors.ts';
import { connectTemporal } from '../config/temporal-connection.ts';
import { readTemporalSettings, temporalUiWorkflowUrl, type Env, type TemporalSettings } from '../config/temporal.ts';
import { workflowId } from '../model/names.ts';
import type { SessionTarget } from './target.ts';

export interface SessionClient {
  settings: TemporalSettings;
  client: Client;
  handle(target: SessionTarget): WorkflowHandle;
  /** A Temporal Web UI link to the session's workflow, when TEMPORAL_UI_URL is set. */
  uiLink(target: SessionTarget): string | undefined;
  close(): Promise<void>;
}

export async function openSessionClient(env: Env): Promise<SessionClient> {
  const problems: string[] = [];
  const settings = readTemporalSettings(env, problems);
  if (problems.length > 0) throw new ConfigError(problems, 'Temporal settings');
  const connection = await connectTemporal(Connection, settings);
  const client = new Client({ connection, namespace: settings.namespace });
  return {
    settings,
    client,
    handle: (target) => client.workflow.getHandle(workflowId(target.namespace, target.name)),
    uiLink: (target) => (settings.uiUrl ? temporalUiWorkflowUrl(settings.uiUrl, settings.namespace, workflowId(target.namespace, target.name)) : undefined),
    close: () => connection.close(),
  };
}

/** What to say when a session has no workflow in Temporal. */
export function noWorkflowMessage(target: SessionTarget, settings: TemporalSettings): string {
  return (
    `no workflow ${workflowId(target.namespace, target.name)} in Temporal namespace "${settings.namespace}" at ${settings.address}: ` +
    `does the FlinkSession exist (kubectl get fls -n ${target.namespace} ${target.name}), ` +
    `and does the watcher use the same TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE?`
  );
}

export { WorkflowNotFoundError };
