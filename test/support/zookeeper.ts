// A ZooKeeper client for tests that seed or inspect HA data on the stack's real server.
import ZooKeeper from 'zookeeper';

export interface TestZooKeeper {
  mkdirp(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  children(path: string): Promise<string[]>;
  /** The path and every znode below it, sorted ([] when it does not exist). */
  tree(path: string): Promise<string[]>;
  /**
   * The same znodes, each as `<path>@<czxid>` (the transaction that created it), ephemeral ones (a live
   * session's, e.g. a JobManager's leader latch) marked: a znode deleted and created again has a new czxid.
   */
  created(path: string): Promise<string[]>;
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
  // A znode can go while it is walked (a JobManager's ephemeral one when it stops): gone is no error.
  const unlessGone = <T>(request: Promise<T>): Promise<T | undefined> =>
    request.catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith(`${ZooKeeper.constants.ZNONODE} `)) return undefined;
      throw error;
    });
  const created = async (path: string): Promise<string[]> => {
    const stat = await unlessGone(client.exists(path, false));
    if (!stat) return [];
    const children = (await unlessGone(client.get_children(path, false))) ?? [];
    const below = await Promise.all(children.map((child) => created(`${path}/${child}`)));
    const ephemeral = !/^0*$/.test(String(stat.ephemeralOwner));
    return [`${path}@${stat.czxid}${ephemeral ? ' (ephemeral)' : ''}`, ...below.flat()].sort();
  };
  return {
    mkdirp: (path) =>
      new Promise((resolve, reject) =>
        client.mkdirp(path, (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())),
      ),
    exists: (path) => client.pathExists(path, false),
    children: (path) => client.get_children(path, false),
    tree,
    created,
    close: () => client.close(),
  };
}
