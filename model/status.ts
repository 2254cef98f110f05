// Status computation (pure): the workflow says what it observed; this turns it into the status
// subresource with Ready / Progressing / Degraded conditions, keeping transition times that did not change.
import { conditionMaker } from './conditions.ts';
import type { FlinkSessionStatus } from './flinksession.ts';

type Condition = NonNullable<FlinkSessionStatus['conditions']>[number];
export type Phase = NonNullable<FlinkSessionStatus['phase']>;

export interface StatusReport {
  phase: Phase;
  /** CamelCase, e.g. Deploying, Ready, InvalidSpec, LaunchFailed. */
  reason: string;
  message: string;
  /** The generation this report is about. */
  generation: number;
  /** Whether the JobManager serves (Ready condition). */
  ready: boolean;
  /** An error that needs a person (Degraded condition, lastError); undefined clears it. */
  error?: string;
  /** Progressing although the phase is not one that progresses by itself (a redeploy waiting for approval). */
  progressing?: boolean;
  jobManager?: FlinkSessionStatus['jobManager'];
  workflow?: FlinkSessionStatus['workflow'];
}

const PROGRESSING_PHASES: readonly Phase[] = ['Pending', 'Deploying', 'Redeploying', 'Deleting'];

export function nextStatus(current: FlinkSessionStatus | undefined, report: StatusReport, now: string): FlinkSessionStatus {
  const condition = conditionMaker<Condition>(current?.conditions, report.generation, now);
  const progressing = report.progressing === true || PROGRESSING_PHASES.includes(report.phase);
  const status: FlinkSessionStatus = {
    phase: report.phase,
    observedGeneration: report.generation,
    conditions: [
      condition('Ready', report.ready, report.ready ? 'JobManagerReady' : report.reason, report.message),
      condition('Progressing', progressing, progressing ? report.reason : 'Idle', report.message),
      condition('Degraded', report.error !== undefined, report.error !== undefined ? report.reason : 'AsExpected', report.error ?? 'no error'),
    ],
    jobManager: report.jobManager ?? current?.jobManager,
    workflow: report.workflow ?? current?.workflow,
  };
  if (report.error !== undefined) status.lastError = report.error;
  return status;
}
