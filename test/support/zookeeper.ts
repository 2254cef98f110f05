// A ZooKeeper client for tests that seed or inspect HA data on the stack's real server.
import ZooKeeper from 'zookeeper';

export interface TestZooKeeper {
  mkdirp(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  children(path: string): Promise<string[]>;
  close(): void;
}

export async function connectTestZooKeeper(connect: string): Promise<TestZooKeeper> {
  const client = new ZooKeeper({ connect, timeout: 5_000, debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_WARN, host_order_deterministic: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ZooKeeper session with ${connect} in 10 s`)), 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    client.init({});
  });
  return {
    mkdirp: (path) =>
      new Promise((resolve, reject) =>
        client.mkdirp(path, (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())),
      ),
    exists: (path) => client.pathExists(path, false),
    children: (path) => client.get_children(path, false),
    close: () => client.close(),
  };
}
