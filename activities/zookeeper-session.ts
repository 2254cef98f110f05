// What a ZooKeeper clear needs of a client (activities/zookeeper-client.ts implements it on the
// `zookeeper` package), and the server's errors it acts on.

/** ZooKeeper's error codes this module acts on (`KeeperException.Code` NONODE, NOTEMPTY). */
export const ZOOKEEPER_NO_NODE = -101;
export const ZOOKEEPER_NOT_EMPTY = -111;

/** The outcome of deleting several znodes in one multi: all of them, or none and the first that failed. */
export type MultiDeleteOutcome = { deleted: true } | { deleted: false; failedAt: number; code: number };

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
  /**
   * Deletes `paths` in this order, whatever their versions, in one multi: the server applies all of
   * them or none. A refusal of one of them is an outcome, not a rejection.
   */
  deleteAll(paths: readonly string[]): Promise<MultiDeleteOutcome>;
  exists(path: string): Promise<boolean>;
  /** Ends the session; the object may not be used afterwards. */
  close(): Promise<void>;
}
