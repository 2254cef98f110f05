import { describe, expect, it } from 'vitest';
import { currentDetails, IDLE, sessionStaticDetails, sessionSummary } from './session-details.ts';

const session = { namespace: 'shop', name: 'orders' };

describe("the run's summary and details in the Temporal UI", () => {
  it('summary: the object as kubectl names it', () => {
    expect(sessionSummary(session)).toBe('FlinkSession shop/orders');
  });

  it('static details: what the workflow is and where to look', () => {
    const details = sessionStaticDetails(session);
    expect(details).toContain('FlinkSession **shop/orders** runs here');
    expect(details).toContain('`kubectl -n shop describe fls orders`');
  });

  it('current details of a redeploy: phase, generations, the step and what it waits for', () => {
    expect(
      currentDetails(
        { ...session, phase: 'Redeploying', step: 'purge S3 prefix', desiredGeneration: 2, deployedGeneration: 1 },
        'purge s3://state/orders/flink/ha/ and s3://state/orders/flink/checkpoints/',
      ),
    ).toBe(
      [
        'FlinkSession shop/orders: **Redeploying**, generation 2 wanted, 1 deployed',
        '',
        '- step: purge S3 prefix',
        '- waiting for: purge s3://state/orders/flink/ha/ and s3://state/orders/flink/checkpoints/',
      ].join('\n'),
    );
  });

  it.each<[string, Parameters<typeof currentDetails>[0], string]>([
    ['nothing seen yet', { ...session, phase: 'Pending' }, 'FlinkSession shop/orders: **Pending**, no generation seen yet'],
    ['first deploy', { ...session, phase: 'Deploying', desiredGeneration: 1 }, 'FlinkSession shop/orders: **Deploying**, generation 1 wanted, none deployed'],
    ['running', { ...session, phase: 'Running', desiredGeneration: 4, deployedGeneration: 4 }, 'FlinkSession shop/orders: **Running**, generation 4 deployed'],
    ['deleting, no spec known', { ...session, phase: 'Deleting', deployedGeneration: 4 }, 'FlinkSession shop/orders: **Deleting**, generation 4 deployed'],
  ])('the first line: %s', (_case, progress, line) => {
    expect(currentDetails(progress).split('\n')[0]).toBe(line);
  });

  it('idle: waits for a signal; a failure and what a delete left behind are named', () => {
    const details = currentDetails({
      ...session,
      phase: 'Failed',
      desiredGeneration: 2,
      deployedGeneration: 1,
      lastError: 'launch Job failed',
      leftBehind: ['the objects under s3://x (denied)'],
    });
    expect(details).toContain(`- step: none\n- waiting for: ${IDLE}`);
    expect(details).toContain('- last error: launch Job failed');
    expect(details).toContain('- left behind: the objects under s3://x (denied)');
  });
});
