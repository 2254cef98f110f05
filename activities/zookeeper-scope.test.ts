import { describe, expect, it } from 'vitest';
import { childPath, failedMultiOperation, checkedZooKeeperHaPath, zooKeeperQuorumProblem, zooKeeperRootProblem } from './zookeeper-scope.ts';

describe('zooKeeperRootProblem', () => {
  it.each([
    ['/flink', undefined],
    ['/flink/prod', undefined],
    ['/a_b-c.d', undefined],
    ['/zookeeper-data', undefined],
    ['', /not an absolute path/],
    ['/', /not an absolute path/],
    ['flink', /not an absolute path/],
    ['/flink/', /not an absolute path/],
    ['//flink', /not an absolute path/],
    ['/flink//prod', /not an absolute path/],
    ['/flink/..', /not an absolute path/],
    ['/flink/../other', /not an absolute path/],
    ['/flink/.', /not an absolute path/],
    ['/..', /not an absolute path/],
    ['/fl ink', /not an absolute path/],
    ['/zookeeper', /ZooKeeper's own tree/],
    ['/zookeeper/quota', /ZooKeeper's own tree/],
  ])('%j → %s', (root, expected) => {
    const problem = zooKeeperRootProblem(root);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});

describe('zooKeeperQuorumProblem', () => {
  it.each([
    ['127.0.0.1:2181', true],
    ['zk-0.zk:2181,zk-1.zk:2181', true],
    ['zk:2181/chroot/path', true],
    ['zk', true],
    ['', false],
    ['zk:2181, zk2:2181', false],
    ['zookeeper://zk:2181', false],
  ])('%j valid: %s', (quorum, valid) => {
    expect(zooKeeperQuorumProblem(quorum) === undefined).toBe(valid);
  });
});

describe('checkedZooKeeperHaPath', () => {
  it.each([
    [{ quorum: 'zk:2181', clusterId: 's1' }, '/flink/s1'],
    [{ quorum: 'zk:2181', root: '/flink/prod', clusterId: 's1' }, '/flink/prod/s1'],
    [{ quorum: 'zk:2181', root: '/ha', clusterId: 'my-session-2' }, '/ha/my-session-2'],
  ])('%j → %s', (input, path) => {
    expect(checkedZooKeeperHaPath(input)).toEqual({ path });
  });

  it.each([
    [{ quorum: 'zk:2181', clusterId: '' }, [/cluster id is empty/]],
    [{ quorum: 'zk:2181', clusterId: '..' }, [/cluster id "\.\." is not a DNS-1123 label/]],
    [{ quorum: 'zk:2181', clusterId: 'a/b' }, [/cluster id "a\/b"/]],
    [{ quorum: 'zk:2181', clusterId: 'S1' }, [/cluster id "S1"/]],
    [{ quorum: 'zk:2181', root: '/flink/..', clusterId: 's1' }, [/ZooKeeper root "\/flink\/\.\."/]],
    [{ quorum: 'zk:2181', root: '', clusterId: 's1' }, [/ZooKeeper root ""/]],
    [{ quorum: '', root: '/', clusterId: '' }, [/ZooKeeper quorum ""/, /ZooKeeper root "\/"/, /cluster id is empty/]],
  ])('%j is refused', (input, expected) => {
    const { problems } = checkedZooKeeperHaPath(input);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(problems?.[i]).toMatch(pattern));
  });
});

describe('childPath', () => {
  it.each([
    ['/flink/s1', 'leader', '/flink/s1/leader'],
    ['/flink/s1/jobs', 'job-0000000001', '/flink/s1/jobs/job-0000000001'],
  ])('%s + %s → %s', (parent, child, path) => {
    expect(childPath(parent, child)).toBe(path);
  });

  it.each(['', 'a/b', '/'])('refuses child name %j', (child) => {
    expect(() => childPath('/flink/s1', child)).toThrow(/as a child name/);
  });
});

describe('failedMultiOperation', () => {
  it.each([
    [
      [
        { type: -1, err: 0 },
        { type: -1, err: -111 },
        { type: -1, err: -2 },
      ],
      1,
    ],
    [
      [
        { type: -1, err: -101 },
        { type: -1, err: -2 },
      ],
      0,
    ],
    [
      [
        { type: -1, err: 0 },
        { type: -1, err: 0 },
        { type: -1, err: -4 },
      ],
      2,
    ],
    [
      [
        { type: 2, err: 0 },
        { type: 2, err: 0 },
      ],
      -1,
    ],
    [[{ type: -1, err: -2 }], -1],
    [[], -1],
    [undefined, -1],
    ['-101', -1],
    [[null, { err: '-111' }, { err: -111 }], 2],
  ])('%j → %i', (results, expected) => {
    expect(failedMultiOperation(results)).toBe(expected);
  });
});
