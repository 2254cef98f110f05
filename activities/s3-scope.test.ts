import { describe, expect, it } from 'vitest';
import { MAX_KEYS_PER_DELETE, bucketProblem, chunk, outermostPrefixes, purgeInputProblems, purgePrefixProblem } from './s3-scope.ts';

describe('bucketProblem', () => {
  it.each([
    ['flink-state', true],
    ['abc', true],
    ['my.bucket.1', true],
    ['ab', false],
    ['Flink', false],
    ['-flink', false],
    ['flink-', false],
    ['a..b', false],
    ['a_b', false],
    ['x'.repeat(64), false],
    ['', false],
  ])('%j valid: %s', (bucket, valid) => {
    expect(bucketProblem(bucket) === undefined).toBe(valid);
  });
});

describe('purgePrefixProblem', () => {
  it.each([
    ['s1', 's1/flink/', undefined],
    ['s1', 's1/flink/ha/', undefined],
    ['s1', 's1/flink/checkpoints/job-1/', undefined],
    ['s1', 's1/flink/a.b/', undefined],
    ['s1', '', /is empty, which would purge the whole bucket/],
    ['s1', 's1/flink', /outside session s1's data/],
    ['s1', 's1/', /outside session s1's data/],
    ['s1', 's1-2/flink/', /outside session s1's data/],
    ['s1', 'other/flink/', /outside session s1's data/],
    ['s1', '../x', /outside session s1's data/],
    ['s1', '/s1/flink/', /outside session s1's data/],
    ['s1', 's1/flink/ha', /must end with '\/'/],
    ['s1', 's1/flink/ha/..', /must end with '\/'/],
    ['s1', 's1/flink/../', /'\.\.' segment/],
    ['s1', 's1/flink/ha/../../other/', /'\.\.' segment/],
    ['s1', 's1/flink/./', /'\.' or/],
    ['s1', 's1/flink//', /empty/],
  ])('session %s, prefix %j → %s', (session, prefix, expected) => {
    const problem = purgePrefixProblem(session, prefix);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('says what to fix', () => {
    expect(purgePrefixProblem('s1', 'other/flink/')).toContain('name a folder under s1/flink/, e.g. s1/flink/ha/');
  });
});

describe('purgeInputProblems', () => {
  it.each([
    [{ session: 's1', bucket: 'flink', prefixes: ['s1/flink/ha/'] }, []],
    [{ session: 's1', bucket: 'flink', prefixes: [] }, [/no S3 prefixes given/]],
    [{ session: 'S1', bucket: 'flink', prefixes: ['S1/flink/'] }, [/session "S1" is not a DNS-1123 label/]],
    [{ session: '', bucket: 'flink', prefixes: ['/flink/'] }, [/session is empty/]],
    [{ session: 's1', bucket: 'Flink', prefixes: ['s1/flink/ha/'] }, [/s3\.bucket "Flink"/]],
    [{ session: 's1', bucket: 'flink', prefixes: ['s1/flink/ha/', '../x', ''] }, [/"\.\.\/x" is outside/, /is empty/]],
  ])('%j', (input, expected) => {
    const problems = purgeInputProblems(input);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(problems[i]).toMatch(pattern));
  });
});

describe('outermostPrefixes', () => {
  it.each([
    [['s/flink/ha/'], ['s/flink/ha/']],
    [
      ['s/flink/ha/', 's/flink/checkpoints/'],
      ['s/flink/checkpoints/', 's/flink/ha/'],
    ],
    [['s/flink/ha/', 's/flink/ha/'], ['s/flink/ha/']],
    [['s/flink/ha/metadata/', 's/flink/'], ['s/flink/']],
    [
      ['s/flink/ha/', 's/flink/ha/metadata/', 's/flink/habit/'],
      ['s/flink/ha/', 's/flink/habit/'],
    ],
    [[], []],
  ])('%j → %j', (prefixes, expected) => {
    expect(outermostPrefixes(prefixes)).toEqual(expected);
  });
});

describe('chunk', () => {
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it.each([
    [0, MAX_KEYS_PER_DELETE, []],
    [1, MAX_KEYS_PER_DELETE, [1]],
    [999, MAX_KEYS_PER_DELETE, [999]],
    [1_000, MAX_KEYS_PER_DELETE, [1_000]],
    [1_001, MAX_KEYS_PER_DELETE, [1_000, 1]],
    [2_500, MAX_KEYS_PER_DELETE, [1_000, 1_000, 500]],
    [4_000, MAX_KEYS_PER_DELETE, [1_000, 1_000, 1_000, 1_000]],
    [5, 2, [2, 2, 1]],
  ])('%i items in chunks of %i → sizes %j', (count, size, sizes) => {
    const items = range(count);
    const chunks = chunk(items, size);
    expect(chunks.map((c) => c.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(items);
  });

  it.each([0, -1, 1.5])('refuses chunk size %d', (size) => {
    expect(() => chunk([1], size)).toThrow(RangeError);
  });
});
