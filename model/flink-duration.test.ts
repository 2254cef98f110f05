import { describe, expect, it } from 'vitest';
import { parseFlinkDuration } from './flink-duration.ts';

describe('parseFlinkDuration (Flink TimeUtils.parseDuration)', () => {
  it.each([
    ['3000', 3000],
    ['200', 200],
    ['3 s', 3000],
    ['5s', 5000],
    ['10 SECONDS', 10_000],
    ['1 min', 60_000],
    ['2m', 120_000],
    ['1 h', 3_600_000],
    ['1d', 86_400_000],
    ['250 ms', 250],
    ['1500000 ns', 1.5],
    [' 7 secs ', 7000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseFlinkDuration(text)).toBe(ms);
  });

  it.each(['', 's', '3 fortnights', '-1 s', '1.5 s', '3 s 2'])('refuses %j', (text) => {
    expect(parseFlinkDuration(text)).toBeUndefined();
  });
});
