// Pure rules for reading an S3 listing while it is being deleted (activities/s3.ts pipelines the
// two), and the counting of what was purged. No I/O here (s3-paging.test.ts).
//
// versitygw (1.7) quirks these rules exist for:
// - A page of ListObjectVersions repeats the entry its markers name (the last of the page before)
//   as its first entry: entries of the previous page are dropped.
// - The next page is found by walking to the entry the markers name; when that object version has
//   been deleted meanwhile, the walk never finds it and the listing ends early, saying it is
//   complete. So the entries of the key a page's markers name are held back from deletion until the
//   next page has been listed. (A purge still lists once more from the start at the end, so a server
//   that ends early in some other way is caught.)
// Only the previous page and the held-back entries are remembered: memory stays bounded by a page,
// whatever the size of the listing.

export interface ListedEntry {
  key: string;
  /** Absent when the server cannot list versions and objects are deleted by key. */
  versionId?: string;
  kind: 'version' | 'deleteMarker';
  latest: boolean;
  size: number;
}

/** Where the next page starts: S3's markers when listing versions, its token when listing objects. */
export interface ListCursor {
  keyMarker?: string;
  versionIdMarker?: string;
  continuationToken?: string;
}

export interface ListedPage {
  entries: ListedEntry[];
  /** Absent on the last page. */
  next?: ListCursor;
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

export const noCounts = (): PurgeCounts => ({ objects: 0, versions: 0, deleteMarkers: 0, bytes: 0 });

/** What one page of a listing means for the purge. */
export interface PageOutcome {
  /** Entries that may be deleted now (held-back entries of earlier pages included). */
  release: ListedEntry[];
  /** Entries of this page not seen on the page before. */
  fresh: number;
  /** The page claims more entries but brought nothing new: listing on would repeat it forever. */
  stuck: boolean;
}

/** Reads the pages of one listing, in order, and says which entries may be deleted when. */
export class PageSequencer {
  #previous = new Set<string>();
  #held: ListedEntry[] = [];

  accept(page: ListedPage): PageOutcome {
    const fresh = page.entries.filter((entry) => !this.#previous.has(entryId(entry)));
    this.#previous = new Set(page.entries.map(entryId));
    const markerKey = page.next === undefined ? undefined : cursorKey(page.next, page.entries);
    const release = this.#held;
    this.#held = [];
    for (const entry of fresh) {
      if (markerKey !== undefined && namesSameObject(entry.key, markerKey)) this.#held.push(entry);
      else release.push(entry);
    }
    return { release, fresh: fresh.length, stuck: page.next !== undefined && fresh.length === 0 };
  }

  /** After the last page: everything still held back. */
  end(): ListedEntry[] {
    const rest = this.#held;
    this.#held = [];
    return rest;
  }
}

/**
 * The key the next page's request starts from: the key marker when listing versions; when listing
 * objects the token is opaque, so the page's last key (what versitygw's token stands for).
 */
function cursorKey(cursor: ListCursor, entries: readonly ListedEntry[]): string | undefined {
  return cursor.keyMarker ?? entries.at(-1)?.key;
}

/** versitygw names a directory object `a/b/` by its directory `a/b` in the key marker. */
function namesSameObject(key: string, markerKey: string): boolean {
  return key === markerKey || key === `${markerKey}/`;
}

/**
 * The order to delete a batch in: older versions (and older delete markers) before the current ones.
 * Deleting a key's current version while older ones remain makes versitygw (1.7) copy the newest of
 * them into the key's place; deleting it last, when nothing older is left, is a plain remove.
 */
export function deletionOrder(batch: readonly ListedEntry[]): ListedEntry[] {
  return [...batch.filter((entry) => !entry.latest), ...batch.filter((entry) => entry.latest)];
}

export function entryId(entry: { key: string; versionId?: string }): string {
  return `${entry.key}\u0000${entry.versionId ?? ''}`;
}

export function describeEntry(entry: { key: string; versionId?: string }): string {
  return entry.versionId === undefined ? entry.key : `${entry.key} (version ${entry.versionId})`;
}

export function count(totals: PurgeCounts, entry: ListedEntry): void {
  if (entry.kind === 'deleteMarker') {
    totals.deleteMarkers += 1;
    return;
  }
  totals.versions += 1;
  totals.bytes += entry.size;
  if (entry.latest) totals.objects += 1;
}

/** At most `limit` failure texts, and how many there were in all: enough for a message, bounded in memory. */
export class FailureSample {
  readonly #limit: number;
  readonly shown: string[] = [];
  total = 0;

  constructor(limit = 5) {
    this.#limit = limit;
  }

  add(text: string): void {
    this.total += 1;
    if (this.shown.length < this.#limit) this.shown.push(text);
  }

  /** `a; b; c and 7 more`, or undefined when nothing failed. */
  summary(): string | undefined {
    if (this.total === 0) return undefined;
    const more = this.total > this.shown.length ? ` and ${this.total - this.shown.length} more` : '';
    return `${this.shown.join('; ')}${more}`;
  }
}
