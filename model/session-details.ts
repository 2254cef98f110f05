// What the Temporal UI shows above a session workflow's history: the run's summary and static
// details (set where the watcher starts the run) and its current details (kept up to date by the
// workflow: phase, step, what the step waits for, generations). Markdown, which the Temporal UI
// renders (a list only after a blank line). Pure.
import type { SessionRef } from './flinksession.ts';
import { FLINKSESSION_KIND } from './names.ts';
import { sessionKey } from './step-summaries.ts';

type Session = Pick<SessionRef, 'namespace' | 'name'>;

/** The run's one-line summary: the object, as kubectl users name it. */
export const sessionSummary = (ref: Session): string => `${FLINKSESSION_KIND} ${sessionKey(ref)}`;

/** The run's static details: what this workflow is and where else to look (short: the UI shows a few lines). */
export function sessionStaticDetails(ref: Session): string {
  return (
    `Every deploy, redeploy and delete of ${FLINKSESSION_KIND} **${sessionKey(ref)}** runs here, one step (activity) at a time. ` +
    `Its status and Events: \`kubectl -n ${ref.namespace} describe fls ${ref.name}\`; the run's own view: the \`status\` query.`
  );
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
export const IDLE = 'a signal (spec edit, redeploy, delete, JobManager gone)';

/**
 * The run's current details. `waitingFor` is the summary of the activity the run waits on (none:
 * it waits for a signal). Every run says which session it is about: a run continued as new has no
 * summary of its own (Temporal does not carry it over). Few lines: the UI shows only the first ones.
 */
export function currentDetails(progress: SessionProgress, waitingFor?: string): string {
  return [
    `${sessionSummary(progress)}: **${progress.phase}**, ${generations(progress)}`,
    '',
    `- step: ${progress.step ?? 'none'}`,
    `- waiting for: ${waitingFor ?? IDLE}`,
    ...(progress.lastError ? [`- last error: ${progress.lastError}`] : []),
    ...(progress.leftBehind?.length ? [`- left behind: ${progress.leftBehind.join('; ')}`] : []),
  ].join('\n');
}

function generations({ desiredGeneration, deployedGeneration }: SessionProgress): string {
  if (desiredGeneration === undefined) return deployedGeneration === undefined ? 'no generation seen yet' : `generation ${deployedGeneration} deployed`;
  if (deployedGeneration === undefined) return `generation ${desiredGeneration} wanted, none deployed`;
  return desiredGeneration === deployedGeneration
    ? `generation ${deployedGeneration} deployed`
    : `generation ${desiredGeneration} wanted, ${deployedGeneration} deployed`;
}
