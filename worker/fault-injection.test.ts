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
  ])('%s → %o', (text, plan) => {
    expect(parseFaultPlan(text)).toEqual(plan);
  });

  it('refuses anything else with the accepted forms', () => {
    expect(() => parseFaultPlan('later:x')).toThrow(/before:<activityType>, after:<activityType> or during:<activityType>:<ms>/);
  });
});
