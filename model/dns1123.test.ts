import { describe, expect, it } from 'vitest';
import { dns1123LabelProblem } from './dns1123.ts';

describe('dns1123LabelProblem', () => {
  it.each([
    ['my-session', undefined],
    ['a', undefined],
    ['s1', undefined],
    ['x'.repeat(63), undefined],
    ['', /is empty/],
    ['x'.repeat(64), /not a DNS-1123 label/],
    ['My-Session', /not a DNS-1123 label/],
    ['-session', /not a DNS-1123 label/],
    ['session-', /not a DNS-1123 label/],
    ['a.b', /not a DNS-1123 label/],
    ['a/b', /not a DNS-1123 label/],
    ['..', /not a DNS-1123 label/],
  ])('%j → %s', (name, expected) => {
    const problem = dns1123LabelProblem('session', name);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
