// Keeps a run's current details (the Temporal UI shows them above the history, and the
// __temporal_workflow_metadata query answers them) up to date: what the session is in, the step, and
// the call the step waits for. Fed by summarisedActivities; deterministic (a string in memory).
import { setCurrentDetails } from '@temporalio/workflow';
import { currentDetails, type SessionProgress } from '../model/session-details.ts';
import { DETAILS_MAX_BYTES, fitted } from '../model/step-summaries.ts';
import type { CallListener } from './summarised-activities.ts';

export class RunProgress implements CallListener {
  private waitingFor: string | undefined;
  private readonly read: () => SessionProgress;

  constructor(read: () => SessionProgress) {
    this.read = read;
    this.refresh();
  }

  calling(summary: string): void {
    this.waitingFor = summary;
    this.refresh();
  }

  ended(): void {
    this.waitingFor = undefined;
    this.refresh();
  }

  /** After a change no call follows (a step ended). */
  refresh(): void {
    setCurrentDetails(fitted(currentDetails(this.read(), this.waitingFor), DETAILS_MAX_BYTES));
  }
}
