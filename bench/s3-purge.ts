// S3 purge, side by side on the stack's S3 server (versitygw): this project's purgeS3Prefixes, s5cmd
// and `aws s3 rm --recursive` on the same data, and a lower bound the server allows: the time to
// list the prefix alone and the time to delete already-known keys alone (DeleteObjects, 16 in
// flight); a purge that overlaps the two cannot beat the longer one. Every run gets a bucket of its
// own, seeded the same way.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Semaphore } from '../concurrency/limit.ts';
import { createS3Activities } from '../activities/s3.ts';
import { stackS3Client } from '../stack/s3.ts';
import type { StackEndpoints } from '../stack/stack.ts';
import { processCpuSeconds, stackServerPid } from './metrics.ts';
import { seconds, type BenchRow, type Timing } from './table.ts';
import { findPeerTools, PROVISION_BENCH_HINT, runCommand, timeCommand, type CommandRun } from './tools.ts';

const SESSION = 'bench';
const PREFIX = `${SESSION}/flink/checkpoints/`;
/** Keys beside the prefix that every purge must leave: another session's, and this one's savepoints. */
const NEIGHBOURS = [`${SESSION}-2/flink/checkpoints/chk-1/_metadata`, `${SESSION}/flink/savepoints/sp-1/_metadata`, `${SESSION}/flink/checkpoints0/x`];
const SEED_CONCURRENCY = 32;
const LOWER_BOUND_DELETES_IN_FLIGHT = 16;

export interface Shape {
  /** Keys under the prefix. */
  keys: number;
  /** Versions per key (1: an unversioned bucket). */
  versions: number;
  /** Keys whose newest version is a delete marker. */
  deleteMarkers: number;
}

const keyOf = (i: number): string => `${PREFIX}job-${i % 20}/chk-${Math.floor(i / 20)}/_metadata`;

/**
 * Writes the shape into a new bucket: with s5cmd when it is there (its Go client uploads several
 * times faster than this process could, so seeding does not dominate the run), else with PutObject.
 */
async function seed(s3: S3Client, bucket: string, shape: Shape, s5cmd: S5cmd | undefined): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (shape.versions > 1 || shape.deleteMarkers > 0) {
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  const slots = new Semaphore(SEED_CONCURRENCY);
  if (s5cmd) {
    const folder = localTree(shape.keys);
    for (let version = 0; version < shape.versions; version++) await s5cmd.seed(['cp', `${folder}/*`, `s3://${bucket}/${PREFIX}`]);
    const script = join(folder, '..', `rm-${bucket}.txt`);
    writeFileSync(script, Array.from({ length: shape.deleteMarkers }, (_, i) => `rm s3://${bucket}/${keyOf(i)}\n`).join(''));
    if (shape.deleteMarkers > 0) await s5cmd.seed(['run', script]);
  } else {
    const put = (key: string, body: string): Promise<unknown> => slots.run(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })));
    for (let version = 0; version < shape.versions; version++) {
      await Promise.all(Array.from({ length: shape.keys }, (_, i) => put(keyOf(i), `v${version}`)));
    }
    await Promise.all(
      Array.from({ length: shape.deleteMarkers }, (_, i) => slots.run(() => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(i) })))),
    );
  }
  await Promise.all(NEIGHBOURS.map((key) => slots.run(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'keep' })))));
}

/** A local folder holding `keys` small files named like the keys under PREFIX (made once per size). */
const trees = new Map<number, string>();
function localTree(keys: number): string {
  const made = trees.get(keys);
  if (made) return made;
  const folder = join(mkdtempSync(join(tmpdir(), 'fso-bench-seed-')), 'tree');
  for (let i = 0; i < keys; i++) {
    const path = join(folder, keyOf(i).slice(PREFIX.length));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'v');
  }
  trees.set(keys, folder);
  return folder;
}

interface S5cmd {
  /** Seeding: must work. */
  seed(args: readonly string[]): Promise<number>;
  /** The measured purge: may fail, which the table says. */
  time(args: readonly string[]): Promise<CommandRun>;
}

/** Every version and delete marker under `prefix`, listed page after page. */
async function listEverything(s3: S3Client, bucket: string, prefix: string): Promise<{ Key: string; VersionId: string; latest: boolean }[]> {
  const found = new Map<string, { Key: string; VersionId: string; latest: boolean }>();
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker, MaxKeys: 1_000 }),
    );
    for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      found.set(`${entry.Key}\u0000${entry.VersionId}`, { Key: entry.Key ?? '', VersionId: entry.VersionId ?? 'null', latest: entry.IsLatest ?? true });
    }
    if (!page.IsTruncated) return [...found.values()];
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

/** How many entries under the prefix are left; throws when a neighbour is gone. */
async function leftUnder(s3: S3Client, bucket: string, who: string): Promise<number> {
  const keys = (await listEverything(s3, bucket, '')).map((entry) => entry.Key);
  const lost = NEIGHBOURS.filter((key) => !keys.includes(key));
  if (lost.length > 0) throw new Error(`${who} deleted neighbours in ${bucket}: ${lost.join(', ')}`);
  return keys.filter((key) => key.startsWith(PREFIX)).length;
}

/** Every object under `prefix` of an unversioned bucket: the cheaper listing, as the purge uses there. */
async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<{ Key: string; latest: boolean }[]> {
  const found: { Key: string; latest: boolean }[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1_000 }));
    for (const object of page.Contents ?? []) found.push({ Key: object.Key ?? '', latest: true });
    if (!page.IsTruncated || !page.NextContinuationToken) return [...new Map(found.map((o) => [o.Key, o])).values()];
    token = page.NextContinuationToken;
  }
}

async function timeLowerBound(s3: S3Client, bucket: string, versioned: boolean): Promise<{ listMs: number; deleteMs: number; entries: number }> {
  const listStarted = performance.now();
  const listed: { Key: string; VersionId?: string; latest: boolean }[] = versioned
    ? await listEverything(s3, bucket, PREFIX)
    : await listObjects(s3, bucket, PREFIX);
  const listMs = performance.now() - listStarted;
  // The cheapest order for versitygw, as the purge uses it: older versions before current ones.
  const entries = [...listed.filter((e) => !e.latest), ...listed.filter((e) => e.latest)].map(({ Key, VersionId }) =>
    VersionId === undefined ? { Key } : { Key, VersionId },
  );
  const slots = new Semaphore(LOWER_BOUND_DELETES_IN_FLIGHT);
  const deleteStarted = performance.now();
  const batches = Array.from({ length: Math.ceil(entries.length / 1_000) }, (_, i) => entries.slice(i * 1_000, (i + 1) * 1_000));
  await Promise.all(batches.map((batch) => slots.run(() => s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } })))));
  return { listMs, deleteMs: performance.now() - deleteStarted, entries: entries.length };
}

/**
 * Starts counting the S3 server's CPU time; the returned function says how much it used since, e.g.
 * `11.2 s`. Both tools make the server do the same work per entry, so on a busy machine its CPU, more
 * than anything a client does, sets the pace.
 */
function serverCpuMeter(stack: StackEndpoints): () => string {
  const pid = stackServerPid(stack.stateDir, 's3');
  const before = pid === undefined ? undefined : processCpuSeconds(pid);
  return () => {
    const after = pid === undefined ? undefined : processCpuSeconds(pid);
    return before === undefined || after === undefined ? 'unknown' : `${(after - before).toFixed(1)} s`;
  };
}

export interface S3BenchOptions {
  shape: Shape;
  /** Also time `aws s3 rm --recursive` (unversioned buckets only: it deletes no versions). */
  withAws: boolean;
  work: string;
}

export async function benchS3Purge(stack: StackEndpoints, options: S3BenchOptions): Promise<BenchRow> {
  const s3 = stackS3Client(stack.s3);
  const tools = findPeerTools();
  const run = Date.now().toString(36);
  const bucketFor = (who: string): string => `bench-${who}-${run}`;
  const toolEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: stack.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.s3.secretAccessKey,
    AWS_REGION: stack.s3.region,
    AWS_DEFAULT_REGION: stack.s3.region,
  };
  const s5cmdPath = tools.s5cmd;
  const withEndpoint = (args: readonly string[]): string[] => ['--endpoint-url', stack.s3.endpoint, ...args];
  const s5cmd: S5cmd | undefined =
    s5cmdPath === undefined
      ? undefined
      : {
          seed: (args) => runCommand(s5cmdPath, withEndpoint(args), toolEnv),
          time: (args) => timeCommand(s5cmdPath, withEndpoint(args), toolEnv),
        };
  const versioned = options.shape.versions > 1 || options.shape.deleteMarkers > 0;
  const entries = options.shape.keys * options.shape.versions + options.shape.deleteMarkers;
  /** `s5cmd … 4.2 s`, and what it left when it did not delete everything. */
  const peer = async (label: string, bucket: string, run: CommandRun): Promise<Timing> => {
    const left = await leftUnder(s3, bucket, label);
    const notes = [run.failure, left > 0 ? `left ${left.toLocaleString('en')} of ${entries.toLocaleString('en')} entries` : undefined].filter(
      (n) => n !== undefined,
    );
    return { label: notes.length > 0 ? `${label} (${notes.join('; ')})` : label, seconds: seconds(run.ms) };
  };
  try {
    // This project.
    const ours = bucketFor('fso');
    await seed(s3, ours, options.shape, s5cmd);
    const { purgeS3Prefixes } = createS3Activities({ s3ClientFor: async () => stackS3Client(stack.s3) });
    const serverCpu = serverCpuMeter(stack);
    const started = performance.now();
    const counts = await purgeS3Prefixes({
      target: { ref: { namespace: 'bench', name: SESSION, uid: 'bench', generation: 1 }, endPoint: stack.s3.endpoint, bucket: ours },
      prefixes: [PREFIX],
    });
    const projectMs = performance.now() - started;
    const cpuNotes = [`S3 server CPU: this project ${serverCpu()}`];
    const oursLeft = await leftUnder(s3, ours, 'purgeS3Prefixes');
    if (oursLeft > 0) throw new Error(`purgeS3Prefixes left ${oursLeft} entries under ${PREFIX} in ${ours}`);

    const peers: Timing[] = [];
    if (s5cmd) {
      const bucket = bucketFor('s5cmd');
      await seed(s3, bucket, options.shape, s5cmd);
      const s5cmdCpu = serverCpuMeter(stack);
      const run = await s5cmd.time(['rm', ...(versioned ? ['--all-versions'] : []), `s3://${bucket}/${PREFIX}*`]);
      cpuNotes.push(`s5cmd ${s5cmdCpu()}`);
      peers.push(await peer(`s5cmd rm${versioned ? ' --all-versions' : ''}`, bucket, run));
    }
    if (options.withAws && tools.aws) {
      const bucket = bucketFor('aws');
      await seed(s3, bucket, options.shape, s5cmd);
      const run = await timeCommand(tools.aws, withEndpoint(['s3', 'rm', '--recursive', '--only-show-errors', `s3://${bucket}/${PREFIX}`]), toolEnv);
      peers.push(await peer('aws s3 rm --recursive', bucket, run));
    }

    const bound = bucketFor('bound');
    await seed(s3, bound, options.shape, s5cmd);
    const { listMs, deleteMs } = await timeLowerBound(s3, bound, versioned);
    const missing = [tools.s5cmd ? undefined : 's5cmd', options.withAws && !tools.aws ? 'aws' : undefined].filter((t) => t !== undefined);
    return {
      work: options.work,
      project: { label: '', seconds: seconds(projectMs) },
      peers,
      lowerBound: {
        label: `max(list ${seconds(listMs).toFixed(1)} s, delete ×${LOWER_BOUND_DELETES_IN_FLIGHT} ${seconds(deleteMs).toFixed(1)} s) =`,
        seconds: seconds(Math.max(listMs, deleteMs)),
      },
      note:
        `${counts.versions} versions + ${counts.deleteMarkers} delete markers purged; ${cpuNotes.join(', ')}` +
        `${missing.length > 0 ? `; ${missing.join(', ')} not found (${PROVISION_BENCH_HINT})` : ''}`,
    };
  } finally {
    s3.destroy();
  }
}
