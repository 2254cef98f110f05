// Crash safety of a job-preserving redeploy on real Flink 2.1 (issue 14): a session runs two
// FlinkSessionJobs of the sample stateful job (upgradeMode savepoint); each case edits the session (a
// new generation: one redeploy) while the worker is SIGKILLed at one step of it (worker/fault-injection.ts):
// after the first savepoint, after the JobManager's delete, after the new JobManager was found Ready,
// and between the two resubmissions. A new worker finishes the redeploy; afterwards each job runs
// exactly once (its same fixed id), restored from the savepoint the redeploy took for it, its counts
// going on from before. One session serves the cases, one after the other.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../stack/flink-jobs.ts';
import { countPast, restoredFrom, startFlinkJobsStack, type FlinkJobsStack } from '../support/flink-jobs-stack.ts';
import { eventually } from '../support/stack.ts';

const FLINK_VERSION = process.env.FSO_TEST_FLINK_VERSION ?? '2.1';
const SESSION = 'carrying';
const JOBS = ['alpha', 'beta'] as const;

describe(`crash safety of a redeploy that carries its jobs: the worker is SIGKILLed inside it (Flink ${FLINK_VERSION})`, () => {
  let stack: FlinkJobsStack;
  const ids = new Map<string, string>();
  let generation = 1;

  const rest = () => stack.rest(SESSION);
  const countAbove = (id: string, floor: number) => countPast(rest(), id, floor);

  beforeAll(async () => {
    stack = await startFlinkJobsStack('redeploy-crash', FLINK_VERSION);
    await stack.sessions.create(SESSION, stack.sessionSpec({ numberOfTaskSlots: 2 }));
    await stack.sessions.waitReady(SESSION, 1, 300_000);
    for (const name of JOBS) {
      await stack.jobs.create(name, { session: SESSION, jar: stack.jar, args: ['4', '20'], upgradeMode: 'savepoint' });
      ids.set(name, (await stack.jobs.waitCondition(name, 'Ready', 'True', 240_000)).status!.jobId!);
    }
  }, 600_000);

  afterAll(async () => {
    await stack?.removeSessionAndJobs(SESSION, JOBS);
    await stack?.stop();
  }, 360_000);

  it.each([
    ['after the first savepoint', 'after:stopFlinkJob'],
    ["after the old JobManager's delete", 'after:deleteJobManagerDeployment'],
    ['after the new JobManager was found Ready (the launch done)', 'after:waitForJobManagerReady'],
    ['between the two resubmissions (the first run request done)', 'after:submitFlinkJob'],
  ])(
    'SIGKILL %s: a new worker ends the redeploy with each job RUNNING once, restored from its savepoint, counts going on',
    async (_point, fault) => {
      const before = new Map<string, number>();
      for (const name of JOBS) before.set(name, await countAbove(ids.get(name)!, 10));
      await stack.operator.worker.stop();
      const doomed = await stack.operator.startWorker({ FSO_FAULT_SIGKILL: fault });
      const editedAt = Date.now();
      // A new number of slots each time: a new generation, one redeploy.
      const edited = await stack.sessions.patch(SESSION, { spec: { numberOfTaskSlots: 2 + generation } });
      generation += 1;
      expect(edited.metadata.generation).toBe(generation);
      expect(await doomed.exited).toBe('SIGKILL');
      expect(readFileSync(doomed.logFile, 'utf8')).toContain('fault injection: SIGKILL');
      await stack.operator.startWorker();

      const carried = await eventually(
        `both jobs restored after generation ${generation}'s redeploy`,
        async () => {
          const session = await stack.sessions.read(SESSION);
          const jobs = session?.status?.carriedJobs ?? [];
          return jobs.length === JOBS.length && jobs.every((j) => j.generation === generation && j.outcome === 'Restored') ? jobs : undefined;
        },
        600_000,
      );
      console.log(`SIGKILL ${fault}: both jobs restored ${((Date.now() - editedAt) / 1000).toFixed(1)} s after the edit`);
      const listed = await listJobs(rest());
      // Exactly one instance of each job, under its same fixed id, RUNNING; nothing else.
      expect(listed.map((j) => [j.jid, j.state]).sort()).toEqual(JOBS.map((name) => [ids.get(name)!, 'RUNNING']).sort());
      for (const name of JOBS) {
        const record = carried.find((c) => c.sessionJob === name)!;
        expect(record).toMatchObject({ jobId: ids.get(name), action: 'savepoint', path: expect.stringContaining(`/${SESSION}/flink/savepoints/`) });
        expect(await restoredFrom(rest(), ids.get(name)!)).toBe(record.path!.replace(/\/$/, ''));
        expect(await countAbove(ids.get(name)!, 0)).toBeGreaterThanOrEqual(before.get(name)!);
      }
    },
    900_000,
  );
});
