import { describe, expect, it } from 'vitest';
import { backoffMs } from './restarting-informer.ts';

describe('backoffMs', () => {
  it.each<[number, number]>([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [5, 16_000],
    [6, 30_000],
    [40, 30_000],
  ])('failure %i → %i ms', (failures, ms) => {
    expect(backoffMs(failures)).toBe(ms);
  });

  it('starts from the base it is given', () => {
    expect([1, 2, 3].map((failures) => backoffMs(failures, 200))).toEqual([200, 400, 800]);
  });
});
