import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './queue.ts';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedQueue', () => {
  it('runs one key one task at a time, in order, and different keys side by side', async () => {
    const queue = new KeyedQueue();
    const trace: string[] = [];
    const task = (name: string, ms: number) => async (): Promise<void> => {
      trace.push(`${name} start`);
      await tick(ms);
      trace.push(`${name} end`);
    };
    const done = Promise.all([queue.enqueue('ns/a', task('a1', 20)), queue.enqueue('ns/a', task('a2', 1)), queue.enqueue('ns/b', task('b1', 5))]);
    expect(queue.size).toBe(2);
    await done;
    expect(trace).toEqual(['a1 start', 'b1 start', 'b1 end', 'a1 end', 'a2 start', 'a2 end']);
  });

  it('goes on after a failing task, and hands the failure to its caller', async () => {
    const queue = new KeyedQueue();
    const failing = queue.enqueue('k', () => Promise.reject(new Error('boom')));
    const next = queue.enqueue('k', async () => undefined);
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBeUndefined();
  });

  it('forgets idle keys, and drains', async () => {
    const queue = new KeyedQueue();
    let ran = 0;
    for (let i = 0; i < 3; i++)
      void queue.enqueue(`k${i}`, async () => {
        await tick(5);
        ran++;
      });
    await queue.drain();
    await tick(0);
    expect(ran).toBe(3);
    expect(queue.size).toBe(0);
  });
});
