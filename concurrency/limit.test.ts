import { describe, expect, it } from 'vitest';
import { BoundedWork, Semaphore } from './limit.ts';

/** A promise with its resolve and reject at hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once, the waiting ones in arrival order', async () => {
    const slots = new Semaphore(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      slots.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([slots.active, slots.waiting]).toEqual([2, 2]);
    gates[1]?.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.resolve();
    gates[2]?.resolve();
    gates[3]?.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([slots.active, slots.waiting]).toEqual([0, 0]);
  });

  it('gives the slot back when a task fails, and a release called twice counts once', async () => {
    const slots = new Semaphore(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const release = await slots.acquire();
    release();
    release();
    expect(slots.active).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the limit %s', (limit) => {
    expect(() => new Semaphore(limit)).toThrow(RangeError);
  });
});

describe('BoundedWork', () => {
  it('start() waits for a slot, so the producer stays at most `limit` tasks ahead', async () => {
    const work = new BoundedWork(2);
    const gates = [deferred(), deferred(), deferred()];
    await work.start(() => gates[0]!.promise);
    await work.start(() => gates[1]!.promise);
    let third = false;
    const starting = work.start(async () => {
      third = true;
      await gates[2]!.promise;
    });
    await tick();
    expect(third).toBe(false);
    gates[0]?.resolve();
    await starting;
    expect(third).toBe(true);
    gates[1]?.resolve();
    gates[2]?.resolve();
    await work.finish();
  });

  it('after a failure start() refuses, finish() waits for the rest and rethrows the first failure', async () => {
    const work = new BoundedWork(2);
    const slow = deferred();
    let slowDone = false;
    await work.start(async () => {
      await slow.promise;
      slowDone = true;
    });
    await work.start(() => Promise.reject(new Error('first')));
    await tick();
    expect(work.failed).toBe(true);
    await expect(work.start(() => Promise.resolve())).rejects.toThrow('first');
    const finishing = work.finish();
    slow.resolve();
    await expect(finishing).rejects.toThrow('first');
    expect(slowDone).toBe(true);
    await work.settle();
  });
});
