// ZooKeeperSession on the npm `zookeeper` package (a binding of ZooKeeper's C client). Its promise
// API rejects with plain Errors whose message carries the error code ("-101 no node"); this file
// turns those into ZooKeeperErrors, so nothing else in the operator reads the package's messages.
import ZooKeeper from 'zookeeper';
import { ZOOKEEPER_NO_NODE, ZooKeeperError, type ZooKeeperSession } from './zookeeper-session.ts';
import { zooKeeperFailure } from './zookeeper-scope.ts';

/**
 * Opens a session with `quorum` (host:port[,host:port…][/chroot]) and resolves once it is connected;
 * rejects when that takes longer than `timeoutMs`, which is also the session timeout asked of the
 * server. Each caller gets its own session and must close it: the C client must never be used after
 * it has closed (the package's README: it may crash the process), so a closed session refuses calls.
 */
export async function connectZooKeeper(quorum: string, timeoutMs: number): Promise<ZooKeeperSession> {
  const client = new ZooKeeper({
    connect: quorum,
    timeout: timeoutMs,
    debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
    host_order_deterministic: false,
  });
  let closed = false;
  // Also emitted when the server expires the session; from then on the client is dead.
  client.once('close', () => {
    closed = true;
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('connect', onConnect);
      closed = true;
      client.close();
      reject(new Error(`no ZooKeeper session with ${quorum} within ${timeoutMs} ms: is the quorum right and reachable?`));
    }, timeoutMs);
    const onConnect = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('connect', onConnect);
    try {
      client.init({});
    } catch (error) {
      clearTimeout(timer);
      closed = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });

  async function call<T>(operation: string, path: string, run: () => Promise<T>): Promise<T> {
    if (closed) throw new Error(`ZooKeeper session with ${quorum} is closed; ${operation} ${path} needs a new one`);
    try {
      return await run();
    } catch (error) {
      const failure = zooKeeperFailure(error);
      if (failure === undefined) throw error;
      throw new ZooKeeperError(failure.code, `ZooKeeper ${operation} ${path} at ${quorum} failed: ${failure.text}`);
    }
  }

  return {
    getChildren: (path) => call('getChildren', path, () => client.get_children(path, false)),
    delete: (path) => call('delete', path, async () => {
      await client.delete_(path, -1);
    }),
    async exists(path) {
      // Not the package's pathExists(): it answers false for every error, a lost connection included.
      try {
        await call('exists', path, () => client.exists(path, false));
        return true;
      } catch (error) {
        if (error instanceof ZooKeeperError && error.code === ZOOKEEPER_NO_NODE) return false;
        throw error;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      client.close();
    },
  };
}
