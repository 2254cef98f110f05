// A step that keeps failing while Temporal retries it, as kubectl shows it: Progressing (and, past a
// threshold, Degraded) with the step, the attempt and the error; an Event now and then, not one per
// retry. Pure: the worker's step interceptor does the I/O.
import type { FlinkSessionStatus } from './flinksession.ts';

type Condition = NonNullable<FlinkSessionStatus['conditions']>[number];

export interface RetryingStep {
  /** The activity type, e.g. ensureBucket. */
  step: string;
  /** Temporal's attempt number of the failed try (1 for the first). */
  attempt: number;
  error: string;
}

/** From this attempt on (about half a minute of retries with the workflow's backoff) the session is Degraded. */
export const DEGRADED_AFTER_ATTEMPTS = 5;
/** An Event on the first failure and on every tenth after it (every ~5 minutes at the 30 s cap). */
const RETRY_EVENT_EVERY = 10;

export const recordsRetryEvent = (attempt: number): boolean => attempt === 1 || attempt % RETRY_EVENT_EVERY === 0;

export const retryMessage = (r: RetryingStep): string => `step ${r.step} failed (attempt ${r.attempt}), retrying: ${r.error}`;

/** The status with the retrying step in its conditions and lastError; phase, Ready and the rest as they were. */
export function retryingStatus(current: FlinkSessionStatus | undefined, retrying: RetryingStep, now: string): FlinkSessionStatus {
  const message = retryMessage(retrying);
  const conditions = new Map<Condition['type'], Condition>((current?.conditions ?? []).map((c) => [c.type, c]));
  const set = (type: Condition['type'], status: boolean, reason: string, text: string): void => {
    const before = conditions.get(type);
    const value: Condition['status'] = status ? 'True' : 'False';
    conditions.set(type, {
      type,
      status: value,
      ...(before?.observedGeneration !== undefined ? { observedGeneration: before.observedGeneration } : {}),
      lastTransitionTime: before && before.status === value ? before.lastTransitionTime : now,
      reason,
      message: text,
    });
  };
  set('Progressing', true, 'StepRetrying', message);
  if (retrying.attempt >= DEGRADED_AFTER_ATTEMPTS) set('Degraded', true, 'StepRetrying', message);
  const order: Condition['type'][] = ['Ready', 'Progressing', 'Degraded'];
  return {
    ...current,
    conditions: order.flatMap((type) => (conditions.has(type) ? [conditions.get(type)!] : [])),
    lastError: message,
  };
}
