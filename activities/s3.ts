// S3 activities: ensure a session's bucket exists, and purge the session's prefixes (every object
// version and delete marker) when autoClean asks for it. Both are idempotent; both refuse, without
// retrying, input that could reach outside the session (SPEC: Scope safety).
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { heartbeatIfInActivity } from './heartbeat.ts';
import { MAX_KEYS_PER_DELETE, bucketProblem, chunk, outermostPrefixes, purgeInputProblems } from './s3-scope.ts';

/** Where one session keeps its state: the bucket on an endpoint, and how to authenticate there. */
export interface S3Target {
  /** The FlinkSession's namespace, where its credentials Secret lives. */
  namespace: string;
  /** The FlinkSession's name; its data lives under `<session>/flink/`. */
  session: string;
  /** The spec's s3.endPoint; without a scheme, http:// is assumed. */
  endPoint: string;
  bucket: string;
  /** The spec's s3.credentialsSecret (keys default to accessKey/secretKey). */
  credentialsSecret?: { name: string; accessKeyKey?: string; secretKeyKey?: string };
  /**
   * True when the spec still carries the old inline s3.accessKey/secretKey: the operator has copied
   * them into the Secret `migratedCredentialsSecretName(session)`, and the keys are read from there,
   * so they never travel through workflow history. Without either, the AWS SDK's default chain is used.
   */
  inlineCredentials?: boolean;
}

export interface PurgeS3PrefixesInput {
  target: S3Target;
  /** Folders under `<session>/flink/`, each ending with `/`, e.g. `my-session/flink/ha/`. */
  prefixes: string[];
  /** Count what would be deleted, delete nothing (the CLI's plan). */
  dryRun?: boolean;
}

export interface PurgeCounts {
  /** Live objects: the current version of a key, when it is not a delete marker (what a plain listing shows). */
  objects: number;
  /** Object versions of every age, the live ones included (on an unversioned bucket, one per object). */
  versions: number;
  deleteMarkers: number;
  /** Bytes held by those versions. */
  bytes: number;
}

export interface S3ActivitiesDeps {
  /** A client for the target's endpoint and credentials (activities/s3-client.ts); destroyed after each call. */
  s3ClientFor: (target: S3Target) => Promise<S3Client>;
}

const LIST_PAGE_SIZE = 1_000;
const DELETE_CONCURRENCY = 4;
/** Entries listed before deleting: enough for DELETE_CONCURRENCY full DeleteObjects requests. */
const DELETE_WINDOW = DELETE_CONCURRENCY * MAX_KEYS_PER_DELETE;
/** DeleteObjects failures that mean "already gone": another worker got there first. */
const ALREADY_DELETED = new Set(['NoSuchKey', 'NoSuchVersion']);

interface ListedEntry {
  key: string;
  /** Absent when the server cannot list versions and objects are deleted by key. */
  versionId?: string;
  kind: 'version' | 'deleteMarker';
  latest: boolean;
  size: number;
}

/** How to list a bucket: by versions, or (servers without ListObjectVersions) by objects. Decided once per call. */
interface ListingMode {
  versions: boolean;
}

/** Where the next page starts: S3's markers when listing versions, its token when listing objects. */
interface ListCursor {
  keyMarker?: string;
  versionIdMarker?: string;
  continuationToken?: string;
}

export function createS3Activities(deps: S3ActivitiesDeps) {
  /** Creates the session's bucket when it is missing. */
  async function ensureBucket(target: S3Target): Promise<{ created: boolean }> {
    const problem = bucketProblem(target.bucket);
    if (problem) throw ApplicationFailure.nonRetryable(problem, 'BadInput');
    const client = await deps.s3ClientFor(target);
    try {
      if (await bucketExists(client, target.bucket)) return { created: false };
      try {
        await client.send(new CreateBucketCommand({ Bucket: target.bucket }));
        return { created: true };
      } catch (error) {
        const name = s3ErrorOf(error)?.name;
        // Created in between, by an earlier attempt of this activity or by another worker.
        if (name === 'BucketAlreadyOwnedByYou') return { created: false };
        if (name === 'BucketAlreadyExists') {
          throw ApplicationFailure.nonRetryable(
            `S3 bucket ${target.bucket} exists but belongs to another account: choose another s3.bucket`, 'BadInput');
        }
        throw error;
      }
    } finally {
      client.destroy();
    }
  }

  /**
   * Deletes every object version and delete marker under the given prefixes of the session's bucket
   * (or, with dryRun, only counts them). A bucket that does not exist holds nothing to purge.
   */
  async function purgeS3Prefixes(input: PurgeS3PrefixesInput): Promise<PurgeCounts> {
    const { target, dryRun = false } = input;
    const problems = purgeInputProblems({ session: target.session, bucket: target.bucket, prefixes: input.prefixes });
    if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), 'BadInput');

    const totals: PurgeCounts = { objects: 0, versions: 0, deleteMarkers: 0, bytes: 0 };
    const mode: ListingMode = { versions: true };
    const client = await deps.s3ClientFor(target);
    try {
      for (const prefix of outermostPrefixes(input.prefixes)) {
        const progress = (step: string): void => heartbeatIfInActivity({ bucket: target.bucket, prefix, step, dryRun, ...totals });
        if (dryRun) {
          for await (const page of listPrefix(client, target.bucket, prefix, mode)) {
            for (const entry of page) count(totals, entry);
            progress('counting');
          }
        } else {
          await purgePrefix(client, target.bucket, prefix, mode, totals, progress);
        }
      }
      return totals;
    } finally {
      client.destroy();
    }
  }

  return { ensureBucket, purgeS3Prefixes };
}

/**
 * Deletes everything under `prefix` in rounds: list a window of entries from the start of the prefix,
 * delete it in concurrent DeleteObjects batches, list again from the start, until nothing is left.
 * Listing never continues from a marker past deleted entries: versitygw (1.7) ends the listing early
 * when its key marker has been deleted. Starting over each round is also right for a retried
 * attempt, which simply finds what the last one left.
 */
async function purgePrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
  mode: ListingMode,
  totals: PurgeCounts,
  progress: (step: string) => void,
): Promise<void> {
  let deletedLastRound = new Set<string>();
  for (;;) {
    const window: ListedEntry[] = [];
    for await (const page of listPrefix(client, bucket, prefix, mode)) {
      window.push(...page);
      progress('listing');
      if (window.length >= DELETE_WINDOW) break;
    }
    if (window.length === 0) return;
    // Without this, a server that answers "deleted" but keeps the entries would loop here forever.
    const stale = window.find((entry) => deletedLastRound.has(entryId(entry)));
    if (stale) {
      throw ApplicationFailure.retryable(
        `S3 still lists ${describe(stale)} in bucket ${bucket} after DeleteObjects reported it deleted`, 'S3DeleteIneffective');
    }
    await deleteEntries(client, bucket, window, totals, progress);
    deletedLastRound = new Set(window.map(entryId));
  }
}

/** Deletes `entries` in batches of at most 1,000, DELETE_CONCURRENCY requests at a time. */
async function deleteEntries(
  client: S3Client,
  bucket: string,
  entries: readonly ListedEntry[],
  totals: PurgeCounts,
  progress: (step: string) => void,
): Promise<void> {
  const failures: string[] = [];
  await forEachBounded(chunk(entries, MAX_KEYS_PER_DELETE), DELETE_CONCURRENCY, async (batch) => {
    const response = await client.send(new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: {
        Objects: batch.map((entry) => (entry.versionId === undefined ? { Key: entry.key } : { Key: entry.key, VersionId: entry.versionId })),
        Quiet: true,
      },
    }));
    // DeleteObjects answers 200 even when keys fail; the failures are only in Errors.
    const failed = new Set<string>();
    for (const error of response.Errors ?? []) {
      if (error.Code !== undefined && ALREADY_DELETED.has(error.Code)) continue;
      const entry = { key: error.Key ?? '?', ...(error.VersionId === undefined ? {} : { versionId: error.VersionId }) };
      failed.add(entryId(entry));
      failures.push(`${describe(entry)}: ${error.Code ?? 'error'} ${error.Message ?? ''}`.trim());
    }
    for (const entry of batch) if (!failed.has(entryId(entry))) count(totals, entry);
    progress('deleting');
  });
  if (failures.length > 0) {
    const shown = failures.slice(0, 5).join('; ');
    const more = failures.length > 5 ? ` and ${failures.length - 5} more` : '';
    throw ApplicationFailure.retryable(`S3 did not delete ${failures.length} entries in bucket ${bucket}: ${shown}${more}`, 'S3DeleteFailed');
  }
}

/**
 * Lists everything under `prefix`, a page at a time, each entry once. versitygw (1.7) repeats the
 * entry at a page boundary in the next page, so entries already seen in this listing are dropped;
 * a page that brings nothing new while claiming more would repeat forever, so that stops the listing.
 */
async function* listPrefix(client: S3Client, bucket: string, prefix: string, mode: ListingMode): AsyncGenerator<ListedEntry[]> {
  const seen = new Set<string>();
  let cursor: ListCursor | undefined;
  for (;;) {
    const page = await listPage(client, bucket, prefix, mode, cursor);
    if (page === undefined) return; // no such bucket: nothing to purge
    const fresh: ListedEntry[] = [];
    for (const entry of page.entries) {
      // The server chose what to return; never delete what lies outside the prefix we asked for.
      if (!entry.key.startsWith(prefix)) {
        throw ApplicationFailure.nonRetryable(
          `S3 listed ${JSON.stringify(entry.key)} for prefix ${JSON.stringify(prefix)} in bucket ${bucket}; refusing to purge with a server that ignores prefixes`,
          'S3ScopeViolation');
      }
      const id = entryId(entry);
      if (seen.has(id)) continue;
      seen.add(id);
      fresh.push(entry);
    }
    if (fresh.length > 0) yield fresh;
    if (page.next === undefined) return;
    if (fresh.length === 0) {
      throw ApplicationFailure.retryable(
        `S3 listing of ${prefix} in bucket ${bucket} makes no progress at ${JSON.stringify(page.next)}`, 'S3ListingStuck');
    }
    cursor = page.next;
  }
}

/** One page of the listing after `cursor`, or undefined when the bucket does not exist. */
async function listPage(
  client: S3Client,
  bucket: string,
  prefix: string,
  mode: ListingMode,
  cursor: ListCursor | undefined,
): Promise<{ entries: ListedEntry[]; next?: ListCursor } | undefined> {
  try {
    if (mode.versions) {
      const page = await client.send(new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: LIST_PAGE_SIZE,
        KeyMarker: cursor?.keyMarker,
        VersionIdMarker: cursor?.versionIdMarker,
      }));
      const entries: ListedEntry[] = [
        ...(page.Versions ?? []).map((v) => ({ key: v.Key ?? '', versionId: v.VersionId ?? 'null', kind: 'version' as const, latest: v.IsLatest ?? true, size: v.Size ?? 0 })),
        ...(page.DeleteMarkers ?? []).map((m) => ({ key: m.Key ?? '', versionId: m.VersionId ?? 'null', kind: 'deleteMarker' as const, latest: m.IsLatest ?? true, size: 0 })),
      ];
      return page.IsTruncated && page.NextKeyMarker
        ? { entries, next: { keyMarker: page.NextKeyMarker, versionIdMarker: page.NextVersionIdMarker ?? '' } }
        : { entries };
    }
    const page = await client.send(new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: prefix,
      MaxKeys: LIST_PAGE_SIZE,
      ContinuationToken: cursor?.continuationToken,
    }));
    const entries: ListedEntry[] = (page.Contents ?? []).map((o) => ({ key: o.Key ?? '', kind: 'version', latest: true, size: o.Size ?? 0 }));
    return page.IsTruncated && page.NextContinuationToken ? { entries, next: { continuationToken: page.NextContinuationToken } } : { entries };
  } catch (error) {
    const failure = s3ErrorOf(error);
    if (failure?.name === 'NoSuchBucket') return undefined;
    // A server without ListObjectVersions keeps no versions: list objects instead, for the rest of this call.
    if (mode.versions && cursor === undefined && (failure?.name === 'NotImplemented' || failure?.status === 501)) {
      mode.versions = false;
      return listPage(client, bucket, prefix, mode, undefined);
    }
    throw error;
  }
}

async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (s3ErrorOf(error)?.status === 404) return false;
    throw error;
  }
}

/** The S3 error name and HTTP status of a failed request; undefined for anything that is not an S3 answer. */
function s3ErrorOf(error: unknown): { name: string; status: number | undefined } | undefined {
  if (!(error instanceof S3ServiceException)) return undefined;
  return { name: error.name, status: error.$metadata.httpStatusCode };
}

function count(totals: PurgeCounts, entry: ListedEntry): void {
  if (entry.kind === 'deleteMarker') {
    totals.deleteMarkers += 1;
    return;
  }
  totals.versions += 1;
  totals.bytes += entry.size;
  if (entry.latest) totals.objects += 1;
}

function entryId(entry: { key: string; versionId?: string }): string {
  return `${entry.key}\u0000${entry.versionId ?? ''}`;
}

function describe(entry: { key: string; versionId?: string }): string {
  return entry.versionId === undefined ? entry.key : `${entry.key} (version ${entry.versionId})`;
}

/** Runs `work` on every item, at most `limit` at once; after a failure starts nothing new, then rethrows it. */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
