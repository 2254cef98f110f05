import { describe, expect, it } from 'vitest';
import { FailureSample, PageSequencer, count, deletionOrder, noCounts, type ListedEntry } from './s3-paging.ts';

const version = (key: string, versionId = 'null', latest = true): ListedEntry => ({ key, versionId, kind: 'version', latest, size: 1 });
const keys = (entries: readonly ListedEntry[]): string[] => entries.map((e) => `${e.key}@${e.versionId ?? ''}`);

describe('PageSequencer', () => {
  it('holds back the entries of the key the markers name until the next page is listed (versitygw ends early when it is gone)', () => {
    const pages = new PageSequencer();
    const first = pages.accept({
      entries: [version('p/a'), version('p/b', 'v2'), version('p/b', 'v1', false)],
      next: { keyMarker: 'p/b', versionIdMarker: 'v1' },
    });
    expect(keys(first.release)).toEqual(['p/a@null']);
    expect(first).toMatchObject({ fresh: 3, stuck: false });
    // versitygw repeats the entry the markers name as the first of the next page.
    const second = pages.accept({ entries: [version('p/b', 'v1', false), version('p/c')] });
    expect(keys(second.release)).toEqual(['p/b@v2', 'p/b@v1', 'p/c@null']);
    expect(second.fresh).toBe(1);
    expect(pages.end()).toEqual([]);
  });

  it('treats a directory object a/b/ as the key marker a/b', () => {
    const pages = new PageSequencer();
    expect(keys(pages.accept({ entries: [version('p/a'), version('p/d/')], next: { keyMarker: 'p/d', versionIdMarker: 'null' } }).release)).toEqual([
      'p/a@null',
    ]);
    expect(keys(pages.end())).toEqual(['p/d/@null']);
  });

  it('listing objects by token: holds back the last key of the page', () => {
    const pages = new PageSequencer();
    const object = (key: string): ListedEntry => ({ key, kind: 'version', latest: true, size: 0 });
    expect(pages.accept({ entries: [object('p/a'), object('p/b')], next: { continuationToken: 'opaque' } }).release.map((e) => e.key)).toEqual(['p/a']);
    expect(pages.accept({ entries: [object('p/c')] }).release.map((e) => e.key)).toEqual(['p/b', 'p/c']);
  });

  it('a page that claims more but brings nothing new is stuck', () => {
    const pages = new PageSequencer();
    const page = { entries: [version('p/a')], next: { keyMarker: 'p/a', versionIdMarker: 'null' } };
    expect(pages.accept(page).stuck).toBe(false);
    expect(pages.accept(page)).toMatchObject({ stuck: true, fresh: 0 });
  });

  it('remembers only the previous page: an entry seen two pages back counts as new', () => {
    const pages = new PageSequencer();
    pages.accept({ entries: [version('p/a')], next: { keyMarker: 'p/z' } });
    pages.accept({ entries: [version('p/b')], next: { keyMarker: 'p/z' } });
    expect(pages.accept({ entries: [version('p/a')] }).fresh).toBe(1);
  });
});

describe('deletionOrder', () => {
  it('puts older versions and markers before the current ones, otherwise keeping the order', () => {
    const marker: ListedEntry = { key: 'p/b', versionId: 'm', kind: 'deleteMarker', latest: true, size: 0 };
    const batch = [version('p/a', 'v2'), version('p/a', 'v1', false), marker, version('p/b', 'v1', false), version('p/c')];
    expect(keys(deletionOrder(batch))).toEqual(['p/a@v1', 'p/b@v1', 'p/a@v2', 'p/b@m', 'p/c@null']);
  });
});

describe('count', () => {
  it('counts versions, live objects, bytes and delete markers', () => {
    const totals = noCounts();
    count(totals, { key: 'a', versionId: '2', kind: 'version', latest: true, size: 3 });
    count(totals, { key: 'a', versionId: '1', kind: 'version', latest: false, size: 4 });
    count(totals, { key: 'b', versionId: '9', kind: 'deleteMarker', latest: true, size: 0 });
    expect(totals).toEqual({ objects: 1, versions: 2, deleteMarkers: 1, bytes: 7 });
  });
});

describe('FailureSample', () => {
  it('keeps the first few texts and the total', () => {
    const sample = new FailureSample(2);
    expect(sample.summary()).toBeUndefined();
    for (const text of ['a', 'b', 'c', 'd']) sample.add(text);
    expect(sample.summary()).toBe('a; b and 2 more');
    expect(sample.total).toBe(4);
  });
});
