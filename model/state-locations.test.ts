import { describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from './flinksession.ts';
import { movedAway } from './state-locations.ts';

const zk: FlinkSessionSpec = {
  image: 'flink:1.20.1',
  autoClean: true,
  ha: { type: 'zookeeper', quorum: 'zk-a:2181', path: '/flink' },
  s3: { endPoint: 'http://s3-a:9000', bucket: 'state', credentialsSecret: { name: 's3' } },
};

describe('movedAway', () => {
  it.each<[string, FlinkSessionSpec, { ha: boolean; s3: boolean }]>([
    ['the same locations (another field changed)', { ...zk, numberOfTaskSlots: 4 }, { ha: false, s3: false }],
    ['no path given is the default /flink', { ...zk, ha: { type: 'zookeeper', quorum: 'zk-a:2181' } }, { ha: false, s3: false }],
    ['another quorum', { ...zk, ha: { type: 'zookeeper', quorum: 'zk-b:2181', path: '/flink' } }, { ha: true, s3: false }],
    ['another ZooKeeper root', { ...zk, ha: { type: 'zookeeper', quorum: 'zk-a:2181', path: '/flink/prod' } }, { ha: true, s3: false }],
    ['Kubernetes HA instead', { ...zk, ha: { type: 'kubernetes' } }, { ha: true, s3: false }],
    ['no HA any more', { ...zk, ha: undefined }, { ha: true, s3: false }],
    ['another bucket', { ...zk, s3: { ...zk.s3!, bucket: 'other' } }, { ha: false, s3: true }],
    ['another S3 server', { ...zk, s3: { ...zk.s3!, endPoint: 'http://s3-b:9000' } }, { ha: false, s3: true }],
    ['no S3 any more', { ...zk, s3: undefined }, { ha: false, s3: true }],
  ])('%s', (_name, next, expected) => {
    expect(movedAway(zk, next)).toEqual(expected);
  });

  it('what never had a location cannot move', () => {
    expect(movedAway({ image: 'flink:1.20.1' }, zk)).toEqual({ ha: false, s3: false });
  });

  it('Kubernetes HA stays where it is while the new spec also uses it', () => {
    const k8s: FlinkSessionSpec = { image: 'flink:1.20.1', ha: { type: 'kubernetes' } };
    expect(movedAway(k8s, { ...k8s, numberOfTaskSlots: 2 }).ha).toBe(false);
  });
});
