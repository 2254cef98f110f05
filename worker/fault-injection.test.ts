import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from './fault-injection.ts';

describe('parseFaultPlan', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['before:purgeS3Prefixes', { when: 'before', activity: 'purgeS3Prefixes' }],
    ['before:clearZooKeeperHa', { when: 'before', activity: 'clearZooKeeperHa' }],
    ['after:recordEvent', { when: 'after', activity: 'recordEvent' }],
    ['during:waitForJobManagerReady:500', { when: 'during', activity: 'waitForJobManagerReady', afterMs: 500 }],
    ['heartbeat:stopFlinkJob:1', { when: 'heartbeat', activity: 'stopFlinkJob', count: 1 }],
    ['heartbeat:stopFlinkJob:12', { when: 'heartbeat', activity: 'stopFlinkJob', count: 12 }],
  ])('%s → %o', (text, plan) => {
    expect(parseFaultPlan(text)).toEqual(plan);
  });

  it.each(['later:x', 'heartbeat:stopFlinkJob', 'heartbeat:stopFlinkJob:0'])('refuses %s with the accepted forms', (text) => {
    expect(() => parseFaultPlan(text)).toThrow(/before:<activityType>, after:<activityType>, during:<activityType>:<ms> or heartbeat:<activityType>:<n ≥ 1>/);
  });
});
