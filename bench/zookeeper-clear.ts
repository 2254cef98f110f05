// ZooKeeper clear, side by side on the stack's ZooKeeper: this project's clearZooKeeperHa, ZooKeeper's
// own CLI (`deleteall`, Debian's zookeeper package: its JVM start included, as a user would run it)
// and a lower bound: deleting the already-known znodes, leaves first, in multis, with no listing at all.
// Each run clears a tree of its own, seeded the same way.
import ZooKeeper from 'zookeeper';
import { Semaphore } from '../concurrency/limit.ts';
import { connectZooKeeper } from '../activities/zookeeper-client.ts';
import { createZooKeeperActivities } from '../activities/zookeeper.ts';
import { DELETES_PER_MULTI } from '../activities/zookeeper-tree.ts';
import { resolveBinaries } from '../stack/binaries.ts';
import type { StackEndpoints } from '../stack/stack.ts';
import { seconds, type BenchRow, type Timing } from './table.ts';
import { timeCommand } from './tools.ts';

/** Children per level under `<root>/<id>`: 4 × 10 × 20 × 25 = 20,000 leaves, 4 levels deep. */
const FAN_OUT = [4, 10, 20, 25];
const IN_FLIGHT = 1_000;

/** Every znode of the tree under `top`, level by level (parents before children). */
function treeLevels(top: string): string[][] {
  const levels: string[][] = [[top]];
  for (const width of FAN_OUT) {
    const parents = levels.at(-1) ?? [];
    levels.push(parents.flatMap((parent) => Array.from({ length: width }, (_, i) => `${parent}/n${i}`)));
  }
  return levels;
}

async function connected(quorum: string): Promise<ZooKeeper> {
  const client = new ZooKeeper({ connect: quorum, timeout: 10_000, debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR, host_order_deterministic: false });
  await new Promise<void>((resolve) => {
    client.once('connect', () => resolve());
    client.init({});
  });
  return client;
}

async function seed(client: ZooKeeper, levels: string[][]): Promise<void> {
  const slots = new Semaphore(IN_FLIGHT);
  for (const level of levels) {
    await Promise.all(level.map((path) => slots.run(() => client.create(path, '', ZooKeeper.constants.ZOO_PERSISTENT))));
  }
}

/**
 * The least the server allows: the znodes already known (no listing), deleted leaves first in
 * multis of DELETES_PER_MULTI, all of a level's multis in flight at once, on a session as the
 * activity opens it.
 */
async function lowerBound(quorum: string, levels: string[][]): Promise<number> {
  const session = await connectZooKeeper(quorum, 10_000);
  try {
    const started = performance.now();
    for (const level of [...levels].reverse()) {
      const batches = Array.from({ length: Math.ceil(level.length / DELETES_PER_MULTI) }, (_, i) =>
        level.slice(i * DELETES_PER_MULTI, (i + 1) * DELETES_PER_MULTI),
      );
      const outcomes = await Promise.all(batches.map((batch) => session.deleteAll(batch)));
      if (outcomes.some((outcome) => !outcome.deleted))
        throw new Error(`the lower bound's multi delete failed: ${JSON.stringify(outcomes.find((o) => !o.deleted))}`);
    }
    return performance.now() - started;
  } finally {
    await session.close();
  }
}

export async function benchZooKeeperClear(stack: StackEndpoints): Promise<BenchRow> {
  const quorum = stack.zookeeper.connect;
  const client = await connected(quorum);
  const run = Date.now().toString(36);
  const levels = (id: string): string[][] => treeLevels(`/flink/${id}`);
  const znodes = levels('x').reduce((sum, level) => sum + level.length, 0);
  try {
    await new Promise<void>((resolve, reject) =>
      client.mkdirp('/flink', (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())),
    );
    const { clearZooKeeperHa } = createZooKeeperActivities({ connect: (q) => connectZooKeeper(q, 10_000) });
    const ours = `bench-fso-${run}`;
    await seed(client, levels(ours));
    const started = performance.now();
    const { znodes: cleared } = await clearZooKeeperHa({ quorum, ref: { namespace: 'bench', name: ours, uid: 'bench', generation: 1 } });
    const projectMs = performance.now() - started;
    if (cleared !== znodes) throw new Error(`clearZooKeeperHa cleared ${cleared} znodes, expected ${znodes}`);

    const cli = `bench-cli-${run}`;
    await seed(client, levels(cli));
    const binaries = resolveBinaries(process.env);
    const cliRun = await timeCommand(
      binaries.java,
      ['-cp', binaries.zookeeperClasspath, 'org.apache.zookeeper.ZooKeeperMain', '-server', quorum, 'deleteall', `/flink/${cli}`],
      process.env,
    );
    if (await client.pathExists(`/flink/${cli}`, false)) throw new Error(`zkCli deleteall left /flink/${cli}`);
    const peers: Timing[] = [{ label: `zkCli.sh deleteall (JVM start included${cliRun.failure ? `; ${cliRun.failure}` : ''})`, seconds: seconds(cliRun.ms) }];

    const bound = `bench-bound-${run}`;
    await seed(client, levels(bound));
    const boundMs = await lowerBound(quorum, levels(bound));
    return {
      work: `ZooKeeper clear, ${znodes.toLocaleString('en')} znodes (depth 4)`,
      project: { label: '', seconds: seconds(projectMs) },
      peers,
      lowerBound: {
        label: `known paths, deletes only, multis of ${DELETES_PER_MULTI.toLocaleString('en')}, a level's multis in flight at once`,
        seconds: seconds(boundMs),
      },
    };
  } finally {
    client.close();
  }
}
