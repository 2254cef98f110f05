// ZooKeeper activity: clear a session's Flink HA data, `<root>/<cluster-id>` and everything under it,
// when autoClean asks for it. Idempotent (a missing znode is already cleared) and held to that one
// subtree (SPEC: Scope safety).
import { ApplicationFailure } from '@temporalio/common';
import { heartbeatIfInActivity } from './heartbeat.ts';
import { childPath, zooKeeperHaPath } from './zookeeper-scope.ts';

/** ZooKeeper's error codes this module acts on (the C client's ZNONODE, ZNOTEMPTY). */
export const ZOOKEEPER_NO_NODE = -101;
export const ZOOKEEPER_NOT_EMPTY = -111;

/** A ZooKeeper server's refusal, with its numeric error code (ZooKeeper's `KeeperException.Code`). */
export class ZooKeeperError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'ZooKeeperError';
    this.code = code;
  }
}

/**
 * The few operations a clear needs, on one connection (activities/zookeeper-client.ts). Operations
 * reject with a ZooKeeperError when the server refuses them.
 */
export interface ZooKeeperSession {
  /** Names (not paths) of the children of `path`. */
  getChildren(path: string): Promise<string[]>;
  /** Deletes `path`, whatever its version. */
  delete(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Ends the session; the object may not be used afterwards. */
  close(): Promise<void>;
}

export interface ClearZooKeeperHaInput {
  /** The spec's ha.quorum, host:port[,host:port…][/chroot]. */
  quorum: string;
  /** The spec's ha.path (Flink's high-availability.zookeeper.path.root), default /flink. */
  root?: string;
  /** Flink's cluster id: the FlinkSession's name. */
  clusterId: string;
  /** Count the znodes that would be deleted, delete nothing (the CLI's plan). */
  dryRun?: boolean;
}

export interface ZooKeeperActivitiesDeps {
  /** Opens a new session with `quorum`; each call gets its own, closed when the call ends. */
  connect: (quorum: string) => Promise<ZooKeeperSession>;
}

/** How often a znode that keeps gaining children is listed again before the clear gives up. */
const NOT_EMPTY_ATTEMPTS = 3;

export function createZooKeeperActivities(deps: ZooKeeperActivitiesDeps) {
  /**
   * Deletes `<root>/<clusterId>` and everything under it, children first (ZooKeeper deletes only
   * leaves, and the `zookeeper` client has neither a recursive delete nor multi). `<root>` itself and
   * its other children are never touched.
   */
  async function clearZooKeeperHa(input: ClearZooKeeperHaInput): Promise<{ znodes: number }> {
    const scope = zooKeeperHaPath(input);
    if (scope.problems) throw ApplicationFailure.nonRetryable(scope.problems.join('; '), 'BadInput');
    const session = await deps.connect(input.quorum);
    try {
      if (!(await session.exists(scope.path))) return { znodes: 0 };
      return { znodes: await removeTree(session, scope.path, input.dryRun ?? false) };
    } finally {
      await session.close();
    }
  }

  return { clearZooKeeperHa };
}

interface PendingZnode {
  path: string;
  /** Children have been pushed above it; it is deleted when it is on top again. */
  expanded: boolean;
  /** How often it has been listed; grows when a delete finds new children. */
  listings: number;
}

/**
 * Walks the tree under `top` depth-first and deletes each znode after its children. Returns how many
 * znodes it deleted (with dryRun: found). A znode already gone was deleted by someone else (another
 * attempt of this activity, or Flink itself) and is not counted.
 */
async function removeTree(session: ZooKeeperSession, top: string, dryRun: boolean): Promise<number> {
  let removed = 0;
  const stack: PendingZnode[] = [{ path: top, expanded: false, listings: 0 }];
  for (let node = stack.at(-1); node !== undefined; node = stack.at(-1)) {
    if (!node.expanded) {
      const children = await childrenOf(session, node.path);
      if (children === undefined) {
        stack.pop();
        continue;
      }
      node.expanded = true;
      node.listings += 1;
      for (const child of children) stack.push({ path: childPath(node.path, child), expanded: false, listings: 0 });
      continue;
    }
    stack.pop();
    if (dryRun) {
      removed += 1;
    } else {
      const outcome = await deleteZnode(session, top, node.path);
      if (outcome === 'deleted') removed += 1;
      if (outcome === 'not-empty') {
        if (node.listings >= NOT_EMPTY_ATTEMPTS) {
          throw ApplicationFailure.retryable(
            `ZooKeeper znode ${node.path} keeps gaining children while it is cleared: is a JobManager of this Flink cluster still running?`,
            'ZooKeeperNodeBusy');
        }
        stack.push({ ...node, expanded: false });
      }
    }
    heartbeatIfInActivity({ path: top, dryRun, znodes: removed });
  }
  return removed;
}

/** The child names of `path`, or undefined when it does not exist (any more). */
async function childrenOf(session: ZooKeeperSession, path: string): Promise<string[] | undefined> {
  try {
    return await session.getChildren(path);
  } catch (error) {
    if (zooKeeperCode(error) === ZOOKEEPER_NO_NODE) return undefined;
    throw error;
  }
}

async function deleteZnode(session: ZooKeeperSession, top: string, path: string): Promise<'deleted' | 'gone' | 'not-empty'> {
  // The walk only ever builds paths below `top`; this makes that a fact rather than a hope.
  if (path !== top && !path.startsWith(`${top}/`)) throw new Error(`refusing to delete ${path}: it is outside ${top}`);
  try {
    await session.delete(path);
    return 'deleted';
  } catch (error) {
    const code = zooKeeperCode(error);
    if (code === ZOOKEEPER_NO_NODE) return 'gone';
    if (code === ZOOKEEPER_NOT_EMPTY) return 'not-empty';
    throw error;
  }
}

function zooKeeperCode(error: unknown): number | undefined {
  return error instanceof ZooKeeperError ? error.code : undefined;
}
