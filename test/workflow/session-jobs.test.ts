// The session workflow's FlinkSessionJob steps (workflows/session-jobs.ts) on Temporal's time-skipping
// test server, with activities that record their calls: the order of steps for a submit, a change by
// savepoint, a delete, a job that waits for its session, a job that arrives during a redeploy (it
// waits until the redeploy is done), a failed submission and a signal the API server does not confirm.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
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

describe('FlinkSessionJobs in the session workflow (time-skipping test server, recording activities)', () => {
  it('submits a job to the running session: check, upload and run, wait until it runs; a repeated signal does nothing', async () => {
    const s = await runningSession();
    await s.jobChanged('counter', 1);
    await s.waitFor(`reportJobStatus counter JobRunning`);
    await s.jobChanged('counter', 1);
    await s.jobChanged('counter', 1);
    expect(s.recorder.lines()).toEqual(SUBMIT('counter', 1));
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
    expect(s.recorder.lines()).toEqual([
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
    expect(s.recorder.lines()).toEqual([
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
    const lines = s.recorder.lines();
    expect(lines.slice(0, 2)).toEqual(['checkSessionJob', 'reportJobStatus counter WaitingForSession']);
    expect(lines.filter((l) => l.includes('WaitingForSession'))).toHaveLength(1);
    expect(lines.slice(lines.indexOf(READY) + 1)).toEqual(SUBMIT('counter', 1));
  });

  it('a job changed while its session redeploys is submitted after the redeploy, never beside it', async () => {
    const s = await runningSession();
    await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 2 });
    await s.jobChanged('counter', 1);
    await s.waitFor('reportJobStatus counter JobRunning');
    const lines = s.recorder.lines();
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
    expect(s.recorder.lines()).toEqual([
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
    expect(s.recorder.lines()).toEqual(['checkSessionJob']);
  });
});
