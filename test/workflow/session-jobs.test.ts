// The session workflow's FlinkSessionJob steps (workflows/session-jobs.ts) on Temporal's time-skipping
// test server, with activities that record their calls: the order of steps for a submit, a change by
// savepoint, a delete, a job that waits for its session, a job that arrives during a redeploy (it
// waits until the redeploy is done), a failed submission and a signal the API server does not confirm.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { watchUntilCancelled } from '../support/recording-activities.ts';
import { MINIMAL_SPEC, type SessionUnderTest } from '../support/time-skipping.ts';
import { READY } from '../support/workflow-steps.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const WITH_S3: FlinkSessionSpec = { ...MINIMAL_SPEC, s3: { endPoint: 'http://s3.example.invalid', bucket: 'state', credentialsSecret: { name: 's3' } } };
const suite = workflowSuite({ spec: WITH_S3 });

const SUBMIT = (job: string, generation: number) => [
  'checkSessionJob',
  `reportJobStatus ${job} Submitting`,
  `submitFlinkJob ${job} g${generation}`,
  `recordJobEvent ${job} Normal Submitted`,
  `reportJobStatus ${job} WaitingForJob`,
  'waitForFlinkJobRunning',
  `recordJobEvent ${job} Normal Running`,
  `reportJobStatus ${job} JobRunning`,
];

async function runningSession(overrides?: Partial<Activities>): Promise<SessionUnderTest> {
  const s = await suite.session(overrides ? { overrides } : {});
  await s.specChanged(1);
  await s.waitFor(READY);
  s.recorder.clear();
  return s;
}

const argsOf = (s: SessionUnderTest, name: keyof Activities) => s.recorder.calls.filter((c) => c.name === name).map((c) => c.args[0]);
/**
 * The steps, without the watch of running jobs the workflow starts whenever it waits (how often depends
 * on timing) and the session's job counts (a test of their own).
 */
const steps = (s: SessionUnderTest) => s.recorder.lines().filter((l) => !l.startsWith('watchFlinkJobs') && !l.startsWith('reportSessionJobs'));

/**
 * A watch that reports `ended` on its first call, then watches until cancelled like the recording one.
 * Only for a test that sends no signal while the first call returns: the time-skipping server wedges a
 * workflow that cancels an activity in the very task where it completes (ACTIVITY_UNKNOWN,
 * temporalio/sdk-typescript#1058; the real server goes on).
 */
function endsOnce(ended: Awaited<ReturnType<Activities['watchFlinkJobs']>>['ended']): Partial<Activities> {
  let calls = 0;
  return {
    watchFlinkJobs: async () => {
      if (calls++ === 0) return { ended };
      return watchUntilCancelled();
    },
  };
}

describe('FlinkSessionJobs in the session workflow (time-skipping test server, recording activities)', () => {
  it('submits a job to the running session: check, upload and run, wait until it runs; a repeated signal does nothing', async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1);
    await s.waitFor(`reportJobStatus counter JobRunning`);
    await s.jobChanged('counter', 1);
    await s.jobChanged('counter', 1);
    expect(steps(s)).toEqual(SUBMIT('counter', 1));
    const [submitted] = argsOf(s, 'submitFlinkJob') as Array<Parameters<Activities['submitFlinkJob']>[0]>;
    expect(submitted).toMatchObject({
      session: { namespace: s.namespace, name: s.name },
      jar: { kind: 's3', key: 'job.jar', target: { bucket: 'jobs', endPoint: 'http://s3.example.invalid', credentialsSecret: { name: 's3' } } },
    });
  });

  it('a change by upgradeMode savepoint: stop with a savepoint into <bucket>/<session>/flink/savepoints/, resubmit from it', async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JobRunning');
    s.recorder.clear();
    await s.jobChanged('counter', 2, { args: ['8'] });
    await s.waitFor((lines) => lines.filter((l) => l === 'reportJobStatus counter JobRunning').length === 1);
    expect(steps(s)).toEqual([
      'checkSessionJob',
      'reportJobStatus counter Upgrading',
      'stopFlinkJob savepoint',
      'recordJobEvent counter Normal SavepointTaken',
      'reportJobStatus counter Upgrading',
      ...SUBMIT('counter', 2).slice(1),
    ]);
    const [stop] = argsOf(s, 'stopFlinkJob') as Array<Parameters<Activities['stopFlinkJob']>[0]>;
    expect(stop?.savepointDirectory).toBe(`s3://state/${s.name}/flink/savepoints/`);
    const [submit] = argsOf(s, 'submitFlinkJob') as Array<Parameters<Activities['submitFlinkJob']>[0]>;
    expect(submit).toMatchObject({ job: { generation: 2 }, spec: { args: ['8'] }, restoreFrom: `s3://state/${s.name}/flink/savepoints/savepoint-1` });
  });

  it('a delete stops the job with a savepoint, then releases the finalizer; stateless cancels', async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1);
    await s.jobChanged('plain', 1, { upgradeMode: 'stateless' });
    await s.waitFor((lines) => lines.includes('reportJobStatus counter JobRunning') && lines.includes('reportJobStatus plain JobRunning'));
    s.recorder.clear();
    await s.jobDeleted('counter', 1);
    await s.waitFor('releaseJobFinalizer');
    await s.jobDeleted('plain', 1);
    await s.waitFor((lines) => lines.filter((l) => l === 'releaseJobFinalizer').length === 2);
    expect(steps(s)).toEqual([
      'checkSessionJob',
      'reportJobStatus counter Deleting',
      'stopFlinkJob savepoint',
      'recordJobEvent counter Normal SavepointTaken',
      'reportJobStatus counter Deleting',
      'releaseJobFinalizer',
      'checkSessionJob',
      'reportJobStatus plain Deleting',
      'stopFlinkJob cancel',
      'recordJobEvent plain Normal JobCancelled',
      'releaseJobFinalizer',
    ]);
  });

  it('a job applied before its session waits (said once), and is submitted once the session is Ready', async () => {
    const s = await suite.session();
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter WaitingForSession');
    await s.specChanged(1);
    await s.waitFor('reportJobStatus counter JobRunning');
    const lines = steps(s);
    expect(lines.slice(0, 2)).toEqual(['checkSessionJob', 'reportJobStatus counter WaitingForSession']);
    expect(lines.filter((l) => l.includes('WaitingForSession'))).toHaveLength(1);
    expect(lines.slice(lines.indexOf(READY) + 1)).toEqual(SUBMIT('counter', 1));
  });

  it('a job changed while its session redeploys is submitted after the redeploy, never beside it', async () => {
    const s = await runningSession();
    await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 2 });
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JobRunning');
    const lines = steps(s);
    expect(lines.indexOf('submitFlinkJob counter g1')).toBeGreaterThan(lines.indexOf(READY));
    expect(lines.slice(lines.indexOf(READY) + 1)).toEqual(SUBMIT('counter', 1));
  });

  it('a submission that fails for good is reported (Degraded, its reason) and not retried until the job changes', async () => {
    const s = await runningSession({
      submitFlinkJob: async () => {
        throw ApplicationFailure.nonRetryable('the jar s3://jobs/job.jar does not exist (S3 answered NoSuchKey); fix spec.jar', 'JarNotFound');
      },
    });
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JarNotFound');
    expect(steps(s)).toEqual([
      'checkSessionJob',
      'reportJobStatus counter Submitting',
      'submitFlinkJob counter g1',
      'recordJobEvent counter Warning JarNotFound',
      'reportJobStatus counter JarNotFound',
    ]);
    const [report] = (argsOf(s, 'reportJobStatus') as Array<Parameters<Activities['reportJobStatus']>[0]>).slice(-1);
    expect(report?.report).toMatchObject({ ready: false, progressing: false, error: expect.stringContaining('s3://jobs/job.jar') });
    await s.jobChanged('counter', 2, { jar: 's3://jobs/fixed.jar' });
    await s.waitFor('submitFlinkJob counter g2');
  });

  it('a job signal the API server does not confirm changes nothing (forged or stale)', async () => {
    const s = await runningSession({
      checkSessionJob: async () => ({ trusted: false, why: 'there is no FlinkSessionJob workflow-tests/counter in the API server', gone: true }),
    });
    await s.jobChanged('counter', 1);
    await s.waitFor('checkSessionJob');
    await s.jobDeleted('counter', 1);
    await s.specChanged(1);
    expect((await s.status()).phase).toBe('Running');
    expect(steps(s)).toEqual(['checkSessionJob']);
  });

  it('a change by upgradeMode last-state cancels the job keeping its latest checkpoint, and resubmits from that checkpoint', async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1, { upgradeMode: 'last-state' });
    await s.waitFor('reportJobStatus counter JobRunning');
    s.recorder.clear();
    await s.jobChanged('counter', 2, { upgradeMode: 'last-state', args: ['8'] });
    await s.waitFor('reportJobStatus counter JobRunning');
    expect(steps(s)).toEqual([
      'checkSessionJob',
      'reportJobStatus counter Upgrading',
      'stopFlinkJob checkpoint',
      'recordJobEvent counter Normal JobCancelled',
      ...SUBMIT('counter', 2).slice(1),
    ]);
    const [stop] = argsOf(s, 'stopFlinkJob') as Array<Parameters<Activities['stopFlinkJob']>[0]>;
    expect(stop).toMatchObject({ fromCheckpoint: true });
    expect(stop?.savepointDirectory).toBeUndefined();
    const [submit] = argsOf(s, 'submitFlinkJob') as Array<Parameters<Activities['submitFlinkJob']>[0]>;
    expect(submit).toMatchObject({ job: { generation: 2 }, restoreFrom: `s3://state/checkpoints/${stop?.jobId}/chk-7` });
    // A job submitted by savepoint has no checkpoints retained on cancellation: its change to last-state takes a savepoint.
    await s.jobChanged('plain', 1);
    await s.waitFor('reportJobStatus plain JobRunning');
    s.recorder.clear();
    await s.jobChanged('plain', 2, { upgradeMode: 'last-state' });
    await s.waitFor('reportJobStatus plain JobRunning');
    expect(steps(s).slice(0, 3)).toEqual(['checkSessionJob', 'reportJobStatus plain Upgrading', 'stopFlinkJob savepoint']);
  });

  it('state: suspended stops the job with a savepoint and submits nothing; state: running resumes it from that savepoint', async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JobRunning');
    s.recorder.clear();
    await s.jobChanged('counter', 2, { state: 'suspended' });
    await s.waitFor('reportJobStatus counter Suspended');
    expect(steps(s)).toEqual([
      'checkSessionJob',
      'reportJobStatus counter Suspending',
      'stopFlinkJob savepoint',
      'recordJobEvent counter Normal SavepointTaken',
      'reportJobStatus counter Suspending',
      'recordJobEvent counter Normal Suspended',
      'reportJobStatus counter Suspended',
    ]);
    // Nothing runs, so nothing is watched; an edit while suspended is only reported.
    s.recorder.clear();
    await s.jobChanged('counter', 3, { state: 'suspended', args: ['9'] });
    await s.waitFor('reportJobStatus counter Suspended');
    expect(steps(s)).toEqual(['checkSessionJob', 'reportJobStatus counter Suspended']);
    s.recorder.clear();
    await s.jobChanged('counter', 4);
    await s.waitFor('reportJobStatus counter JobRunning');
    expect(steps(s)).toEqual(SUBMIT('counter', 4));
    const [submit] = argsOf(s, 'submitFlinkJob') as Array<Parameters<Activities['submitFlinkJob']>[0]>;
    expect(submit).toMatchObject({ job: { generation: 4 }, restoreFrom: `s3://state/${s.name}/flink/savepoints/savepoint-1` });
  });

  it('watches a running job; one Flink fails by itself is reported with its root cause and not resubmitted until the job changes', async () => {
    const rootCause = 'java.lang.IllegalStateException: boom\n\tat io.sessionoperator.sample.KeyedCounter$Count.processElement(KeyedCounter.java:52)';
    const s = await runningSession(endsOnce([{ name: 'counter', jobId: 'counter-g1'.padEnd(32, '0'), state: 'FAILED', rootCause }]));
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JobFailed');
    expect(steps(s)).toEqual([...SUBMIT('counter', 1), 'recordJobEvent counter Warning JobFailed', 'reportJobStatus counter JobFailed']);
    const [watched] = argsOf(s, 'watchFlinkJobs') as Array<Parameters<Activities['watchFlinkJobs']>[0]>;
    expect(watched?.jobs).toEqual([{ name: 'counter', jobId: 'counter-g1'.padEnd(32, '0') }]);
    const [report] = (argsOf(s, 'reportJobStatus') as Array<Parameters<Activities['reportJobStatus']>[0]>).slice(-1);
    expect(report?.report).toMatchObject({ ready: false, jobState: 'FAILED', rootCause, error: expect.stringContaining('not submitted again') });
    s.recorder.clear();
    await s.jobChanged('counter', 2, { args: ['8'] });
    await s.waitFor('reportJobStatus counter JobRunning');
    // Nothing runs of generation 1 any more: no stop, a plain submission.
    expect(steps(s)).toEqual(SUBMIT('counter', 2));
  });

  it("writes the session's JOBS count (running of declared) when it changes, not after every step", async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JobRunning');
    await s.jobChanged('plain', 1, { upgradeMode: 'stateless' });
    await s.waitFor('reportJobStatus plain JobRunning');
    await s.jobChanged('plain', 2, { upgradeMode: 'stateless', args: ['2'] });
    await s.waitFor((lines) => lines.filter((l) => l === 'reportJobStatus plain JobRunning').length === 2);
    await s.jobChanged('counter', 2, { state: 'suspended' });
    await s.waitFor('reportJobStatus counter Suspended');
    await s.waitFor((lines) => lines.filter((l) => l.startsWith('reportSessionJobs')).length === 3);
    await s.jobDeleted('plain', 2);
    await s.waitFor('releaseJobFinalizer');
    await s.waitFor((lines) => lines.filter((l) => l.startsWith('reportSessionJobs')).length === 4);
    expect(s.recorder.lines().filter((l) => l.startsWith('reportSessionJobs'))).toEqual([
      'reportSessionJobs 1/1',
      'reportSessionJobs 2/2',
      'reportSessionJobs 1/2',
      'reportSessionJobs 0/1',
    ]);
    const [first] = argsOf(s, 'reportSessionJobs') as Array<Parameters<Activities['reportSessionJobs']>[0]>;
    expect(first?.ref).toMatchObject({ namespace: s.namespace, name: s.name });
  });

  it("reads an s3:// jar with the job's jarCredentialsSecret, on the session's S3 endpoint", async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1, { jarCredentialsSecret: { name: 'jar-reader', accessKeyKey: 'id' } });
    await s.waitFor('submitFlinkJob counter g1');
    const [submitted] = argsOf(s, 'submitFlinkJob') as Array<Parameters<Activities['submitFlinkJob']>[0]>;
    expect(submitted?.jar).toEqual({
      kind: 's3',
      url: 's3://jobs/job.jar',
      key: 'job.jar',
      target: expect.objectContaining({
        ref: expect.objectContaining({ namespace: s.namespace, name: s.name }),
        bucket: 'jobs',
        endPoint: 'http://s3.example.invalid',
        credentialsSecret: { name: 'jar-reader', accessKeyKey: 'id' },
        inlineCredentials: false,
      }),
      credentialsField: `jarCredentialsSecret (Secret ${s.namespace}/jar-reader)`,
    });
  });

  it('a savepoint that fails stops the change before anything is cancelled: the old generation runs on, Degraded says why', async () => {
    const s = await runningSession({
      stopFlinkJob: async ({ jobId, savepointDirectory }) => {
        throw ApplicationFailure.nonRetryable(
          `the savepoint of job ${jobId} into ${savepointDirectory} failed; the job keeps running: IOException`,
          'SavepointFailed',
        );
      },
    });
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JobRunning');
    s.recorder.clear();
    await s.jobChanged('counter', 2, { args: ['8'] });
    await s.waitFor('reportJobStatus counter SavepointFailed');
    expect(steps(s)).toEqual([
      'checkSessionJob',
      'reportJobStatus counter Upgrading',
      'stopFlinkJob savepoint',
      'recordJobEvent counter Warning SavepointFailed',
      'reportJobStatus counter SavepointFailed',
    ]);
    const [report] = (argsOf(s, 'reportJobStatus') as Array<Parameters<Activities['reportJobStatus']>[0]>).slice(-1);
    expect(report?.report).toMatchObject({ ready: false, error: expect.stringContaining('the job keeps running') });
    // Generation 1 still runs, and is still watched; a delete then is held too (its savepoint fails the same way).
    await s.jobDeleted('counter', 2);
    await s.waitFor('reportJobStatus counter SavepointFailed', 15_000);
    await s.waitFor((lines) => lines.filter((l) => l === 'reportJobStatus counter SavepointFailed').length === 2);
    expect(s.recorder.lines()).not.toContain('releaseJobFinalizer');
    expect(s.recorder.lines()).not.toContain('submitFlinkJob counter g2');
  });
});
