// What the Temporal UI shows above a session workflow's history: the run's summary and static
// details (set where the watcher starts the run) and its current details (kept up to date by the
// workflow: phase, step, what the step waits for, generations). Markdown, which the Temporal UI
// renders (a list only after a blank line). Pure.
import type { SessionRef } from './flinksession.ts';
import { FLINKSESSION_KIND, workflowId } from './names.ts';
import { sessionKey } from './step-summaries.ts';

type Session = Pick<SessionRef, 'namespace' | 'name'>;

/** The run's one-line summary: the object, as kubectl users name it. */
export const sessionSummary = (ref: Session): string => `${FLINKSESSION_KIND} ${sessionKey(ref)}`;

/** The run's static details: what this workflow is and where else to look. */
export function sessionStaticDetails(ref: Session): string {
  return [
    `The flink-session-operator's workflow of ${FLINKSESSION_KIND} **${sessionKey(ref)}**: every deploy, redeploy and delete of it runs here as steps, one activity each, with a summary of what the step does.`,
    '',
    `- \`kubectl -n ${ref.namespace} describe fls ${ref.name}\` shows the object's status and events`,
    `- \`temporal workflow query --workflow-id ${workflowId(ref.namespace, ref.name)} --name status\` shows the run's own view`,
  ].join('\n');
}

/** What the workflow knows of itself (the status query's fields the details show). */
export interface SessionProgress extends Session {
  phase: string;
  step?: string;
  desiredGeneration?: number;
  deployedGeneration?: number;
  lastError?: string;
  leftBehind?: string[];
}

/** Said while no step runs: the run waits for a signal from the watcher. */
export const IDLE = 'a change of the FlinkSession (a spec edit, the redeploy annotation, a delete) or its JobManager going missing';

/**
 * The run's current details. `waitingFor` is the summary of the activity the run waits on (none:
 * it waits for a signal). Every run says which session it is about: a run continued as new has no
 * summary of its own (Temporal does not carry it over).
 */
export function currentDetails(progress: SessionProgress, waitingFor?: string): string {
  return [
    `${sessionSummary(progress)}`,
    '',
    `- phase: **${progress.phase}**`,
    `- generation: ${generations(progress)}`,
    `- step: ${progress.step ?? 'none'}`,
    `- waiting for: ${waitingFor ?? IDLE}`,
    ...(progress.lastError ? [`- last error: ${progress.lastError}`] : []),
    ...(progress.leftBehind?.length ? [`- left behind: ${progress.leftBehind.join('; ')}`] : []),
  ].join('\n');
}

function generations({ desiredGeneration, deployedGeneration }: SessionProgress): string {
  if (desiredGeneration === undefined) return deployedGeneration === undefined ? 'none seen yet' : `${deployedGeneration} deployed`;
  if (deployedGeneration === undefined) return `${desiredGeneration} wanted, none deployed`;
  return desiredGeneration === deployedGeneration ? `${deployedGeneration} deployed` : `${desiredGeneration} wanted, ${deployedGeneration} deployed`;
}
