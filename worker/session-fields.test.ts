import { describe, expect, it } from 'vitest';
import { sessionFieldsOf } from './session-fields.ts';

const ref = { namespace: 'team-a', name: 'fls', uid: 'u1', generation: 4 };

describe('sessionFieldsOf', () => {
  it.each<[string, unknown[], object]>([
    ['a SessionRef', [ref], { namespace: 'team-a', name: 'fls', generation: 4 }],
    ['{ ref }', [{ ref, spec: {} }], { namespace: 'team-a', name: 'fls', generation: 4 }],
    ['an S3 target', [{ ref, bucket: 'b' }], { namespace: 'team-a', name: 'fls', generation: 4 }],
    ['{ target }', [{ target: { ref, bucket: 'b' }, prefixes: [] }], { namespace: 'team-a', name: 'fls', generation: 4 }],
    ['a ZooKeeper clear', [{ ref, quorum: 'zk:2181' }], { namespace: 'team-a', name: 'fls', generation: 4 }],
    ['a spec', [{ flinkVersion: '1.20' }], {}],
    ['nothing', [], {}],
  ])('reads %s', (_what, args, expected) => {
    expect(sessionFieldsOf(args)).toEqual(expected);
  });
});
