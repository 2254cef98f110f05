// The ZooKeeper activity against the stack's real ZooKeeper: a Flink-shaped HA tree, its neighbours,
// and the client's behaviour on the server's real errors.
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZOOKEEPER_NO_NODE, ZOOKEEPER_NOT_EMPTY, ZooKeeperError, createZooKeeperActivities } from '../../activities/zookeeper.ts';
import { connectZooKeeper } from '../../activities/zookeeper-client.ts';
import { freePort } from '../../net/ports.ts';
import { stackEndpoints, uniqueName } from '../support/stack.ts';
import { expectBadInput } from '../support/failures.ts';
import { connectTestZooKeeper, type TestZooKeeper } from '../support/zookeeper.ts';
import { tcpProxy } from '../support/tcp-proxy.ts';
import type { SessionRef } from '../../model/flinksession.ts';

/** The FlinkSession a clear is about; its name is Flink's cluster id. */
const sessionRef = (name: string): SessionRef => ({ namespace: 'team-a', name, uid: 'u1', generation: 1 });

/** Znodes as Flink's ZooKeeper HA writes them for a session with three jobs: 53 under `<root>/<id>`, 4 levels deep. */
function flinkHaLeaves(top: string): string[] {
  const jobs = ['0000000000000000a1b2c3d4e5f60001', '0000000000000000a1b2c3d4e5f60002', '0000000000000000a1b2c3d4e5f60003'];
  return [
    ...['rest_server', 'resource_manager', 'dispatcher', ...jobs].map((name) => `${top}/leader/${name}/connection_info`),
    ...['rest_server', 'resource_manager', 'dispatcher'].map((name) => `${top}/leaderlatch/${name}/latch-0000000000`),
    ...jobs.flatMap((job) => [
      ...[1, 2, 3, 4].map((n) => `${top}/jobs/${job}/checkpoints/000000000000000000${n}`),
      `${top}/jobs/${job}/checkpoint_id_counter`,
      `${top}/leaderlatch/${job}/latch-0000000001`,
      `${top}/jobgraphs/${job}`,
    ]),
  ];
}

/** `top` and every znode under it that creating `leaves` makes. */
function treeOf(top: string, leaves: string[]): Set<string> {
  const nodes = new Set<string>([top]);
  for (const leaf of leaves) {
    const parts = leaf.slice(top.length + 1).split('/');
    parts.forEach((_, i) => nodes.add(`${top}/${parts.slice(0, i + 1).join('/')}`));
  }
  return nodes;
}

async function seed(zk: TestZooKeeper, leaves: string[]): Promise<void> {
  for (const leaf of leaves) await zk.mkdirp(leaf);
}

/** Every znode at or under `path` that exists now. */
async function existing(zk: TestZooKeeper, path: string): Promise<Set<string>> {
  const found = new Set<string>();
  if (!(await zk.exists(path))) return found;
  const pending = [path];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    found.add(next);
    for (const child of await zk.children(next)) pending.push(`${next}/${child}`);
  }
  return found;
}

describe('clearZooKeeperHa (real ZooKeeper)', () => {
  const quorum = stackEndpoints().zookeeper.connect;
  let connections = 0;
  const { clearZooKeeperHa } = createZooKeeperActivities({
    connect: (q) => {
      connections += 1;
      return connectZooKeeper(q, 10_000);
    },
  });
  const clusterId = uniqueName('zk');
  const top = `/flink/${clusterId}`;
  const leaves = flinkHaLeaves(top);
  const tree = treeOf(top, leaves);
  const neighbourLeaves = [...flinkHaLeaves(`/flink/${clusterId}-2`), `/flink/${uniqueName('other')}/leader/rest_server/connection_info`];
  let zk: TestZooKeeper;
  let neighbours: Set<string>;

  beforeAll(async () => {
    zk = await connectTestZooKeeper(quorum);
    await seed(zk, [...leaves, ...neighbourLeaves]);
    expect(tree.size).toBe(53);
    expect(await existing(zk, top)).toEqual(tree);
    neighbours = await existing(zk, '/flink');
    for (const node of tree) neighbours.delete(node);
  });

  afterAll(() => zk?.close());

  it('a dry run counts the znodes and deletes none', async () => {
    expect(await clearZooKeeperHa({ quorum, ref: sessionRef(clusterId), dryRun: true })).toEqual({ znodes: tree.size });
    expect(await existing(zk, top)).toEqual(tree);
  });

  it('deletes <root>/<cluster-id> and everything under it, and nothing else', async () => {
    const started = performance.now();
    expect(await clearZooKeeperHa({ quorum, ref: sessionRef(clusterId) })).toEqual({ znodes: tree.size });
    console.log(`cleared ${tree.size} znodes in ${(performance.now() - started).toFixed(0)} ms`);
    expect(await zk.exists(top)).toBe(false);
    expect(await zk.exists('/flink')).toBe(true);
    const left = await existing(zk, '/flink');
    for (const node of neighbours) expect(left.has(node), node).toBe(true);
  });

  it('a second clear finds nothing to do', async () => {
    expect(await clearZooKeeperHa({ quorum, ref: sessionRef(clusterId) })).toEqual({ znodes: 0 });
    expect(await clearZooKeeperHa({ quorum, ref: sessionRef(clusterId), dryRun: true })).toEqual({ znodes: 0 });
  });

  it('clears a deep and wide tree with many requests in flight, children before parents, and nothing beside it', async () => {
    const id = uniqueName('zk');
    const deepTop = `/flink/${id}`;
    // A chain 40 levels deep with a leaf at every level, and 1,200 leaves under 30 folders beside it.
    const chain = Array.from({ length: 40 }, (_, depth) => `${deepTop}/${Array.from({ length: depth + 1 }, (__, i) => `d${i}`).join('/')}`);
    const deepLeaves = [...chain.map((path) => `${path}/leaf`), ...Array.from({ length: 1_200 }, (_, i) => `${deepTop}/wide-${i % 30}/n-${i}`)];
    // Its neighbour's name extends this one's: a prefix match would take it too.
    const besideLeaves = Array.from({ length: 50 }, (_, i) => `/flink/${id}-2/wide/n-${i}`);
    for (let start = 0; start < deepLeaves.length; start += 100) await Promise.all(deepLeaves.slice(start, start + 100).map((leaf) => zk.mkdirp(leaf)));
    await seed(zk, besideLeaves);
    const deepTree = treeOf(deepTop, deepLeaves);

    expect(await clearZooKeeperHa({ quorum, ref: sessionRef(id), dryRun: true })).toEqual({ znodes: deepTree.size });
    expect(await clearZooKeeperHa({ quorum, ref: sessionRef(id) })).toEqual({ znodes: deepTree.size });
    expect(await zk.exists(deepTop)).toBe(false);
    expect(await existing(zk, `/flink/${id}-2`)).toEqual(treeOf(`/flink/${id}-2`, besideLeaves));
    const left = await existing(zk, '/flink');
    for (const node of neighbours) expect(left.has(node), node).toBe(true);
  });

  it('clears under a custom root and keeps the root, even when nothing else is in it', async () => {
    const root = `/${uniqueName('ha')}/prod`;
    const id = uniqueName('zk');
    const customLeaves = flinkHaLeaves(`${root}/${id}`);
    await seed(zk, customLeaves);
    expect(await clearZooKeeperHa({ quorum, root, ref: sessionRef(id) })).toEqual({ znodes: treeOf(`${root}/${id}`, customLeaves).size });
    expect(await existing(zk, root)).toEqual(new Set([root]));
  });

  it.each([
    [{ root: '/flink/..' }, /ZooKeeper root "\/flink\/\.\."/],
    [{ root: 'flink' }, /ZooKeeper root "flink" is not an absolute path/],
    [{ root: '/' }, /ZooKeeper root "\/" is not an absolute path/],
    [{ root: '/flink/' }, /ZooKeeper root "\/flink\/"/],
    [{ root: '/zookeeper' }, /ZooKeeper's own tree/],
    [{ ref: sessionRef('..') }, /cluster id "\.\." is not a DNS-1123 label/],
    [{ ref: sessionRef('') }, /cluster id is empty/],
    [{ ref: sessionRef(`${clusterId}-2/leader`) }, /is not a DNS-1123 label/],
    [{ ref: sessionRef('Upper') }, /cluster id "Upper"/],
    [{ quorum: '' }, /ZooKeeper quorum ""/],
  ])('refuses %j without connecting', async (override, message) => {
    const before = connections;
    const error = await clearZooKeeperHa({ quorum, ref: sessionRef(`${clusterId}-2`), ...override }).catch((e: unknown) => e);
    expectBadInput(error, message);
    expect(connections).toBe(before);
    const left = await existing(zk, '/flink');
    for (const node of neighbours) expect(left.has(node), node).toBe(true);
  });

  it.each([
    [1, 'lists a znode again when a child appears before its delete'],
    [Infinity, 'gives up, retryably, on a znode that keeps gaining children'],
  ])('late children, %s time(s): %s', async (times, _title) => {
    const id = uniqueName('zk');
    const busyTop = `/flink/${id}`;
    const busyTree = treeOf(busyTop, flinkHaLeaves(busyTop));
    await seed(zk, flinkHaLeaves(busyTop));
    let arrivals = 0;
    // The real session, except that a still-running JobManager (played by the test's own client)
    // writes a new leader znode just before the clear deletes `<top>/leader`.
    const { clearZooKeeperHa: clearWithLateArrivals } = createZooKeeperActivities({
      connect: async (q) => {
        const session = await connectZooKeeper(q, 10_000);
        return {
          ...session,
          deleteAll: async (paths) => {
            // Just before the multi that would delete `<top>/leader`: those before it in the multi
            // are leaves, and it holds only what earlier arrivals left.
            const at = paths.indexOf(`${busyTop}/leader`);
            const childrenUpTo = at < 0 ? [] : await Promise.all(paths.slice(0, at + 1).map((path) => zk.children(path)));
            const wouldDelete =
              at >= 0 &&
              childrenUpTo.slice(0, at).every((children) => children.length === 0) &&
              (childrenUpTo[at] ?? []).every((child) => child.startsWith('late-'));
            if (wouldDelete && arrivals < times) {
              arrivals += 1;
              await zk.mkdirp(`${busyTop}/leader/late-${arrivals}`);
            }
            return session.deleteAll(paths);
          },
        };
      },
    });

    const outcome = await clearWithLateArrivals({ quorum, ref: sessionRef(id) }).catch((e: unknown) => e);
    if (times === 1) {
      expect(outcome).toEqual({ znodes: busyTree.size + 1 });
      expect(await zk.exists(busyTop)).toBe(false);
    } else {
      expect(outcome).toBeInstanceOf(ApplicationFailure);
      expect(outcome).toMatchObject({ type: 'ZooKeeperNodeBusy', nonRetryable: false });
      expect((outcome as Error).message).toMatch(`ZooKeeper znode ${busyTop}/leader keeps gaining children`);
      expect(arrivals).toBe(3);
      const left = await existing(zk, busyTop);
      expect(left).toContain(`${busyTop}/leader/late-3`);
      expect(await clearZooKeeperHa({ quorum, ref: sessionRef(id) })).toEqual({ znodes: left.size });
    }
  });

  it('heartbeats while it runs as an activity, and stops when cancelled; the next run finishes the job', async () => {
    const id = uniqueName('zk');
    const cancelledTop = `/flink/${id}`;
    const cancelledTree = treeOf(cancelledTop, flinkHaLeaves(cancelledTop));
    await seed(zk, flinkHaLeaves(cancelledTop));

    // Cancelled at its first heartbeat after a multi that deleted something.
    const cancelled = new MockActivityEnvironment();
    const cancelledBeats: { znodes: number }[] = [];
    cancelled.on('heartbeat', (details: { znodes: number }) => {
      cancelledBeats.push(details);
      if (details.znodes > 0) cancelled.cancel('CANCELLED');
    });
    await expect(cancelled.run(clearZooKeeperHa, { quorum, ref: sessionRef(id) })).rejects.toBeInstanceOf(CancelledFailure);
    const left = (await existing(zk, cancelledTop)).size;
    expect(left).toBeLessThan(cancelledTree.size);
    expect(left).toBeGreaterThan(0);
    // Nothing new was sent after the cancellation: at most the multis already in flight were answered.
    expect(cancelledBeats.filter((beat) => beat.znodes > 0).length).toBeLessThan(5);

    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    expect(await env.run(clearZooKeeperHa, { quorum, ref: sessionRef(id) })).toEqual({ znodes: left });
    expect(beats.length).toBeGreaterThan(1);
    expect(beats.at(-1)).toEqual({ path: cancelledTop, dryRun: false, znodes: left });
    expect(await zk.exists(cancelledTop)).toBe(false);
  });
});

describe('connectZooKeeper (real ZooKeeper)', () => {
  const quorum = stackEndpoints().zookeeper.connect;

  it("reports the server's refusals as ZooKeeperErrors with their codes", async () => {
    const session = await connectZooKeeper(quorum, 10_000);
    const zk = await connectTestZooKeeper(quorum);
    try {
      const missing = `/${uniqueName('missing')}`;
      expect(await session.exists(missing)).toBe(false);
      await expect(session.getChildren(missing)).rejects.toMatchObject({ name: 'ZooKeeperError', code: ZOOKEEPER_NO_NODE });
      await expect(session.delete(missing)).rejects.toBeInstanceOf(ZooKeeperError);

      const parent = `/${uniqueName('full')}`;
      await zk.mkdirp(`${parent}/child`);
      await expect(session.delete(parent)).rejects.toMatchObject({ code: ZOOKEEPER_NOT_EMPTY });
      expect(await session.getChildren(parent)).toEqual(['child']);
      await session.delete(`${parent}/child`);
      await session.delete(parent);
      expect(await session.exists(parent)).toBe(false);

      // A multi is applied whole or not at all, and names the operation that failed it.
      const folder = `/${uniqueName('multi')}`;
      await zk.mkdirp(`${folder}/a`);
      await zk.mkdirp(`${folder}/b/child`);
      await zk.mkdirp(`${folder}/c`);
      expect(await session.deleteAll([`${folder}/a`, `${folder}/b`, `${folder}/c`])).toEqual({ deleted: false, failedAt: 1, code: ZOOKEEPER_NOT_EMPTY });
      expect((await session.getChildren(folder)).sort()).toEqual(['a', 'b', 'c']);
      expect(await session.deleteAll([`${folder}/a`, `${folder}/missing`])).toEqual({ deleted: false, failedAt: 1, code: ZOOKEEPER_NO_NODE });
      expect(await session.deleteAll([`${folder}/b/child`, `${folder}/b`, `${folder}/a`, `${folder}/c`, folder])).toEqual({ deleted: true });
      expect(await session.exists(folder)).toBe(false);
      expect(await session.deleteAll([])).toEqual({ deleted: true });
      await expect(session.deleteAll(['not/absolute'])).rejects.toThrow();
    } finally {
      await session.close();
      zk.close();
    }
  });

  it('refuses calls once closed, and closing twice is harmless', async () => {
    const session = await connectZooKeeper(quorum, 10_000);
    await session.close();
    await session.close();
    await expect(session.exists('/flink')).rejects.toThrow(/is closed/);
  });

  it('fails its calls, rather than waiting, once the connection is lost', async () => {
    const proxy = await tcpProxy(new URL(`tcp://${quorum}`));
    const session = await connectZooKeeper(new URL(proxy.url).host, 10_000);
    try {
      expect(await session.exists('/flink')).toBe(true);
      await proxy.cut();
      const hung = new Promise((resolve) => setTimeout(() => resolve('still waiting after 8 s'), 8_000));
      const outcome = await Promise.race([
        session.getChildren('/flink').then(
          () => 'answered',
          (error: unknown) => error,
        ),
        hung,
      ]);
      expect(outcome).toBeInstanceOf(Error);
      await expect(session.getChildren('/flink')).rejects.toThrow(/is closed|lost/);
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it('gives up when no server answers within the timeout', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const started = performance.now();
    await expect(connectZooKeeper(nobody, 1_500)).rejects.toThrow(`no ZooKeeper session with ${nobody} within 1500 ms`);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
