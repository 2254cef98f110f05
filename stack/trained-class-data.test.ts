import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerName, takeClaim, trainedClassData } from './trained-class-data.ts';

const layer = { java: '/usr/bin/java', base: '/cache/flink.jsa', classpath: '/cache/lib/*', version: '2.1.0', kind: 'jobmanager' } as const;

describe('the trained class data layer', () => {
  it('is named by version and kind, and keyed by what it is only valid with', () => {
    expect(layerName(layer)).toMatch(/^flink-2\.1\.0-jobmanager-[0-9a-f]{12}\.jsa$/);
    expect(layerName(layer)).toBe(layerName({ ...layer }));
    for (const other of [{ base: '/cache/other.jsa' }, { java: '/opt/java' }, { classpath: '/cache/lib/*:/cache/web.jar' }]) {
      expect(layerName({ ...layer, ...other })).not.toBe(layerName(layer));
    }
  });

  it('is trained by one JVM at a time; a claim older than the training time is taken over', () => {
    const claim = join(mkdtempSync(join(tmpdir(), 'fso-claim-')), 'x.training');
    expect(takeClaim(claim)).toBe(true);
    expect(takeClaim(claim)).toBe(false);
    const old = new Date(Date.now() - 16 * 60_000);
    utimesSync(claim, old, old);
    expect(takeClaim(claim)).toBe(true);
    expect(takeClaim(claim)).toBe(false);
  });

  it('without provisioning’s archive there is nothing to train on, and nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fso-layers-'));
    expect((await trainedClassData({ ...layer, dir, base: undefined })).options).toEqual([]);
    expect((await trainedClassData({ ...layer, dir, base: join(dir, 'missing.jsa') })).options).toEqual([`-XX:SharedArchiveFile=${join(dir, 'missing.jsa')}`]);
  });

  it('a layer written before is mapped, over the base', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fso-layers-'));
    const base = join(dir, 'base.jsa');
    writeFileSync(base, 'archive');
    writeFileSync(join(dir, layerName({ ...layer, base })), 'layer');
    const got = await trainedClassData({ ...layer, dir, base });
    expect(got.options).toEqual([`-XX:SharedArchiveFile=${join(dir, layerName({ ...layer, base }))}`]);
  });

  it('an archive this Java cannot map is not trained on (such a JVM would not start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fso-layers-'));
    const base = join(dir, 'base.jsa');
    writeFileSync(base, 'not an archive');
    const got = await trainedClassData({ ...layer, dir, base, java: 'java' });
    expect(got.options).toEqual([`-XX:SharedArchiveFile=${base}`]);
    // and the claim is let go: the next JVM tries again
    expect(takeClaim(join(dir, `${layerName({ ...layer, base, java: 'java' })}.training`))).toBe(true);
  });
});
