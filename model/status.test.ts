import { describe, expect, it } from 'vitest';
import { nextStatus, type StatusReport } from './status.ts';

const deploying: StatusReport = { phase: 'Deploying', reason: 'Launching', message: 'launch Job submitted', generation: 1, ready: false };
const running: StatusReport = {
  phase: 'Running',
  reason: 'JobManagerReady',
  message: 'REST answers',
  generation: 1,
  ready: true,
  jobManager: { deployment: 'demo', restService: 'demo-rest', nodePort: 30081 },
};

describe('nextStatus', () => {
  it.each([
    ['deploying', deploying, { Ready: 'False', Progressing: 'True', Degraded: 'False' }],
    ['running', running, { Ready: 'True', Progressing: 'False', Degraded: 'False' }],
    [
      'a refused edit of a running session',
      { ...running, reason: 'InvalidSpec', error: 'spec.flinkVersion: …', generation: 2 },
      { Ready: 'True', Progressing: 'False', Degraded: 'True' },
    ],
    [
      'a running session whose redeploy waits for approval',
      { ...running, reason: 'AwaitingApproval', generation: 2, progressing: true },
      { Ready: 'True', Progressing: 'True', Degraded: 'False' },
    ],
    [
      'failed',
      { phase: 'Failed', reason: 'ReadinessTimeout', message: 'm', generation: 1, ready: false, error: 'no REST' } as StatusReport,
      { Ready: 'False', Progressing: 'False', Degraded: 'True' },
    ],
  ])('sets the conditions when %s', (_case, report, expected) => {
    const status = nextStatus(undefined, report, '2026-01-01T00:00:00Z');
    expect(Object.fromEntries(status.conditions!.map((c) => [c.type, c.status]))).toEqual(expected);
    expect(status.observedGeneration).toBe(report.generation);
    expect(status.conditions!.every((c) => c.observedGeneration === report.generation)).toBe(true);
  });

  it("keeps a condition's transition time while its status holds, and moves it when it flips", () => {
    const first = nextStatus(undefined, deploying, 't1');
    const second = nextStatus(first, { ...deploying, reason: 'WaitingForJobManager' }, 't2');
    expect(second.conditions!.find((c) => c.type === 'Progressing')!.lastTransitionTime).toBe('t1');
    const third = nextStatus(second, running, 't3');
    expect(third.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('t3');
    expect(third.conditions!.find((c) => c.type === 'Degraded')!.lastTransitionTime).toBe('t1');
  });

  it('keeps the JobManager details when a report has none, and records the last error', () => {
    const status = nextStatus(nextStatus(undefined, running, 't1'), { ...running, jobManager: undefined, error: 'boom', reason: 'InvalidSpec' }, 't2');
    expect(status.jobManager).toEqual({ deployment: 'demo', restService: 'demo-rest', nodePort: 30081 });
    expect(status.lastError).toBe('boom');
  });
});
