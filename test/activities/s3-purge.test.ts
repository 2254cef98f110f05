// The S3 activities against the stack's real S3 server (versitygw): a versioned bucket with thousands
// of object versions and delete markers, a neighbour session and a name that shares the prefix.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Activities, type PurgeCounts, type S3Target } from '../../activities/s3.ts';
import { s3ClientFactory } from '../../activities/s3-client.ts';
import { stackS3Client } from '../../stack/s3.ts';
import { stackEndpoints, uniqueName } from '../support/stack.ts';
import { expectBadInput } from '../support/failures.ts';

/** Every version and delete marker under `prefix` (or the whole bucket), as sorted `kind key@version` lines. */
async function listAll(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  // versitygw pages at most 1,000 entries and repeats the entry at a page boundary: a set keeps each once.
  const lines = new Set<string>();
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    for (const v of page.Versions ?? []) lines.add(`version ${v.Key}@${v.VersionId}`);
    for (const m of page.DeleteMarkers ?? []) lines.add(`marker ${m.Key}@${m.VersionId}`);
    if (!page.IsTruncated) return [...lines].sort();
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  throw new Error(`listing ${bucket}/${prefix} did not end`);
}

/** Runs `tasks` with at most `limit` in flight. */
async function inParallel(limit: number, tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]?.();
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

describe('S3 activities (versitygw, real server)', () => {
  const stack = stackEndpoints();
  const secretReads: string[] = [];
  // Stands in for the worker's Kubernetes Secret reader: hands out the stack's test credentials.
  const readSecret = async (namespace: string, name: string): Promise<Record<string, string>> => {
    secretReads.push(`${namespace}/${name}`);
    return { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey, id: stack.s3.accessKeyId, key: stack.s3.secretAccessKey };
  };
  const s3ClientFor = s3ClientFactory({ readSecret });
  const { ensureBucket, purgeS3Prefixes } = createS3Activities({ s3ClientFor });

  const session = uniqueName('sess');
  const neighbour = uniqueName('other');
  const bucket = uniqueName('purge');
  // No scheme: the earlier operator's manifests write host:port, and http:// is assumed.
  const endPoint = stack.s3.endpoint.replace(/^http:\/\//, '');
  const ref = { namespace: 'team-a', name: session, uid: 'u1', generation: 1 };
  const target: S3Target = { ref, endPoint, bucket, credentialsSecret: { name: 's3-credentials' } };
  const prefixes = [`${session}/flink/ha/`, `${session}/flink/checkpoints/`];
  const expected: PurgeCounts = { objects: 0, versions: 0, deleteMarkers: 0, bytes: 0 };
  let s3: S3Client;
  let untouched: string[];

  beforeAll(async () => {
    s3 = stackS3Client(stack.s3);
    expect(await ensureBucket(target)).toEqual({ created: true });

    // Each task writes one key's versions in order; tasks for different keys run side by side.
    const write =
      (key: string, ...bodies: string[]) =>
      async (): Promise<void> => {
        for (const body of bodies) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      };
    const remove = (key: string) => async (): Promise<void> => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    };
    // Before versioning is on: objects with a "null" version id, overwritten later.
    const early = Array.from({ length: 20 }, (_, i) => `${session}/flink/ha/early/${i}`);
    await inParallel(
      8,
      early.map((key) => write(key, 'early!')),
    );
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));

    // The session: 2,542 object versions and 300 delete markers under ha/ and checkpoints/, 1–4 levels deep.
    const writes: (() => Promise<void>)[] = [];
    const deletes: (() => Promise<void>)[] = [];
    for (let i = 0; i < 300; i++) {
      const key = `${session}/flink/ha/job-${i % 10}/metadata/${i}`;
      writes.push(write(key, 'a', 'bb', 'ccc'));
      if (i % 3 === 0) deletes.push(remove(key));
    }
    for (let i = 0; i < 800; i++) {
      const key = `${session}/flink/checkpoints/job-${i % 8}/chk-${i}/_metadata`;
      writes.push(write(key, 'dddd', 'eeeee'));
      if (i % 4 === 0) deletes.push(remove(key));
    }
    writes.push(...early.map((key) => write(key, 'late')));
    // Directory markers, as Hadoop's S3A writes them: empty objects named like the folder.
    writes.push(write(`${session}/flink/ha/`, ''), write(`${session}/flink/checkpoints/job-0/`, ''));
    // Neighbours that must survive: another session, a session whose name extends this one's, and
    // this session's own savepoints and a key that only starts like ha/ (neither is purged).
    for (const key of [
      `${neighbour}/flink/ha/metadata/1`,
      `${session}-2/flink/ha/metadata/1`,
      `${session}-2/flink/checkpoints/chk-1/_metadata`,
      `${session}/flink/savepoints/sp-1/_metadata`,
      `${session}/flink/hax`,
    ]) {
      writes.push(write(key, 'keep', 'keep-2'));
      deletes.push(remove(key));
    }
    await inParallel(16, writes);
    await inParallel(16, deletes);

    expected.versions = 300 * 3 + 800 * 2 + 20 * 2 + 2;
    expected.deleteMarkers = 100 + 200;
    expected.objects = 300 - 100 + 800 - 200 + 20 + 2;
    expected.bytes = 300 * (1 + 2 + 3) + 800 * (4 + 5) + 20 * ('early!'.length + 'late'.length);

    const sessionEntries = [...(await listAll(s3, bucket, prefixes[0])), ...(await listAll(s3, bucket, prefixes[1]))];
    expect(sessionEntries).toHaveLength(expected.versions + expected.deleteMarkers);
    untouched = (await listAll(s3, bucket)).filter((line) => !prefixes.some((prefix) => line.includes(` ${prefix}`)));
    expect(untouched).toHaveLength(5 * 3);
  }, 180_000);

  afterAll(() => s3?.destroy());

  it('ensureBucket finds the bucket it made, and reads the credentials Secret the spec names', async () => {
    expect(await ensureBucket(target)).toEqual({ created: false });
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    expect(secretReads.at(-1)).toBe('team-a/s3-credentials');
  });

  it('a dry run counts every version and delete marker and deletes nothing', async () => {
    const before = await listAll(s3, bucket);
    expect(await purgeS3Prefixes({ target, prefixes, dryRun: true })).toEqual(expected);
    expect(await listAll(s3, bucket)).toEqual(before);
  });

  it('purges every version and delete marker under the prefixes, and nothing else', async () => {
    const started = performance.now();
    const counts = await purgeS3Prefixes({ target, prefixes });
    const seconds = (performance.now() - started) / 1000;
    console.log(`purged ${counts.versions} versions and ${counts.deleteMarkers} delete markers in ${seconds.toFixed(2)} s`);

    expect(counts).toEqual(expected);
    for (const prefix of prefixes) expect(await listAll(s3, bucket, prefix)).toEqual([]);
    expect(await listAll(s3, bucket)).toEqual(untouched);
  });

  it('a second purge finds nothing to do', async () => {
    expect(await purgeS3Prefixes({ target, prefixes })).toEqual({ objects: 0, versions: 0, deleteMarkers: 0, bytes: 0 });
    expect(await listAll(s3, bucket)).toEqual(untouched);
  });

  it.each([
    [['../x'], /"\.\.\/x" is outside session/],
    [[`${neighbour}/flink/`], /is outside session/],
    [[''], /S3 prefix is empty, which would purge the whole bucket/],
    [[`${session}/flink/ha`], /must end with '\/'/],
    [[`${session}/flink/../../${neighbour}/flink/`], /'\.\.' segment/],
    [[`${session}-2/flink/`], /is outside session/],
    [[], /no S3 prefixes given/],
  ])('refuses prefixes %j without touching S3', async (badPrefixes, message) => {
    const reads = secretReads.length;
    const error = await purgeS3Prefixes({ target, prefixes: badPrefixes }).catch((e: unknown) => e);
    expectBadInput(error, message);
    expect(secretReads).toHaveLength(reads);
    expect(await listAll(s3, bucket)).toEqual(untouched);
  });

  it('refuses a session name that is not a DNS-1123 label', async () => {
    const error = await purgeS3Prefixes({ target: { ...target, ref: { ...ref, name: '..' } }, prefixes: ['../flink/'] }).catch((e: unknown) => e);
    expectBadInput(error, /session "\.\." is not a DNS-1123 label/);
  });

  it('purges an unversioned bucket, whose objects list with "null" version ids', async () => {
    const plain = uniqueName('plain');
    await s3.send(new CreateBucketCommand({ Bucket: plain }));
    const keys = Array.from({ length: 1_205 }, (_, i) => `${session}/flink/ha/${i}`);
    await inParallel(
      16,
      [...keys, `${session}-2/flink/ha/1`].map((key) => async () => {
        await s3.send(new PutObjectCommand({ Bucket: plain, Key: key, Body: 'xy' }));
      }),
    );
    const plainTarget = { ...target, bucket: plain };

    expect(await purgeS3Prefixes({ target: plainTarget, prefixes: [`${session}/flink/`], dryRun: true })).toEqual({
      objects: 1_205,
      versions: 1_205,
      deleteMarkers: 0,
      bytes: 2 * 1_205,
    });
    expect(await purgeS3Prefixes({ target: plainTarget, prefixes: [`${session}/flink/`] })).toEqual({
      objects: 1_205,
      versions: 1_205,
      deleteMarkers: 0,
      bytes: 2 * 1_205,
    });
    expect(await listAll(s3, plain)).toEqual([`version ${session}-2/flink/ha/1@null`]);
  });

  it('deletes while it lists, many pages deep, and leaves the keys that sort right before and after the prefix', async () => {
    const plain = uniqueName('pipelined');
    await s3.send(new CreateBucketCommand({ Bucket: plain }));
    const prefix = `${session}/flink/checkpoints/`;
    // 6,500 keys: seven pages, several DeleteObjects requests in flight while the listing goes on.
    const keys = Array.from({ length: 6_500 }, (_, i) => `${prefix}job-${i % 13}/chk-${i}/_metadata`);
    // '.' sorts right before '/', '0' right after it: neighbours on both sides of the prefix.
    const neighbours = [
      `${session}/flink/checkpoints.old/x`,
      `${session}/flink/checkpoints0/x`,
      `${session}/flink/checkpoint`,
      `${session}-2/flink/checkpoints/job-0/chk-0/_metadata`,
      `${session}/flink/savepoints/sp-1/_metadata`,
    ];
    await inParallel(
      16,
      [...keys, ...neighbours].map((key) => async () => {
        await s3.send(new PutObjectCommand({ Bucket: plain, Key: key, Body: 'z' }));
      }),
    );

    expect(await purgeS3Prefixes({ target: { ...target, bucket: plain }, prefixes: [prefix] })).toEqual({
      objects: 6_500,
      versions: 6_500,
      deleteMarkers: 0,
      bytes: 6_500,
    });
    expect(await listAll(s3, plain)).toEqual(neighbours.map((key) => `version ${key}@null`).sort());
  });

  it('reads the per-key Errors of DeleteObjects: what S3 did not delete fails the purge, retryably, by name', async () => {
    const write =
      (key: string, ...bodies: string[]) =>
      async (): Promise<void> => {
        for (const body of bodies) await s3.send(new PutObjectCommand({ Bucket: raced, Key: key, Body: body }));
      };
    const raced = uniqueName('raced');
    await s3.send(new CreateBucketCommand({ Bucket: raced }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: raced, VersioningConfiguration: { Status: 'Enabled' } }));
    const prefix = `${session}/flink/ha/`;
    const keys = Array.from({ length: 1_500 }, (_, i) => `${prefix}${i}`);
    await inParallel(
      16,
      keys.map((key) => write(key, 'v1', 'v2', 'v3')),
    );
    // Another actor (say, a second worker) deletes the middle version of the first key just before the
    // purge's first DeleteObjects reaches the server. versitygw then answers 200 with that version in
    // Errors (InvalidArgument: it is neither the current version nor in its version folder).
    let victim: { Key?: string; VersionId?: string } | undefined;
    const racingClientFor = async (t: S3Target): Promise<S3Client> => {
      const client = await s3ClientFor(t);
      const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      client.send = (async (command: unknown) => {
        if (command instanceof DeleteObjectsCommand && victim === undefined) {
          const [first, second] = command.input.Delete?.Objects ?? [];
          expect(second?.Key).toBe(first?.Key);
          victim = second;
          await s3.send(new DeleteObjectCommand({ Bucket: raced, Key: victim?.Key, VersionId: victim?.VersionId }));
        }
        return send(command);
      }) as S3Client['send'];
      return client;
    };
    const racing = createS3Activities({ s3ClientFor: racingClientFor });

    const error = await racing.purgeS3Prefixes({ target: { ...target, bucket: raced }, prefixes: [prefix] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'S3DeleteFailed', nonRetryable: false });
    // versitygw names the key in Errors, not the version.
    expect((error as Error).message).toContain(`S3 did not delete 1 entries in bucket ${raced}: ${victim?.Key}: InvalidArgument`);
    // Everything else went; the retry finds nothing left.
    expect(await listAll(s3, raced, prefix)).toEqual([]);
    expect(await purgeS3Prefixes({ target: { ...target, bucket: raced }, prefixes: [prefix] })).toEqual({
      objects: 0,
      versions: 0,
      deleteMarkers: 0,
      bytes: 0,
    });
  });

  it('a bucket that does not exist has nothing to purge', async () => {
    expect(await purgeS3Prefixes({ target: { ...target, bucket: uniqueName('missing') }, prefixes })).toEqual({
      objects: 0,
      versions: 0,
      deleteMarkers: 0,
      bytes: 0,
    });
  });

  it('heartbeats with progress when it runs as an activity, and stops when cancelled', async () => {
    const keys = Array.from({ length: 2_500 }, (_, i) => `${session}/flink/checkpoints/again/${i}`);
    await inParallel(
      16,
      keys.map((key) => async () => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'z' }));
      }),
    );

    const counting = new MockActivityEnvironment();
    const beats: unknown[] = [];
    counting.on('heartbeat', (details: unknown) => beats.push(details));
    expect(await counting.run(purgeS3Prefixes, { target, prefixes, dryRun: true })).toMatchObject({ versions: 2_500 });
    expect(beats.length).toBeGreaterThanOrEqual(3); // one per listed page
    expect(beats.at(-1)).toMatchObject({ bucket, prefix: prefixes[1], step: 'counting', dryRun: true, versions: 2_500 });

    // Cancelled at its first heartbeat (after the first page is listed): it stops before deleting.
    const cancelled = new MockActivityEnvironment();
    cancelled.on('heartbeat', () => cancelled.cancel('CANCELLED'));
    await expect(cancelled.run(purgeS3Prefixes, { target, prefixes })).rejects.toBeInstanceOf(CancelledFailure);
    expect(await listAll(s3, bucket, prefixes[1])).toHaveLength(2_500);

    const deleting = new MockActivityEnvironment();
    const steps = new Set<unknown>();
    deleting.on('heartbeat', (details: { step: string }) => steps.add(details.step));
    expect(await deleting.run(purgeS3Prefixes, { target, prefixes })).toMatchObject({ versions: 2_500, objects: 2_500 });
    expect([...steps].sort()).toEqual(['deleting', 'listing']);
    expect(await listAll(s3, bucket, prefixes[1])).toEqual([]);
    expect(await listAll(s3, bucket)).toEqual(untouched);
  });

  describe('s3ClientFactory', () => {
    it('reads the keys a credentialsSecret names', async () => {
      const custom = { ...target, credentialsSecret: { name: 'custom', accessKeyKey: 'id', secretKeyKey: 'key' } };
      expect(await ensureBucket(custom)).toEqual({ created: false });
      expect(secretReads.at(-1)).toBe('team-a/custom');
    });

    it('reads migrated inline keys from the Secret the operator wrote', async () => {
      const migrated: S3Target = { ref, endPoint, bucket, inlineCredentials: true };
      expect(await ensureBucket(migrated)).toEqual({ created: false });
      expect(secretReads.at(-1)).toBe(`team-a/${session}-credentials`);
    });

    it('refuses a Secret without the named keys, saying which', async () => {
      const error = await ensureBucket({ ...target, credentialsSecret: { name: 'custom', accessKeyKey: 'nope' } }).catch((e: unknown) => e);
      expectBadInput(error, /Secret team-a\/custom has no value for "nope"/);
    });

    it('refuses a bucket name S3 would not accept', async () => {
      const error = await ensureBucket({ ...target, bucket: 'Not_A_Bucket' }).catch((e: unknown) => e);
      expectBadInput(error, /s3\.bucket "Not_A_Bucket" is not an S3 bucket name/);
    });
  });
});
