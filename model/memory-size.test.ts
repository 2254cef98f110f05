import { describe, expect, it } from 'vitest';
import { formatMemorySize, parseMemorySize } from './memory-size.ts';

describe('parseMemorySize (Flink MemorySize)', () => {
  it.each([
    ['1024', 1024],
    ['1k', 1024],
    ['512m', 512 * 1024 ** 2],
    ['512M', 512 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['1gb', 1024 ** 3],
    ['2 g', 2 * 1024 ** 3],
    ['3 mebibytes', 3 * 1024 ** 2],
    ['1Gi', undefined],
    ['1.5g', undefined],
    ['-1m', undefined],
    ['', undefined],
  ])('%s → %s', (text, bytes) => {
    expect(parseMemorySize(text)).toBe(bytes);
  });

  it.each([
    [1024 ** 3, '1g'],
    [1.5 * 1024 ** 3, '1.5g'],
    [192 * 1024 ** 2, '192m'],
  ])('formats %d as %s', (bytes, text) => {
    expect(formatMemorySize(bytes)).toBe(text);
  });
});
