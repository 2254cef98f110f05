// ZooKeeperSession on the npm `node-zookeeper-client` package (ZooKeeper's wire protocol in
// JavaScript, with multi, which the C client's binding, the `zookeeper` package, lacks: a clear
// deletes up to 1,000 znodes in one request). Its errors are turned into ZooKeeperErrors here, so
// nothing else in the operator reads the package's error types.
import zookeeper from 'node-zookeeper-client';
import { failedMultiOperation } from './zookeeper-scope.ts';
import { ZooKeeperError, type MultiDeleteOutcome, type ZooKeeperSession } from './zookeeper-session.ts';

/** The server's error code in an error of the package, or undefined when it is not one. */
function zooKeeperCode(error: unknown): number | undefined {
  return error instanceof zookeeper.Exception ? error.getCode() : undefined;
}

/**
 * Opens a session with `quorum` (host:port[,host:port…][/chroot]) and resolves once it is connected;
 * rejects when that takes longer than `timeoutMs`, which is also the session timeout asked of the
 * server. Each caller gets its own session and must close it; a closed session, or one that lost its
 * connection or expired, refuses calls (the caller retries with a new one).
 */
export async function connectZooKeeper(quorum: string, timeoutMs: number): Promise<ZooKeeperSession> {
  const client = zookeeper.createClient(quorum, { sessionTimeout: timeoutMs, spinDelay: 100, retries: 0 });
  let closed = false;
  /** Why calls are refused before close(): the connection was lost, or the session expired. */
  let lost: string | undefined;
  // The package would queue calls until it reconnects, which may be never: a clear is short and is
  // retried as a whole with a new session, so a lost connection fails every call from then on.
  client.once('disconnected', () => {
    lost ??= 'lost its connection';
  });
  client.once('expired', () => {
    lost ??= 'expired';
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('connected', onConnected);
      closed = true;
      client.close();
      reject(new Error(`no ZooKeeper session with ${quorum} within ${timeoutMs} ms: is the quorum right and reachable?`));
    }, timeoutMs);
    const onConnected = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('connected', onConnected);
    client.connect();
  });

  /** Runs one callback-style call of the package, its server errors as ZooKeeperErrors. */
  function call<T>(operation: string, path: string, run: (done: (error: unknown, value?: T) => void) => void): Promise<T> {
    if (closed) return Promise.reject(new Error(`ZooKeeper session with ${quorum} is closed; ${operation} ${path} needs a new one`));
    if (lost !== undefined) return Promise.reject(new Error(`ZooKeeper session with ${quorum} ${lost}; ${operation} ${path} needs a new one`));
    return new Promise<T>((resolve, reject) => {
      const done = (error: unknown, value?: T): void => {
        if (error === null || error === undefined) {
          resolve(value as T);
          return;
        }
        const code = zooKeeperCode(error);
        if (code === undefined) reject(error instanceof Error ? error : new Error(String(error)));
        else reject(new ZooKeeperError(code, `ZooKeeper ${operation} ${path} at ${quorum} failed: ${code} ${String(error)}`));
      };
      try {
        run(done);
      } catch (error: unknown) {
        // The package validates paths synchronously (a malformed one throws).
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  return {
    getChildren: (path) => call<string[]>('getChildren', path, (done) => client.getChildren(path, (error, children) => done(error, children))),
    delete: (path) => call<void>('delete', path, (done) => client.remove(path, -1, (error) => done(error))),
    deleteAll: (paths) => {
      if (paths.length === 0) return Promise.resolve({ deleted: true });
      const what = `${paths[0] ?? ''} and ${paths.length - 1} more`;
      return call<MultiDeleteOutcome>('multi delete', what, (done) => {
        const transaction = client.transaction();
        for (const path of paths) transaction.remove(path, -1);
        transaction.commit((error, results: unknown) => {
          const code = zooKeeperCode(error);
          const failedAt = code === undefined ? -1 : failedMultiOperation(results);
          // A failure the results do not place (the connection, say) is the call's failure.
          if (failedAt < 0) done(error, { deleted: true });
          else done(null, { deleted: false, failedAt, code: code ?? 0 });
        });
      });
    },
    async exists(path) {
      const stat = await call<unknown>('exists', path, (done) => client.exists(path, (error, found) => done(error, found)));
      return stat !== null && stat !== undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      client.close();
    },
  };
}
