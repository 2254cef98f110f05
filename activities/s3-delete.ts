// Deleting listed entries for a purge: entries are gathered into DeleteObjects batches of at most
// 1,000, and up to `concurrency` batches are in flight while the listing goes on. Adding an entry
// waits when every slot is busy, so at most `concurrency` + 1 batches are held in memory.
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { BoundedWork } from '../concurrency/limit.ts';
import { count, deletionOrder, describeEntry, entryId, FailureSample, type ListedEntry, type PurgeCounts } from './s3-paging.ts';
import { MAX_KEYS_PER_DELETE } from './s3-scope.ts';

/** DeleteObjects failures that mean "already gone": another worker got there first. */
const ALREADY_DELETED = new Set(['NoSuchKey', 'NoSuchVersion']);

export class DeletePipeline {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #totals: PurgeCounts;
  readonly #afterBatch: () => void;
  readonly #work: BoundedWork;
  #batch: ListedEntry[] = [];
  /** Entries S3 refused to delete, as `key (version v): Code Message`. */
  readonly failures = new FailureSample();

  /**
   * Counts what was deleted into `totals`; calls `afterBatch` after each answered request (the
   * heartbeat: it may throw to stop the purge).
   */
  constructor(client: S3Client, bucket: string, concurrency: number, totals: PurgeCounts, afterBatch: () => void) {
    this.#client = client;
    this.#bucket = bucket;
    this.#totals = totals;
    this.#afterBatch = afterBatch;
    this.#work = new BoundedWork(concurrency);
  }

  /** Queues `entries`; waits while every request slot is busy; throws once a request has failed. */
  async add(entries: readonly ListedEntry[]): Promise<void> {
    for (const entry of entries) {
      this.#batch.push(entry);
      if (this.#batch.length >= MAX_KEYS_PER_DELETE) await this.#send();
    }
  }

  /** Sends what is left and waits for every request; throws the first request failure. */
  async finish(): Promise<void> {
    if (this.#batch.length > 0) await this.#send();
    await this.#work.finish();
  }

  /** Waits for the requests in flight, whatever became of them (before the client is destroyed). */
  async settle(): Promise<void> {
    await this.#work.settle();
  }

  async #send(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    await this.#work.start(() => this.#deleteBatch(batch));
  }

  async #deleteBatch(batch: readonly ListedEntry[]): Promise<void> {
    const response = await this.#client.send(
      new DeleteObjectsCommand({
        Bucket: this.#bucket,
        Delete: {
          Objects: deletionOrder(batch).map((entry) => (entry.versionId === undefined ? { Key: entry.key } : { Key: entry.key, VersionId: entry.versionId })),
          Quiet: true,
        },
      }),
    );
    // DeleteObjects answers 200 even when keys fail; the failures are only in Errors. versitygw names
    // no VersionId there: such an error stands for every version of its key in this batch.
    const failedVersions = new Set<string>();
    const failedKeys = new Set<string>();
    for (const error of response.Errors ?? []) {
      if (error.Code !== undefined && ALREADY_DELETED.has(error.Code)) continue;
      const entry = { key: error.Key ?? '?', ...(error.VersionId === undefined ? {} : { versionId: error.VersionId }) };
      if (entry.versionId === undefined) failedKeys.add(entry.key);
      else failedVersions.add(entryId(entry));
      this.failures.add(`${describeEntry(entry)}: ${error.Code ?? 'error'} ${error.Message ?? ''}`.trim());
    }
    for (const entry of batch) {
      if (!failedKeys.has(entry.key) && !failedVersions.has(entryId(entry))) count(this.#totals, entry);
    }
    this.#afterBatch();
  }
}
