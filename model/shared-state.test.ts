import { describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from './flinksession.ts';
import { sharedStateWith } from './shared-state.ts';

const spec: FlinkSessionSpec = {
  image: 'flink',
  s3: { endPoint: 's3.local:9000', bucket: 'state' },
  ha: { type: 'zookeeper', quorum: 'zk1:2181,zk2:2181', path: '/flink' },
};
const a = { namespace: 'a', name: 'etl', created: '2026-12-01T10:00:00Z', spec };
const later = (namespace: string, s: FlinkSessionSpec, name = 'etl') => ({ namespace, name, created: '2026-12-01T11:00:00Z', spec: s });

describe('sessions sharing state locations', () => {
  it.each([
    [
      'the same name in another namespace, same bucket and ZooKeeper root',
      later('b', { ...spec, ha: { ...spec.ha!, quorum: 'zk2:2181, zk1:2181' } }),
      [{ other: 'a/etl', shared: ['s3://state/etl/flink/ (at s3.local:9000)', 'ZooKeeper /flink/etl (on zk2:2181, zk1:2181)'] }],
    ],
    [
      'another bucket, same ZooKeeper root',
      later('b', { ...spec, s3: { endPoint: 's3.local:9000', bucket: 'other' } }),
      [{ other: 'a/etl', shared: ['ZooKeeper /flink/etl (on zk1:2181,zk2:2181)'] }],
    ],
    ['another bucket and root', later('b', { ...spec, s3: { endPoint: 's3.local:9000', bucket: 'other' }, ha: { ...spec.ha!, path: '/flink-b' } }), []],
    ['another name', later('b', spec, 'etl2'), []],
  ])('%s', (_, session, expected) => {
    expect(sharedStateWith(session, [a])).toEqual(expected);
  });

  it('the session that came first keeps its locations', () => {
    expect(sharedStateWith(a, [later('b', spec)])).toEqual([]);
  });
});
