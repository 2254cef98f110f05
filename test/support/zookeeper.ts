// A ZooKeeper client for tests that seed or inspect HA data on the stack's real server.
import ZooKeeper from 'zookeeper';

export interface TestZooKeeper {
  mkdirp(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  children(path: string): Promise<string[]>;
  /** The path and every znode below it, sorted ([] when it does not exist). */
  tree(path: string): Promise<string[]>;
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
  const tree = async (path: string): Promise<string[]> => {
    if (!(await client.pathExists(path, false))) return [];
    const below = await Promise.all((await client.get_children(path, false)).map((child: string) => tree(`${path}/${child}`)));
    return [path, ...below.flat()].sort();
  };
  return {
    mkdirp: (path) =>
      new Promise((resolve, reject) =>
        client.mkdirp(path, (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())),
      ),
    exists: (path) => client.pathExists(path, false),
    children: (path) => client.get_children(path, false),
    tree,
    close: () => client.close(),
  };
}
