import { describe, expect, it } from 'vitest';
import { sameData } from './same-data.ts';

describe('sameData', () => {
  it('the same keys and values, in any order, at any depth', () => {
    expect(
      sameData(
        { image: 'flink:1.20', resource: { jobManager: { memory: '1g', cpu: 1 } } },
        { resource: { jobManager: { cpu: 1, memory: '1g' } }, image: 'flink:1.20' },
      ),
    ).toBe(true);
    expect(sameData({ args: ['a', 'b'], n: null }, { n: null, args: ['a', 'b'] })).toBe(true);
    expect(sameData({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });

  it('a value, a key or an item more or less, or another order of items, differs', () => {
    expect(sameData({ sa: 'flink' }, { sa: 'Flink' })).toBe(false);
    expect(sameData({ sa: 'flink' }, { sa: 'flink', autoClean: true })).toBe(false);
    expect(sameData({ autoClean: false }, {})).toBe(false);
    expect(sameData({ args: ['a', 'b'] }, { args: ['b', 'a'] })).toBe(false);
    expect(sameData({ args: ['a'] }, { args: ['a', 'a'] })).toBe(false);
    expect(sameData({ n: 1 }, { n: '1' })).toBe(false);
    expect(sameData({ a: {} }, { a: [] })).toBe(false);
    expect(sameData({ a: null }, { a: {} })).toBe(false);
  });
});
