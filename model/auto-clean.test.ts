import { describe, expect, it } from 'vitest';
import { autoCleanSteps } from './auto-clean.ts';
import type { FlinkSessionSpec } from './flinksession.ts';

const ref = { namespace: 'team-a', name: 'etl', uid: 'u1', generation: 3 };
const s3 = { endPoint: 'http://s3:9000', bucket: 'state', credentialsSecret: { name: 's3' } };

describe('autoCleanSteps', () => {
  it('ZooKeeper HA and S3: the znode <root>/<name>, then the HA metadata and checkpoints (never savepoints)', () => {
    const spec: FlinkSessionSpec = { image: 'flink:1.20.1', ha: { type: 'zookeeper', quorum: 'zk:2181', path: '/flink/prod' }, s3 };
    expect(autoCleanSteps(ref, spec)).toEqual([
      { kind: 'zookeeper', quorum: 'zk:2181', root: '/flink/prod', path: '/flink/prod/etl' },
      {
        kind: 's3',
        target: {
          ref,
          endPoint: 'http://s3:9000',
          bucket: 'state',
          credentialsSecret: { name: 's3' },
          inlineCredentials: false,
        },
        prefixes: ['etl/flink/ha/', 'etl/flink/checkpoints/'],
        where: 's3://state/etl/flink/ha/, s3://state/etl/flink/checkpoints/',
      },
    ]);
  });

  it("no ZooKeeper root given: Flink's default /flink", () => {
    const [step] = autoCleanSteps(ref, { image: 'flink:1.20.1', ha: { type: 'zookeeper', quorum: 'zk:2181' } });
    expect(step).toEqual({ kind: 'zookeeper', quorum: 'zk:2181', path: '/flink/etl' });
  });

  it("Kubernetes HA: Flink's HA ConfigMaps; no HA and no S3: nothing", () => {
    expect(autoCleanSteps(ref, { image: 'flink:1.20.1', ha: { type: 'kubernetes' } })).toEqual([{ kind: 'kubernetes-ha' }]);
    expect(autoCleanSteps(ref, { image: 'flink:1.20.1' })).toEqual([]);
  });
});
