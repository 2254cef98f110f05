// Removing one ZooKeeper subtree with many requests in flight. A znode is listed, its children are
// cleared (all of them side by side, each the same way), then it is deleted: children always go
// before their parent, and deletes of finished branches overlap the listing of the others. One
// Semaphore bounds the requests in flight on the session; after the first failure nothing new is
// sent, and the clear returns only once every request it sent has been answered (the C client must
// not be closed under a request).
import { ApplicationFailure } from '@temporalio/common';
import { Semaphore } from '../concurrency/limit.ts';
import { heartbeatIfInActivity } from './heartbeat.ts';
import { childPath } from './zookeeper-scope.ts';
import { ZOOKEEPER_NO_NODE, ZOOKEEPER_NOT_EMPTY, ZooKeeperError, type ZooKeeperSession } from './zookeeper-session.ts';

/** How often a znode that keeps gaining children is listed again before the clear gives up. */
const NOT_EMPTY_ATTEMPTS = 3;
/**
 * ZooKeeper requests (listings and deletes) in flight on the one session. The server handles one
 * connection's requests in order and commits writes in groups, so many in flight cost far less than
 * one at a time; 1,000 is the server's default globalOutstandingLimit.
 */
export const REQUESTS_IN_FLIGHT = 1_000;

type DeleteOutcome = 'deleted' | 'gone' | 'not-empty';

/**
 * Deletes `top` and everything under it (with dryRun: counts it). Returns how many znodes it
 * deleted (found). A znode already gone was deleted by someone else (another attempt of this
 * activity, or Flink itself) and is not counted. Heartbeats after each delete (each count).
 */
export async function clearTree(session: ZooKeeperSession, top: string, dryRun: boolean, inFlight = REQUESTS_IN_FLIGHT): Promise<number> {
  const clear = new TreeClear(session, top, dryRun, inFlight);
  return clear.run();
}

class TreeClear {
  readonly #session: ZooKeeperSession;
  readonly #top: string;
  readonly #dryRun: boolean;
  readonly #slots: Semaphore;
  #removed = 0;
  #failure: { error: unknown } | undefined;
  /**
   * The first delete, sent alone: a session that may not delete (ACLs, a read-only server) is
   * refused once rather than a thousand times, and a cancellation at its heartbeat stops the rest.
   */
  #probe: Promise<unknown> | undefined;

  constructor(session: ZooKeeperSession, top: string, dryRun: boolean, inFlight: number) {
    this.#session = session;
    this.#top = top;
    this.#dryRun = dryRun;
    this.#slots = new Semaphore(inFlight);
  }

  async run(): Promise<number> {
    await this.#clear(this.#top).catch(() => undefined);
    if (this.#failure) throw this.#failure.error;
    return this.#removed;
  }

  /** Clears `path` and everything under it; settles only once every request under it has settled. */
  async #clear(path: string): Promise<void> {
    try {
      for (let listings = 1; ; listings++) {
        const children = await this.#request(() => this.#childrenOf(path));
        if (children === undefined) return;
        const cleared = await Promise.allSettled(children.map((child) => this.#clear(childPath(path, child))));
        const failed = cleared.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
        const outcome = await this.#delete(path);
        if (outcome !== 'not-empty') return;
        if (listings >= NOT_EMPTY_ATTEMPTS) {
          throw ApplicationFailure.retryable(
            `ZooKeeper znode ${path} keeps gaining children while it is cleared: is a JobManager of this Flink cluster still running?`,
            'ZooKeeperNodeBusy');
        }
      }
    } catch (error: unknown) {
      this.#failure ??= { error };
      throw error;
    }
  }

  async #delete(path: string): Promise<DeleteOutcome> {
    if (this.#dryRun) return this.#counted('deleted');
    if (this.#probe === undefined) {
      const probe = this.#request(() => this.#deleteZnode(path)).then((outcome) => this.#counted(outcome));
      this.#probe = probe.catch(() => undefined);
      return probe;
    }
    await this.#probe;
    return this.#counted(await this.#request(() => this.#deleteZnode(path)));
  }

  #counted(outcome: DeleteOutcome): DeleteOutcome {
    if (outcome === 'deleted') this.#removed += 1;
    heartbeatIfInActivity({ path: this.#top, dryRun: this.#dryRun, znodes: this.#removed });
    return outcome;
  }

  /** Sends one request in a free slot, unless the clear has already failed. */
  async #request<T>(send: () => Promise<T>): Promise<T> {
    return this.#slots.run(async () => {
      if (this.#failure) throw this.#failure.error;
      return send();
    });
  }

  /** The child names of `path`, or undefined when it does not exist (any more). */
  async #childrenOf(path: string): Promise<string[] | undefined> {
    try {
      return await this.#session.getChildren(path);
    } catch (error: unknown) {
      if (zooKeeperCode(error) === ZOOKEEPER_NO_NODE) return undefined;
      throw error;
    }
  }

  async #deleteZnode(path: string): Promise<DeleteOutcome> {
    // The walk only ever builds paths below `top`; this makes that a fact rather than a hope.
    const top = this.#top;
    if (path !== top && !path.startsWith(`${top}/`)) throw new Error(`refusing to delete ${path}: it is outside ${top}`);
    try {
      await this.#session.delete(path);
      return 'deleted';
    } catch (error: unknown) {
      const code = zooKeeperCode(error);
      if (code === ZOOKEEPER_NO_NODE) return 'gone';
      if (code === ZOOKEEPER_NOT_EMPTY) return 'not-empty';
      throw error;
    }
  }
}

function zooKeeperCode(error: unknown): number | undefined {
  return error instanceof ZooKeeperError ? error.code : undefined;
}
