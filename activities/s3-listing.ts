// Listing a prefix of a bucket for a purge: one page at a time (S3 pages are sequential by nature),
// each page checked against the prefix asked for, its entries released for deletion as
// s3-paging.ts allows. Listing by versions, or by objects on servers without ListObjectVersions.
import { setTimeout as sleep } from 'node:timers/promises';
import { GetBucketVersioningCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { PageSequencer, type ListCursor, type ListedEntry, type ListedPage } from './s3-paging.ts';

const LIST_PAGE_SIZE = 1_000;
/**
 * versitygw (1.7) walks its directories for every page; a folder that a concurrent delete empties
 * (and removes) between being read and being opened fails that page with 500 InternalError. The page
 * is asked for again: it is a read, and the next walk no longer meets that folder.
 */
const LIST_ATTEMPTS = 8;
const LIST_RETRY_BASE_MS = 20;

/** How to list a bucket: by versions, or (servers without ListObjectVersions) by objects. Decided once per purge. */
export interface ListingMode {
  versions: boolean;
}

/**
 * How to list `bucket` for a purge. A bucket whose versioning was never switched on holds only its
 * objects (S3 reports no versioning status for it), and listing objects is far cheaper than listing
 * versions on versitygw (1.7), whose version listing walks the whole bucket for every page. Any
 * other answer, or none, lists versions.
 */
export async function listingModeFor(client: S3Client, bucket: string): Promise<ListingMode> {
  try {
    const { Status } = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return { versions: Status !== undefined };
  } catch {
    return { versions: true };
  }
}

/** What one listing reads: a prefix of a bucket, through a client, in a mode. */
interface Listing {
  client: S3Client;
  bucket: string;
  prefix: string;
  mode: ListingMode;
}

/**
 * Lists everything under `prefix` once, yielding after each page the entries that may be deleted
 * now (if any); every entry is yielded exactly once. Yields nothing for an empty prefix or a bucket
 * that does not exist.
 */
export async function* releasedEntries(client: S3Client, bucket: string, prefix: string, mode: ListingMode): AsyncGenerator<ListedEntry[]> {
  const listing: Listing = { client, bucket, prefix, mode };
  const sequencer = new PageSequencer();
  let cursor: ListCursor | undefined;
  for (;;) {
    const page = await listPageRetrying(listing, cursor);
    if (page === undefined) return; // no such bucket: nothing to purge
    for (const entry of page.entries) {
      // The server chose what to return; never delete what lies outside the prefix we asked for.
      if (!entry.key.startsWith(prefix)) {
        throw ApplicationFailure.nonRetryable(
          `S3 listed ${JSON.stringify(entry.key)} for prefix ${JSON.stringify(prefix)} in bucket ${bucket}; ` +
            'refusing to purge with a server that ignores prefixes',
          'S3ScopeViolation',
        );
      }
    }
    const outcome = sequencer.accept(page);
    if (outcome.stuck) {
      throw ApplicationFailure.retryable(`S3 listing of ${prefix} in bucket ${bucket} makes no progress at ${JSON.stringify(page.next)}`, 'S3ListingStuck');
    }
    if (outcome.release.length > 0) yield outcome.release;
    if (page.next === undefined) break;
    cursor = page.next;
  }
  const rest = sequencer.end();
  if (rest.length > 0) yield rest;
}

async function listPageRetrying(listing: Listing, cursor: ListCursor | undefined): Promise<ListedPage | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listPage(listing, cursor);
    } catch (error: unknown) {
      if (attempt >= LIST_ATTEMPTS || s3ErrorOf(error)?.status !== 500) throw error;
      await sleep(LIST_RETRY_BASE_MS * 2 ** (attempt - 1));
    }
  }
}

/** One page of the listing after `cursor`, or undefined when the bucket does not exist. */
async function listPage(listing: Listing, cursor: ListCursor | undefined): Promise<ListedPage | undefined> {
  const { client, bucket, prefix, mode } = listing;
  try {
    if (mode.versions) {
      const page = await client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: prefix,
          MaxKeys: LIST_PAGE_SIZE,
          KeyMarker: cursor?.keyMarker,
          VersionIdMarker: cursor?.versionIdMarker,
        }),
      );
      const entries: ListedEntry[] = [
        ...(page.Versions ?? []).map((v) => ({
          key: v.Key ?? '',
          versionId: v.VersionId ?? 'null',
          kind: 'version' as const,
          latest: v.IsLatest ?? true,
          size: v.Size ?? 0,
        })),
        ...(page.DeleteMarkers ?? []).map((m) => ({
          key: m.Key ?? '',
          versionId: m.VersionId ?? 'null',
          kind: 'deleteMarker' as const,
          latest: m.IsLatest ?? true,
          size: 0,
        })),
      ];
      return page.IsTruncated && page.NextKeyMarker
        ? { entries, next: { keyMarker: page.NextKeyMarker, versionIdMarker: page.NextVersionIdMarker ?? '' } }
        : { entries };
    }
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: LIST_PAGE_SIZE,
        ContinuationToken: cursor?.continuationToken,
      }),
    );
    const entries: ListedEntry[] = (page.Contents ?? []).map((o) => ({ key: o.Key ?? '', kind: 'version', latest: true, size: o.Size ?? 0 }));
    return page.IsTruncated && page.NextContinuationToken ? { entries, next: { continuationToken: page.NextContinuationToken } } : { entries };
  } catch (error) {
    const failure = s3ErrorOf(error);
    if (failure?.name === 'NoSuchBucket') return undefined;
    // A server without ListObjectVersions keeps no versions: list objects instead, for the rest of this purge.
    if (mode.versions && cursor === undefined && (failure?.name === 'NotImplemented' || failure?.status === 501)) {
      mode.versions = false;
      return listPage(listing, undefined);
    }
    throw error;
  }
}

/** The S3 error name and HTTP status of a failed request; undefined for anything that is not an S3 answer. */
export function s3ErrorOf(error: unknown): { name: string; status: number | undefined } | undefined {
  if (!(error instanceof S3ServiceException)) return undefined;
  return { name: error.name, status: error.$metadata.httpStatusCode };
}
