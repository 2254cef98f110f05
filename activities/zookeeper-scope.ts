// Pure rules that keep a ZooKeeper clear inside `<root>/<cluster-id>` (SPEC: Scope safety), and the
// reading of a multi's results. No I/O here, so all of it is tested without a server
// (zookeeper-scope.test.ts).
import { DEFAULT_ZOOKEEPER_ROOT, zooKeeperHaPath } from '../model/names.ts';
import { dns1123LabelProblem } from '../model/dns1123.ts';

/** The CRD's rule for ha.path: absolute, no trailing '/', no empty, '.' or '..' segment (none starts with '.'). */
const ZOOKEEPER_ROOT = /^(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+$/;
/** The CRD's rule for ha.quorum: host[:port] pairs, comma-separated, an optional /chroot. */
const ZOOKEEPER_QUORUM = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?(,[A-Za-z0-9.-]+(:[0-9]{1,5})?)*(\/[A-Za-z0-9_./-]*)?$/;
/** ZooKeeper's own tree (quotas, config); no Flink data lives there. */
const ZOOKEEPER_SYSTEM_TREE = '/zookeeper';

/** Why `root` may not hold Flink HA data to clear, or undefined. */
export function zooKeeperRootProblem(root: string): string | undefined {
  if (!ZOOKEEPER_ROOT.test(root)) {
    return (
      `ZooKeeper root ${JSON.stringify(root)} is not an absolute path such as /flink or /flink/prod: ` +
      "it starts with '/', has no trailing '/' or empty, '.' or '..' segments, and uses letters, digits, '_', '-' and '.'"
    );
  }
  if (root === ZOOKEEPER_SYSTEM_TREE || root.startsWith(`${ZOOKEEPER_SYSTEM_TREE}/`)) {
    return `ZooKeeper root ${root} is ZooKeeper's own tree: use Flink's, such as /flink`;
  }
  return undefined;
}

/** Why `quorum` is not a ZooKeeper connect string, or undefined. */
export function zooKeeperQuorumProblem(quorum: string): string | undefined {
  if (ZOOKEEPER_QUORUM.test(quorum)) return undefined;
  return (
    `ZooKeeper quorum ${JSON.stringify(quorum)} is not host:port pairs separated by commas, ` +
    'such as zk-0.zk:2181,zk-1.zk:2181 (an optional /chroot may follow)'
  );
}

/**
 * The one znode a clear may remove, with everything under it: `<root>/<clusterId>`, or every problem
 * with the input (so one failure names everything to fix).
 */
export function checkedZooKeeperHaPath(input: {
  quorum: string;
  root?: string;
  clusterId: string;
}): { path: string; problems?: undefined } | { path?: undefined; problems: string[] } {
  const problems = [
    zooKeeperQuorumProblem(input.quorum),
    zooKeeperRootProblem(input.root ?? DEFAULT_ZOOKEEPER_ROOT),
    dns1123LabelProblem('cluster id', input.clusterId),
  ].filter((problem) => problem !== undefined);
  return problems.length > 0 ? { problems } : { path: zooKeeperHaPath(input.root, input.clusterId) };
}

/** The path of `child` (a name, as getChildren returns it) under `parent`. */
export function childPath(parent: string, child: string): string {
  if (child === '' || child.includes('/')) throw new Error(`ZooKeeper returned ${JSON.stringify(child)} as a child name of ${parent}`);
  return `${parent}/${child}`;
}

/** What ZooKeeper answers for the operations of a failed multi after the one that failed. */
const RUNTIME_INCONSISTENCY = -2;

/**
 * The index of the operation that failed a multi, from its results as `node-zookeeper-client`
 * returns them (`{ type, err }` each): ZooKeeper answers every operation of a failed multi with an
 * error result, 0 for those before the one that failed, its code for that one and
 * RUNTIMEINCONSISTENCY for those after it. -1 when no result names a failure.
 */
export function failedMultiOperation(results: unknown): number {
  if (!Array.isArray(results)) return -1;
  return results.findIndex((result: unknown) => {
    const code = typeof result === 'object' && result !== null && 'err' in result ? result.err : undefined;
    return typeof code === 'number' && code !== 0 && code !== RUNTIME_INCONSISTENCY;
  });
}
