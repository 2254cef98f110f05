import { describe, expect, it } from 'vitest';
import { parseProcessMemory, sumSamples } from './metrics.ts';

const STATUS = ['Name:\tnode', 'VmPeak:\t 1234568 kB', 'VmHWM:\t  430000 kB', 'VmRSS:\t  170000 kB', 'Threads:\t11', ''].join('\n');

describe('parseProcessMemory', () => {
  it('reads VmRSS and VmHWM, in bytes', () => {
    expect(parseProcessMemory(STATUS)).toEqual({ rss: 170_000 * 1024, peakRss: 430_000 * 1024 });
  });

  it('is undefined without them (a kernel thread, a process gone)', () => {
    expect(parseProcessMemory('Name:\tkthreadd\n')).toBeUndefined();
  });
});

describe('sumSamples', () => {
  const text = [
    '# HELP fso_watcher_signals_sent_total Signals sent',
    'fso_watcher_signals_sent_total{signal="specChanged",outcome="ok"} 998',
    'fso_watcher_signals_sent_total{signal="specChanged",outcome="error"} 2',
    'fso_watcher_signals_sent_total_extra 5',
    'process_resident_memory_bytes 1000',
  ].join('\n');

  it.each<[string, Record<string, string>, number]>([
    ['fso_watcher_signals_sent_total', { outcome: 'ok' }, 998],
    ['fso_watcher_signals_sent_total', {}, 1000],
    ['process_resident_memory_bytes', {}, 1000],
  ])('%s %j → %i', (metric, labels, sum) => {
    expect(sumSamples(text, metric, labels)).toBe(sum);
  });
});
