// S3 activities: ensure a session's bucket exists, and purge the session's prefixes (every object
// version and delete marker) when autoClean asks for it. Both are idempotent; both refuse, without
// retrying, input that could reach outside the session (SPEC: Scope safety).
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import type { SessionRef } from '../model/flinksession.ts';
import { heartbeatIfInActivity } from './heartbeat.ts';
import { DeletePipeline } from './s3-delete.ts';
import { listingModeFor, releasedEntries, s3ErrorOf, type ListingMode } from './s3-listing.ts';
import { count, describeEntry, entryId, noCounts, type PurgeCounts } from './s3-paging.ts';
import { bucketProblem, outermostPrefixes, purgeInputProblems } from './s3-scope.ts';

/** Where one session keeps its state: the bucket on an endpoint, and how to authenticate there. */
export interface S3Target {
  /** The FlinkSession: its credentials Secret lives in its namespace, its data under `<name>/flink/`. */
  ref: SessionRef;
  /** The spec's s3.endPoint; without a scheme, http:// is assumed. */
  endPoint: string;
  bucket: string;
  /** The spec's s3.credentialsSecret (keys default to accessKey/secretKey). */
  credentialsSecret?: { name: string; accessKeyKey?: string; secretKeyKey?: string };
  /**
   * True when the spec still carries the old inline s3.accessKey/secretKey: the operator has copied
   * them into the Secret `migratedCredentialsSecretName(ref.name)`, and the keys are read from there,
   * so they never travel through workflow history. Without either, the AWS SDK's default chain is used.
   */
  inlineCredentials?: boolean;
}

export interface PurgeS3PrefixesInput {
  target: S3Target;
  /** Folders under `<name>/flink/`, each ending with `/`, e.g. `my-session/flink/ha/`. */
  prefixes: string[];
  /** Count what would be deleted, delete nothing (the CLI's plan). */
  dryRun?: boolean;
}

export type { PurgeCounts } from './s3-paging.ts';

export interface S3ActivitiesDeps {
  /** A client for the target's endpoint and credentials (activities/s3-client.ts); destroyed after each call. */
  s3ClientFor: (target: S3Target) => Promise<S3Client>;
}

/** DeleteObjects requests in flight while the listing goes on. */
const DELETE_CONCURRENCY = 16;
/**
 * Listings of a prefix, from its start, before a purge gives up: the first deletes everything, the
 * second normally finds nothing. More are needed only when a listing ended early.
 */
const MAX_PASSES = 4;

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
          throw ApplicationFailure.nonRetryable(`S3 bucket ${target.bucket} exists but belongs to another account: choose another s3.bucket`, 'BadInput');
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
    const problems = purgeInputProblems({ session: target.ref.name, bucket: target.bucket, prefixes: input.prefixes });
    if (problems.length > 0) throw ApplicationFailure.nonRetryable(problems.join('; '), 'BadInput');

    const totals = noCounts();
    const client = await deps.s3ClientFor(target);
    try {
      const mode = await listingModeFor(client, target.bucket);
      for (const prefix of outermostPrefixes(input.prefixes)) {
        const progress = (step: string): void => heartbeatIfInActivity({ bucket: target.bucket, prefix, step, dryRun, ...totals });
        if (dryRun) {
          for await (const entries of releasedEntries(client, target.bucket, prefix, mode)) {
            for (const entry of entries) count(totals, entry);
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
 * Deletes everything under `prefix`: the listing goes on while DeleteObjects requests for the pages
 * already listed are in flight (s3-paging.ts says which entries must wait for the next page). Then
 * it lists again from the start, which normally finds nothing; a listing that ended early leaves
 * entries for that next pass. A retried attempt simply finds what the last one left.
 */
async function purgePrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
  mode: ListingMode,
  totals: PurgeCounts,
  progress: (step: string) => void,
): Promise<void> {
  // The first entries released in the previous pass: a server that answers "deleted" but keeps them
  // lists them first again, and would otherwise be purged pass after pass.
  let deletedFirst = new Set<string>();
  for (let pass = 1; ; pass++) {
    const pipeline = new DeletePipeline(client, bucket, DELETE_CONCURRENCY, totals, () => progress('deleting'));
    let listed = 0;
    let first: Set<string> | undefined;
    try {
      for await (const entries of releasedEntries(client, bucket, prefix, mode)) {
        progress('listing');
        if (first === undefined && entries.length > 0) {
          first = new Set(entries.map(entryId));
          const stale = entries.find((entry) => deletedFirst.has(entryId(entry)));
          if (stale) {
            throw ApplicationFailure.retryable(
              `S3 still lists ${describeEntry(stale)} in bucket ${bucket} after DeleteObjects reported it deleted`,
              'S3DeleteIneffective',
            );
          }
        }
        listed += entries.length;
        await pipeline.add(entries);
      }
      await pipeline.finish();
    } finally {
      await pipeline.settle();
    }
    const failures = pipeline.failures.summary();
    if (failures !== undefined) {
      throw ApplicationFailure.retryable(`S3 did not delete ${pipeline.failures.total} entries in bucket ${bucket}: ${failures}`, 'S3DeleteFailed');
    }
    if (listed === 0) return;
    if (pass >= MAX_PASSES) {
      throw ApplicationFailure.retryable(
        `S3 still lists entries under ${prefix} in bucket ${bucket} after ${pass} listings that deleted what they found`,
        'S3PurgeIncomplete',
      );
    }
    deletedFirst = first ?? new Set();
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
