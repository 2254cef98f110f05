import { describe, expect, it } from 'vitest';
import { childPath, zooKeeperFailure, checkedZooKeeperHaPath, zooKeeperQuorumProblem, zooKeeperRootProblem } from './zookeeper-scope.ts';

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

describe('zooKeeperFailure', () => {
  it.each([
    [new Error('-101 no node'), { code: -101, text: '-101 no node' }],
    [new Error('-111 not empty'), { code: -111, text: '-111 not empty' }],
    [new Error('-4 connection loss'), { code: -4, text: '-4 connection loss' }],
    [new Error('fn: "a_delete_" args: "nope,-1" result: "ZBADARGUMENTS -8"'), { code: -8, text: '-8 ZBADARGUMENTS' }],
    [new Error('something else'), undefined],
    [new Error('101 no node'), undefined],
    ['-101 no node', undefined],
    [undefined, undefined],
    [{ message: '-101 no node' }, undefined],
  ])('%o → %j', (error, expected) => {
    expect(zooKeeperFailure(error)).toEqual(expected);
  });
});
