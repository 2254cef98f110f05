import { describe, expect, it } from 'vitest';
import type { FlinkSessionStatus } from './flinksession.ts';
import { DEGRADED_AFTER_ATTEMPTS, recordsRetryEvent, retryingStatus } from './step-retry.ts';

const running: FlinkSessionStatus = {
  phase: 'Redeploying',
  observedGeneration: 2,
  conditions: [
    { type: 'Ready', status: 'False', observedGeneration: 2, lastTransitionTime: 't0', reason: 'Redeploying', message: 'm' },
    { type: 'Progressing', status: 'True', observedGeneration: 2, lastTransitionTime: 't0', reason: 'Redeploying', message: 'm' },
    { type: 'Degraded', status: 'False', observedGeneration: 2, lastTransitionTime: 't0', reason: 'AsExpected', message: 'no error' },
  ],
};

describe('retryingStatus', () => {
  it('says which step fails, how often and why, and keeps phase and Ready', () => {
    const status = retryingStatus(running, { step: 'ensureBucket', attempt: 2, error: 'connect ECONNREFUSED 127.0.0.1:1' }, 't1');
    expect(status.phase).toBe('Redeploying');
    expect(status.lastError).toBe('step ensureBucket failed (attempt 2), retrying: connect ECONNREFUSED 127.0.0.1:1');
    const byType = Object.fromEntries(status.conditions!.map((c) => [c.type, c]));
    expect(byType.Ready).toEqual(running.conditions![0]);
    expect(byType.Progressing).toMatchObject({ status: 'True', reason: 'StepRetrying', lastTransitionTime: 't0', observedGeneration: 2 });
    expect(byType.Degraded).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it(`is Degraded from attempt ${DEGRADED_AFTER_ATTEMPTS} on`, () => {
    const status = retryingStatus(running, { step: 'purgeS3Prefixes', attempt: DEGRADED_AFTER_ATTEMPTS, error: 'e' }, 't1');
    expect(status.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'StepRetrying', lastTransitionTime: 't1' });
  });

  it('works on a session without status yet', () => {
    expect(retryingStatus(undefined, { step: 's', attempt: 1, error: 'e' }, 't').conditions!.map((c) => c.type)).toEqual(['Progressing']);
  });
});

describe('recordsRetryEvent', () => {
  it('records the first failure and every tenth, not one per retry', () => {
    expect(Array.from({ length: 30 }, (_, i) => i + 1).filter(recordsRetryEvent)).toEqual([1, 10, 20, 30]);
  });
});
