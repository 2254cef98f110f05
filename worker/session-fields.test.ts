import { describe, expect, it } from 'vitest';
import { sessionFieldsOf } from './session-fields.ts';

const ref = { namespace: 'team-a', name: 'fls', uid: 'u1', generation: 4 };

describe('sessionFieldsOf', () => {
  it.each<[string, unknown[], object]>([
    ['a SessionRef', [ref], { namespace: 'team-a', name: 'fls', generation: 4 }],
    ['{ ref }', [{ ref, spec: {} }], { namespace: 'team-a', name: 'fls', generation: 4 }],
    ['an S3 target', [{ namespace: 'team-a', session: 'fls', bucket: 'b' }], { namespace: 'team-a', name: 'fls' }],
    ['{ target }', [{ target: { namespace: 'team-a', session: 'fls' }, prefixes: [] }], { namespace: 'team-a', name: 'fls' }],
    ['a ZooKeeper clear', [{ quorum: 'zk:2181', clusterId: 'fls' }], { name: 'fls' }],
    ['a delete ref (generation 0 is unknown)', [{ ...ref, generation: 0 }], { namespace: 'team-a', name: 'fls' }],
    ['a spec', [{ flinkVersion: '1.20' }], {}],
    ['nothing', [], {}],
  ])('reads %s', (_what, args, expected) => {
    expect(sessionFieldsOf(args)).toEqual(expected);
  });
});
