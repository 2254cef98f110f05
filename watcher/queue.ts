// One queue per object key (Pepr's way): tasks for the same key run one after another in arrival order,
// so two events for one FlinkSession never race; different keys run concurrently. A key's queue is
// forgotten as soon as it is idle, so memory follows the events in flight, not the objects seen.

export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task queued before it for `key`; a failing task does not stop the next. */
  enqueue(key: string, task: () => Promise<void>): Promise<void> {
    // A tail never rejects (see below), so the next task runs whatever became of this one.
    const run = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves once every task queued so far has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
