// Bounded concurrency, two ways: a Semaphore that runs a task once one of `limit` slots is free, and
// BoundedWork, a producer's view of it (S3 deletes, ZooKeeper deletes): starting a task waits for a
// slot, so the producer never runs more than `limit` tasks ahead, and the first failure stops it.
// Pure logic, no I/O (limit.test.ts).

export class Semaphore {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Waits for a free slot (first come, first served); the returned function gives it back, once. */
  async acquire(): Promise<() => void> {
    if (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so nobody overtakes it.
      if (next) next();
      else this.#active -= 1;
    };
  }

  /** Runs `task` in a slot and gives the slot back when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }
}

export class BoundedWork {
  readonly #slots: Semaphore;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.#slots = new Semaphore(limit);
  }

  /** True once a task has failed: start() refuses from then on. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * Waits for a free slot, then starts `task` without waiting for it. Throws the first failure of an
   * earlier task instead of starting this one, so a producer stops feeding work that cannot finish.
   */
  async start(task: () => Promise<void>): Promise<void> {
    const release = await this.#slots.acquire();
    if (this.#failure) {
      release();
      throw this.#failure.error;
    }
    const running = this.#run(task).finally(() => {
      this.#running.delete(running);
      release();
    });
    this.#running.add(running);
  }

  /** Runs `task`; its failure is kept (the first one), never thrown. */
  async #run(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error: unknown) {
      this.#failure ??= { error };
    }
  }

  /** Waits until every started task has settled; then throws the first failure, if any. */
  async finish(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
    if (this.#failure) throw this.#failure.error;
  }

  /** Waits until every started task has settled, ignoring failures (clean-up after an error). */
  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
