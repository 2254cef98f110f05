import { describe, expect, it } from 'vitest';
import { sessionConditionSamples, type SessionConditionsView } from './session-conditions.ts';

const session = (name: string, conditions?: Array<{ type: string; status: string }>): SessionConditionsView => ({
  metadata: { namespace: 'team-a', name },
  ...(conditions ? { status: { conditions } } : {}),
});

describe('sessionConditionSamples', () => {
  it.each([
    [
      'a Ready session',
      session('ready', [
        { type: 'Ready', status: 'True' },
        { type: 'Progressing', status: 'False' },
        { type: 'Degraded', status: 'False' },
      ]),
      [1, 0, 0],
    ],
    [
      'a Degraded one',
      session('bad', [
        { type: 'Ready', status: 'False' },
        { type: 'Degraded', status: 'True' },
      ]),
      [0, 0, 1],
    ],
    ['one with no status yet', session('new'), [0, 0, 0]],
    ['an Unknown condition', session('odd', [{ type: 'Ready', status: 'Unknown' }]), [0, 0, 0]],
  ])('%s: Ready, Progressing, Degraded', (_case, view, values) => {
    const samples = sessionConditionSamples([view]);
    expect(samples.map((s) => s.labels.condition)).toEqual(['Ready', 'Progressing', 'Degraded']);
    expect(samples.map((s) => s.value)).toEqual(values);
    for (const sample of samples) expect(sample.labels).toMatchObject({ namespace: 'team-a', name: view.metadata.name });
  });

  it('skips an object without namespace or name', () => {
    expect(sessionConditionSamples([{ metadata: { name: 'x' } }])).toEqual([]);
  });
});
