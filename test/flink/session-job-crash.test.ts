// A FlinkSessionJob change (args, upgradeMode savepoint) on real Flink 2.1 while the worker is
// SIGKILLed at the three points where a lost activity result could run a job twice or lose its state
// (worker/fault-injection.ts): inside the savepoint poll, right after the stop-with-savepoint completed
// (before the resubmission), and right after the run request (Flink has the new job, Temporal does not
// know). A new worker finishes the change; afterwards Flink runs exactly one instance of the job, this
// generation's (its fixed id), restored from the savepoint the stop wrote under
// s3://<bucket>/<session>/flink/savepoints/, its counts going on from before the change, and the
// FlinkSessionJob is Ready. One session serves the three cases (each waits out the 30 s heartbeat
// timeout of the job steps, which is how Temporal hears of the dead worker), and a fourth without a
// crash: a change right after the job's checkpoint statistics were read, which Flink's REST then
// caches (as it does after a dashboard's read), is restored from the stop's savepoint all the same.
// A fifth does the same to a job of upgradeMode last-state, once a newer checkpoint has completed and
// Flink has deleted the one the cached statistics name: it is restored from the checkpoint its cancel
// retained.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { imageConfigYaml } from '../../stack/flink-image-config.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flinkJobId } from '../../model/flink-job-id.ts';
import { checkpointStats, listJobs } from '../../stack/flink-jobs.ts';
import { countPast, restoredFrom, startFlinkJobsStack, type FlinkJobsStack } from '../support/flink-jobs-stack.ts';
import { eventually } from '../support/stack.ts';

/** One Flink version keeps the suite's time down (2.1); FSO_TEST_FLINK_VERSION=1.20 runs the other. */
const FLINK_VERSION = process.env.FSO_TEST_FLINK_VERSION ?? '2.1';
const SESSION = 'crashing';
const JOB = 'counter';
const LAST_STATE_JOB = 'laststate';

describe(`crash safety of a FlinkSessionJob change: the worker is SIGKILLed inside it (Flink ${FLINK_VERSION})`, () => {
  let stack: FlinkJobsStack;
  let jobId = '';
  let generation = 1;

  const rest = () => stack.rest(SESSION);
  const countAbove = (id: string, floor: number) => countPast(rest(), id, floor, 120_000);

  beforeAll(async () => {
    stack = await startFlinkJobsStack('fsj-crash', FLINK_VERSION);
    // The image's configuration, with the caches of Flink's REST made to last: checkpoint statistics 10 s
    // after a read (web.refresh-interval, 3 s, by default), a job's details 200 ms.
    const config = `${imageConfigYaml()}rest.cache.checkpoint-statistics.timeout: 10 s\nweb.refresh-interval: 200\n`;
    await stack.sessions.create(SESSION, stack.sessionSpec({ config: { 'flink-conf.yaml': config } }));
    await stack.jobs.create(JOB, { session: SESSION, jar: stack.jar, args: ['4', '20'], upgradeMode: 'savepoint' });
    await stack.sessions.waitReady(SESSION, 1, 300_000);
    jobId = (await stack.jobs.waitCondition(JOB, 'Ready', 'True', 240_000)).status!.jobId!;
  }, 600_000);

  afterAll(async () => {
    await stack?.removeSessionAndJobs(SESSION, [JOB, LAST_STATE_JOB]);
    await stack?.stop();
  }, 360_000);

  it('a change right after the checkpoint statistics were read: the new job runs from the savepoint the stop wrote, not from nothing', async () => {
    const running = await stack.jobs.waitCondition(JOB, 'Ready', 'True', 420_000);
    const before = await countAbove(running.status!.jobId!, 10);
    generation = running.metadata.generation;
    // Read as a dashboard does: Flink answers the next reads from this, without the stop's savepoint.
    expect((await checkpointStats(rest(), running.status!.jobId!)).completed).toBeGreaterThan(0);
    await stack.jobs.patch(JOB, { spec: { args: ['4', String(20 + generation)] } });
    generation += 1;
    const ready = await stack.jobs.waitCondition(JOB, 'Ready', 'True', 420_000);
    expect(ready.status?.lastSavepoint?.path).toMatch(new RegExp(`/${SESSION}/flink/savepoints/savepoint-${running.status!.jobId!.slice(0, 6)}-`));
    expect(await restoredFrom(rest(), ready.status!.jobId!)).toBe(ready.status?.lastSavepoint?.path);
    expect(await countAbove(ready.status!.jobId!, 0)).toBeGreaterThanOrEqual(before);
  }, 600_000);

  it.each([
    ['inside the savepoint poll (the stop requested, its trigger polled once)', 'heartbeat:stopFlinkJob:1'],
    ['right after the stop with savepoint completed, before the resubmission', 'after:stopFlinkJob'],
    ['right after the run request (Flink has the job, the activity has not completed)', 'after:submitFlinkJob'],
  ])(
    'SIGKILL %s: a new worker ends with one RUNNING instance of the job, restored from its savepoint, Ready',
    async (_point, fault) => {
      // What runs now (each case starts from what the one before left, even when that one failed).
      const running = await stack.jobs.waitCondition(JOB, 'Ready', 'True', 420_000);
      jobId = running.status!.jobId!;
      generation = running.metadata.generation;
      const before = await countAbove(jobId, 10);
      await stack.operator.worker.stop();
      const doomed = await stack.operator.startWorker({ FSO_FAULT_SIGKILL: fault });
      const changedAt = Date.now();
      // A new rate each time (the first job ran at 20 a second): a change of args, a new generation.
      const patched = await stack.jobs.patch(JOB, { spec: { args: ['4', String(20 + generation)] } });
      expect(patched.metadata.generation).toBe(generation + 1);
      generation += 1;
      expect(await doomed.exited).toBe('SIGKILL');
      const died = readFileSync(doomed.logFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('fault injection: SIGKILL'))
        .map((l) => (JSON.parse(l) as { msg: string }).msg)[0];
      expect(died).toBeDefined();
      if (fault.startsWith('heartbeat:')) {
        // The worker died inside the poll: the trigger was sent, the savepoint was not reported done.
        expect(died).toMatch(/"triggerId":"[0-9a-f]+"/);
        expect(died).not.toContain('"savepoint"');
      }
      await stack.operator.startWorker();
      const ready = await stack.jobs.waitCondition(JOB, 'Ready', 'True', 420_000);
      console.log(`SIGKILL ${fault}: Ready ${((Date.now() - changedAt) / 1000).toFixed(1)} s after the change`);

      // This generation's job (its fixed id) runs, once; the one before it finished with its savepoint.
      const newJobId = ready.status!.jobId!;
      expect(newJobId).toBe(flinkJobId({ namespace: stack.namespace, name: JOB, uid: ready.metadata.uid, generation }));
      expect(ready.status).toMatchObject({ jobState: 'RUNNING', observedGeneration: generation });
      const listed = await listJobs(rest());
      expect(listed.filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toEqual([newJobId]);
      expect(new Set(listed.map((j) => j.jid)).size).toBe(listed.length);
      expect(listed.find((j) => j.jid === jobId)?.state).toBe('FINISHED');

      // Restored from the savepoint the stop of the old job wrote, under <session>/flink/savepoints/.
      const savepoint = ready.status?.lastSavepoint;
      expect(savepoint?.reason).toBe('upgrade');
      expect(savepoint?.path).toMatch(new RegExp(`^s3://${stack.bucket}/${SESSION}/flink/savepoints/savepoint-${jobId.slice(0, 6)}-[0-9a-f]+$`));
      expect(await restoredFrom(rest(), newJobId)).toBe(savepoint?.path);
      const prefix = `${SESSION}/flink/savepoints/${String(savepoint?.path).split('/').pop()}/`;
      const written = (await stack.s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }))).Contents ?? [];
      expect(written.map((o) => o.Key)).toContain(`${prefix}_metadata`);
      // Its counts go on from where the old job's were (keyed state restored), not from zero.
      expect(await countAbove(newJobId, 0)).toBeGreaterThanOrEqual(before);
    },
    600_000,
  );

  it(
    'a last-state change right after the checkpoint statistics were read, a newer checkpoint completed since: ' +
      'the new job runs from the checkpoint the cancel retained, not a deleted one',
    async () => {
      await stack.jobs.create(LAST_STATE_JOB, { session: SESSION, jar: stack.jar, args: ['4', '20'], upgradeMode: 'last-state' });
      const first = (await stack.jobs.waitCondition(LAST_STATE_JOB, 'Ready', 'True', 240_000)).status!.jobId!;
      const before = await countAbove(first, 10);
      // Read as a dashboard does: for the next 10 s Flink answers with this checkpoint as the newest.
      const read = (await checkpointStats(rest(), first)).latestId;
      expect(read).toBeGreaterThan(0);
      // The job checkpoints every second and retains one: a newer checkpoint completes, the one read is deleted.
      const checkpoints = `${SESSION}/flink/checkpoints/${first}/`;
      await eventually(
        `a checkpoint of ${first} newer than chk-${read} in S3`,
        async () => ((await newestCheckpointInS3(checkpoints)) > read! ? true : undefined),
        8000,
      );
      await stack.jobs.patch(LAST_STATE_JOB, { spec: { args: ['4', '21'] } });
      const ready = await stack.jobs.waitCondition(LAST_STATE_JOB, 'Ready', 'True', 240_000);
      const restored = await checkpointStats(rest(), ready.status!.jobId!);
      expect(restored.restoredPath).toMatch(new RegExp(`^s3://${stack.bucket}/${checkpoints}chk-\\d+$`));
      expect(restored.restoredId).toBeGreaterThan(read!);
      expect(await countAbove(ready.status!.jobId!, 0)).toBeGreaterThanOrEqual(before);
    },
    600_000,
  );

  /** The highest chk-N under the prefix whose _metadata is written (0 for none). */
  async function newestCheckpointInS3(prefix: string): Promise<number> {
    const listed = (await stack.s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }))).Contents ?? [];
    const ids = listed.map((o) => /\/chk-(\d+)\/_metadata$/.exec(o.Key ?? '')?.[1]).filter((id) => id !== undefined);
    return Math.max(0, ...ids.map(Number));
  }
});
