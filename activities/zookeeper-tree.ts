// Removing one ZooKeeper subtree in few requests. A znode's children are deleted together, up to
// 1,000 in one multi, on the guess that they are leaves; when one has children of its own the multi
// fails naming it (the server applies all of a multi or none), its subtree is emptied the same way
// and the multi is sent again. So a leaf costs no listing and no request of its own: only znodes with
// children are listed. Children always go before their parent. Requests (listings and multis) are
// bounded by one Semaphore on the session; after the first failure nothing new is sent, and the clear
// returns only once every request it sent has been answered. A dry run lists every znode and counts.
import { ApplicationFailure } from '@temporalio/common';
import { Semaphore } from '../concurrency/limit.ts';
import { heartbeatIfInActivity } from './heartbeat.ts';
import { childPath } from './zookeeper-scope.ts';
import { ZOOKEEPER_NO_NODE, ZOOKEEPER_NOT_EMPTY, ZooKeeperError, type ZooKeeperSession } from './zookeeper-session.ts';

/** How often a znode that keeps gaining children is emptied before the clear gives up on it. */
const NOT_EMPTY_ATTEMPTS = 3;
/**
 * ZooKeeper requests in flight on the one session. The server handles one connection's requests in
 * order and commits writes in groups, so many in flight cost far less than one at a time.
 */
export const REQUESTS_IN_FLIGHT = 100;
/**
 * Deletes per multi: zkCli's own batch size, and well inside the server's 1 MB request limit
 * (jute.maxbuffer) for paths of Flink's lengths.
 */
export const DELETES_PER_MULTI = 1_000;

/**
 * Deletes `top` and everything under it (with dryRun: counts it). Returns how many znodes it
 * deleted (found). A znode already gone was deleted by someone else (another attempt of this
 * activity, or Flink itself) and is not counted. Heartbeats after each answered multi (each count).
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
   * The first multi, sent alone: a session that may not delete (ACLs, a read-only server) is refused
   * once rather than many times, and a cancellation at its heartbeat stops the rest.
   */
  #probe: Promise<unknown> | undefined;

  constructor(session: ZooKeeperSession, top: string, dryRun: boolean, inFlight: number) {
    this.#session = session;
    this.#top = top;
    this.#dryRun = dryRun;
    this.#slots = new Semaphore(inFlight);
  }

  async run(): Promise<number> {
    const work = this.#dryRun ? this.#countUnder(this.#top) : this.#remove([this.#top], new Map());
    await work.catch(() => undefined);
    if (this.#failure) throw this.#failure.error;
    return this.#removed;
  }

  /** Counts `path` and everything under it. */
  async #countUnder(path: string): Promise<void> {
    await this.#guarded(async () => {
      const children = await this.#request(() => this.#childrenOf(path));
      if (children === undefined) return;
      this.#counted(1);
      await settleAll(children.map((child) => this.#countUnder(childPath(path, child))));
    });
  }

  /**
   * Deletes the znodes `paths` (siblings, or the top) and everything under them. `emptied` counts,
   * per znode, how often its subtree was emptied, across the splits of one sibling group.
   */
  async #remove(paths: readonly string[], emptied: Map<string, number>): Promise<void> {
    await this.#guarded(async () => {
      let rest = paths;
      while (rest.length > 0) {
        const outcome = await this.#deleteAll(rest);
        if (outcome.deleted) {
          this.#counted(rest.length);
          return;
        }
        const { failedAt, code } = outcome;
        const failed = rest[failedAt] ?? '';
        if (code === ZOOKEEPER_NO_NODE) {
          // Deleted by someone else meanwhile: not ours to count.
          rest = rest.filter((_, i) => i !== failedAt);
          continue;
        }
        if (code !== ZOOKEEPER_NOT_EMPTY) {
          throw new ZooKeeperError(code, `ZooKeeper refused to delete ${failed} (code ${code}) in a multi of ${rest.length} deletes under ${this.#top}`);
        }
        if ((emptied.get(failed) ?? 0) >= NOT_EMPTY_ATTEMPTS) {
          throw ApplicationFailure.retryable(
            `ZooKeeper znode ${failed} keeps gaining children while it is cleared: is a JobManager of this Flink cluster still running?`,
            'ZooKeeperNodeBusy',
          );
        }
        // Those before it were leaves: they go on their own. When the first has children, its
        // siblings are likely alike (Flink's folders), so all of them are emptied before the next try.
        const leaves = rest.slice(0, failedAt);
        const toEmpty = failedAt === 0 ? rest : [failed];
        for (const path of toEmpty) emptied.set(path, (emptied.get(path) ?? 0) + 1);
        rest = rest.slice(failedAt);
        await settleAll([...(leaves.length > 0 ? [this.#remove(leaves, emptied)] : []), ...toEmpty.map((path) => this.#emptyOut(path))]);
      }
    });
  }

  /** Deletes everything under `path` (not `path` itself). */
  async #emptyOut(path: string): Promise<void> {
    await this.#guarded(async () => {
      const children = await this.#request(() => this.#childrenOf(path));
      if (children === undefined || children.length === 0) return;
      const paths = children.map((child) => childPath(path, child));
      const groups: string[][] = [];
      for (let start = 0; start < paths.length; start += DELETES_PER_MULTI) groups.push(paths.slice(start, start + DELETES_PER_MULTI));
      await settleAll(groups.map((group) => this.#remove(group, new Map())));
    });
  }

  /** One multi delete; the first is sent alone, the others once it was answered. */
  async #deleteAll(paths: readonly string[]): Promise<Awaited<ReturnType<ZooKeeperSession['deleteAll']>>> {
    // The walk only ever builds paths below `top`; this makes that a fact rather than a hope.
    const top = this.#top;
    const outside = paths.find((path) => path !== top && !path.startsWith(`${top}/`));
    if (outside !== undefined) throw new Error(`refusing to delete ${outside}: it is outside ${top}`);
    const send = (): Promise<Awaited<ReturnType<ZooKeeperSession['deleteAll']>>> =>
      this.#request(() => this.#session.deleteAll(paths)).then((outcome) => {
        heartbeatIfInActivity({ path: this.#top, dryRun: false, znodes: this.#removed + (outcome.deleted ? paths.length : 0) });
        return outcome;
      });
    if (this.#probe === undefined) {
      const probe = send();
      this.#probe = probe.catch(() => undefined);
      return probe;
    }
    await this.#probe;
    return send();
  }

  #counted(znodes: number): void {
    this.#removed += znodes;
    if (this.#dryRun) heartbeatIfInActivity({ path: this.#top, dryRun: true, znodes: this.#removed });
  }

  /** Runs `work`; its failure becomes the clear's (the first one wins) and is thrown on. */
  async #guarded(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error: unknown) {
      this.#failure ??= { error };
      throw error;
    }
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
      if (error instanceof ZooKeeperError && error.code === ZOOKEEPER_NO_NODE) return undefined;
      throw error;
    }
  }
}

/** Waits for every one of `work` to settle, then throws the first failure, if any. */
async function settleAll(work: readonly Promise<void>[]): Promise<void> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
