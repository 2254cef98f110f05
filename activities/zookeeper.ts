// ZooKeeper activity: clear a session's Flink HA data, `<root>/<cluster-id>` and everything under it,
// when autoClean asks for it. Idempotent (a missing znode is already cleared) and held to that one
// subtree (SPEC: Scope safety).
import { ApplicationFailure } from '@temporalio/common';
import type { SessionRef } from '../model/flinksession.ts';
import { checkedZooKeeperHaPath } from './zookeeper-scope.ts';
import { clearTree } from './zookeeper-tree.ts';

export { ZOOKEEPER_NO_NODE, ZOOKEEPER_NOT_EMPTY, ZooKeeperError, type MultiDeleteOutcome, type ZooKeeperSession } from './zookeeper-session.ts';
import type { ZooKeeperSession } from './zookeeper-session.ts';

export interface ClearZooKeeperHaInput {
  /** The FlinkSession; its name is Flink's cluster id, the znode cleared `<root>/<name>`. */
  ref: SessionRef;
  /** The spec's ha.quorum, host:port[,host:port…][/chroot]. */
  quorum: string;
  /** The spec's ha.path (Flink's high-availability.zookeeper.path.root), default /flink. */
  root?: string;
  /** Count the znodes that would be deleted, delete nothing (the CLI's plan). */
  dryRun?: boolean;
}

export interface ZooKeeperActivitiesDeps {
  /** Opens a new session with `quorum`; each call gets its own, closed when the call ends. */
  connect: (quorum: string) => Promise<ZooKeeperSession>;
}

export function createZooKeeperActivities(deps: ZooKeeperActivitiesDeps) {
  /**
   * Deletes `<root>/<name>` and everything under it, children first (ZooKeeper deletes only
   * leaves and has no recursive delete), siblings together in multis, with many requests in flight
   * (activities/zookeeper-tree.ts). `<root>` itself and its other children are never touched.
   */
  async function clearZooKeeperHa(input: ClearZooKeeperHaInput): Promise<{ znodes: number }> {
    const scope = checkedZooKeeperHaPath({ quorum: input.quorum, ...(input.root !== undefined ? { root: input.root } : {}), clusterId: input.ref.name });
    if (scope.problems) throw ApplicationFailure.nonRetryable(scope.problems.join('; '), 'BadInput');
    const session = await deps.connect(input.quorum);
    try {
      if (!(await session.exists(scope.path))) return { znodes: 0 };
      return { znodes: await clearTree(session, scope.path, input.dryRun ?? false) };
    } finally {
      await session.close();
    }
  }

  return { clearZooKeeperHa };
}
