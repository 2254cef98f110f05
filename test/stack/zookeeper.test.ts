import ZooKeeper from 'zookeeper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEndpoints, uniqueName } from '../support/stack.ts';

describe('ZooKeeper (Debian package, real server)', () => {
  let client: ZooKeeper;

  beforeAll(async () => {
    client = new ZooKeeper({
      connect: stackEndpoints().zookeeper.connect,
      timeout: 5_000,
      debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_WARN,
      host_order_deterministic: false,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ZooKeeper session with ${stackEndpoints().zookeeper.connect} in 10 s`)), 10_000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.init({});
    });
  });

  afterAll(() => client?.close());

  it('creates, reads and deletes a znode', async () => {
    const path = `/${uniqueName('smoke')}`;
    expect(await client.create(path, 'hello', ZooKeeper.constants.ZOO_PERSISTENT)).toBe(path);
    const [, data] = await client.get(path, false);
    expect(data.toString()).toBe('hello');
    expect(await client.pathExists(path, false)).toBe(true);
    await client.delete_(path, -1);
    expect(await client.pathExists(path, false)).toBe(false);
  });
});
