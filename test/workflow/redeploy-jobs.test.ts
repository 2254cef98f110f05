// Jobs across a session redeploy (workflows/session-redeploy-jobs.ts) on Temporal's time-skipping test
// server, with activities that record their calls and a fake cluster that keeps the jobs Flink runs:
// before the old JobManager is deleted every job is carried (savepoint, checkpoint, HA, cancel), after
// the new one is Ready the FlinkSessionJobs run again from where they were carried; a savepoint that
// fails holds the redeploy before anything is deleted, and the redeploy signal with force goes on.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { CHECKPOINT_RETENTION_OPTION } from '../../model/flinksessionjob.ts';
import { approveSignal, redeploySignal } from '../../workflows/contract.ts';
import { MINIMAL_SPEC, type SessionUnderTest } from '../support/time-skipping.ts';
import { READY } from '../support/workflow-steps.ts';
import { workflowSuite } from '../support/workflow-suite.ts';

const WITH_S3: FlinkSessionSpec = { ...MINIMAL_SPEC, s3: { endPoint: 'http://s3.example.invalid', bucket: 'state', credentialsSecret: { name: 's3' } } };
const WITH_HA: FlinkSessionSpec = { ...WITH_S3, ha: { type: 'zookeeper', quorum: 'zk.example.invalid:2181' } };
const suite = workflowSuite({ spec: WITH_S3 });

const argsOf = <N extends keyof Activities>(s: SessionUnderTest, name: N) =>
  s.recorder.calls.filter((c) => c.name === name).map((c) => c.args[0] as Parameters<Activities[N]>[0]);
const steps = (s: SessionUnderTest) => s.recorder.lines().filter((l) => !l.startsWith('watchFlinkJobs') && !l.startsWith('reportSessionJobs'));
/** A rollback's steps once the failed generation's jobs are carried: its cluster goes, generation 1 is launched again. */
const relaunchOfGeneration1 = (s: SessionUnderTest) => [
  'removeLaunchJobs all',
  'deleteJobManagerDeployment',
  'waitForFlinkClusterGone',
  'applySessionFiles',
  'submitLaunchJob g1 attempt 1',
  'waitForJobManagerReady',
  'markJobManagerDeployed',
  `removeLaunchJobs keep ${s.name}-launch-g1-1`,
  'recordEvent Warning RolledBack',
  'reportStatus Running/RolledBack',
];
const carried = (s: SessionUnderTest) => argsOf(s, 'reportCarriedJobs').at(-1)?.carriedJobs ?? [];

/** A session Running with the given FlinkSessionJobs running on it, and a job submitted by hand when `byHand`. */
async function sessionWithJobs(
  spec: FlinkSessionSpec,
  jobs: Record<string, 'savepoint' | 'last-state' | 'stateless'>,
  options: { overrides?: Partial<Activities>; byHand?: boolean; neverReady?: number[]; jobsFailOn?: Array<{ generation: number; job: string }> } = {},
): Promise<SessionUnderTest> {
  const s = await suite.session({
    spec,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.neverReady ? { neverReady: options.neverReady } : {}),
    ...(options.jobsFailOn ? { jobsFailOn: options.jobsFailOn } : {}),
  });
  await s.specChanged(1);
  await s.waitFor(READY);
  for (const [name, upgradeMode] of Object.entries(jobs)) {
    await s.jobChanged(name, 1, { upgradeMode });
    await s.waitFor(`reportJobStatus ${name} JobRunning`);
  }
  if (options.byHand) s.cluster.flinkJobs.push({ jobId: 'feedc0de'.padEnd(32, '0'), name: 'by-hand', state: 'RUNNING' });
  s.recorder.clear();
  return s;
}

describe('jobs across a session redeploy (time-skipping test server, recording activities)', () => {
  it(
    'without HA: savepoint and stateless FlinkSessionJobs and a job run by hand are carried before the delete; ' + 'after Ready the managed ones run again',
    async () => {
      const s = await sessionWithJobs(WITH_S3, { counter: 'savepoint', scratch: 'stateless' }, { byHand: true });
      await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
      await s.waitFor((lines) => lines.includes('reportJobStatus scratch JobRunning') && lines.filter((l) => l === 'reportCarriedJobs').length === 2);

      const lines = steps(s);
      const at = (line: string) => lines.indexOf(line);
      // Carried in the order Flink lists them, all before anything is deleted.
      expect(lines.slice(at('listFlinkJobs'), at('applySessionFiles'))).toEqual([
        'listFlinkJobs',
        'stopFlinkJob savepoint',
        'recordEvent Normal JobCarried',
        'recordJobEvent counter Normal JobCarried',
        'reportJobStatus counter SessionRedeploying',
        'stopFlinkJob cancel',
        'recordEvent Normal JobCancelled',
        'recordJobEvent scratch Normal JobCancelled',
        'reportJobStatus scratch SessionRedeploying',
        'stopFlinkJob savepoint',
        'recordEvent Normal JobCarried',
        'reportCarriedJobs',
      ]);
      expect(at('deleteJobManagerDeployment')).toBeGreaterThan(at('reportCarriedJobs'));
      // After Ready: resubmitted with the same fixed id (same generation), counter from its savepoint, scratch afresh.
      const submits = argsOf(s, 'submitFlinkJob');
      expect(submits.map((a) => [a.job.name, a.job.generation, a.restoreFrom])).toEqual([
        ['counter', 1, `s3://state/${s.name}/flink/savepoints/savepoint-1`],
        ['scratch', 1, undefined],
      ]);
      expect(at('submitFlinkJob counter g1')).toBeGreaterThan(at(READY));
      expect(carried(s).map((c) => [c.sessionJob ?? c.jobName, c.action, c.outcome])).toEqual([
        ['counter', 'savepoint', 'Restored'],
        ['scratch', 'cancel', 'Restored'],
        ['by-hand', 'savepoint', 'Stopped'],
      ]);
      expect(carried(s)[2]!.path).toBe(`s3://state/${s.name}/flink/savepoints/savepoint-1`);
      expect(s.cluster.flinkJobs.map((j) => j.name).sort()).toEqual(['counter', 'scratch']);
      expect(await s.status()).toMatchObject({ phase: 'Running', deployedGeneration: 2 });
    },
  );

  it("with HA kept: a last-state job is left to Flink's HA (its checkpoint recorded), checked RUNNING on the new JobManager, not resubmitted", async () => {
    const s = await sessionWithJobs(WITH_HA, { counter: 'last-state' });
    await s.specChanged(2, { ...WITH_HA, numberOfTaskSlots: 4 });
    await s.waitFor((lines) => lines.filter((l) => l === 'reportCarriedJobs').length === 2);

    const lines = steps(s);
    expect(lines).toContain('latestFlinkCheckpoint');
    expect(lines).not.toContain('stopFlinkJob checkpoint');
    expect(lines.filter((l) => l.startsWith('submitFlinkJob'))).toEqual([]);
    const [check] = argsOf(s, 'waitForFlinkJobRunning').slice(-1);
    expect(check).toMatchObject({ goneAfterSeconds: 120 });
    expect(lines.indexOf('waitForFlinkJobRunning')).toBeGreaterThan(lines.indexOf(READY));
    expect(carried(s)).toEqual([expect.objectContaining({ sessionJob: 'counter', action: 'ha', outcome: 'Recovered' })]);
  });

  it('with HA kept, a job HA did not bring back is resubmitted from the checkpoint recorded before the delete', async () => {
    let checks = 0;
    const s = await sessionWithJobs(
      WITH_HA,
      { counter: 'last-state' },
      {
        overrides: {
          waitForFlinkJobRunning: async ({ goneAfterSeconds }) => ({ state: goneAfterSeconds !== undefined && checks++ === 0 ? 'GONE' : 'RUNNING' }),
        },
      },
    );
    await s.specChanged(2, { ...WITH_HA, numberOfTaskSlots: 4 });
    await s.waitFor((lines) => lines.filter((l) => l === 'reportCarriedJobs').length === 3);
    const [submit] = argsOf(s, 'submitFlinkJob');
    expect(submit).toMatchObject({ job: { name: 'counter', generation: 1 }, restoreFrom: expect.stringMatching(/\/chk-7$/) });
    expect(steps(s)).toContain('recordEvent Warning JobNotRecovered');
    expect(carried(s)).toEqual([expect.objectContaining({ sessionJob: 'counter', action: 'ha', outcome: 'Restored' })]);
  });

  it('a savepoint that fails holds the redeploy before anything is deleted; the redeploy signal with force goes on without it', async () => {
    let failing = true;
    const s = await sessionWithJobs(
      WITH_S3,
      { counter: 'savepoint' },
      {
        overrides: {
          stopFlinkJob: async ({ savepointDirectory }) => {
            if (savepointDirectory && failing)
              throw ApplicationFailure.nonRetryable(
                'the savepoint of job x into s3://state/ failed; the job keeps running: S3 refused the write',
                'SavepointFailed',
              );
            return { state: 'CANCELED' };
          },
        },
      },
    );
    await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
    await s.waitFor('reportStatus Running/SavepointFailed');
    const held = steps(s);
    expect(held).not.toContain('deleteJobManagerDeployment');
    expect(held).not.toContain('applySessionFiles');
    expect(held).toContain('recordJobEvent counter Warning SavepointFailed');
    const report = argsOf(s, 'reportStatus').at(-1)!.report;
    expect(report).toMatchObject({ phase: 'Running', ready: true, error: expect.stringContaining('FlinkSessionJob counter') });
    expect(report.error).toContain('S3 refused the write');
    expect(report.error).toContain('"force": true');
    expect(s.cluster.jobManager).toBe(true);
    expect(await s.status()).toMatchObject({ phase: 'Running', deployedGeneration: 1, desiredGeneration: 2 });

    // Not retried by itself; forced, the job is cancelled instead and the redeploy goes on.
    s.recorder.clear();
    failing = true;
    await s.handle.signal(redeploySignal, { reason: 'S3 is read-only today', force: true });
    await s.waitFor('reportJobStatus counter JobRunning');
    const forced = steps(s);
    expect(forced.indexOf('stopFlinkJob cancel')).toBeGreaterThan(forced.indexOf('stopFlinkJob savepoint'));
    expect(forced).toContain('deleteJobManagerDeployment');
    expect(argsOf(s, 'submitFlinkJob')).toEqual([expect.not.objectContaining({ restoreFrom: expect.anything() })]);
    expect(await s.status()).toMatchObject({ phase: 'Running', deployedGeneration: 2 });
  });

  it('forced, a job whose savepoint fails and that retains its checkpoints on cancellation is cancelled keeping its latest, and restored from it', async () => {
    const s = await suite.session({
      spec: WITH_S3,
      overrides: {
        stopFlinkJob: async ({ savepointDirectory, fromCheckpoint, jobId }) => {
          if (savepointDirectory) throw ApplicationFailure.nonRetryable(`the savepoint of job ${jobId} failed: S3 refused the write`, 'SavepointFailed');
          return { state: 'CANCELED', ...(fromCheckpoint ? { checkpoint: { path: `s3://state/checkpoints/${jobId}/chk-9` } } : {}) };
        },
      },
    });
    await s.specChanged(1);
    await s.waitFor(READY);
    await s.jobChanged('counter', 1, { upgradeMode: 'savepoint', flinkConfiguration: { [CHECKPOINT_RETENTION_OPTION]: 'RETAIN_ON_CANCELLATION' } });
    await s.waitFor('reportJobStatus counter JobRunning');
    await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
    await s.waitFor('reportStatus Running/SavepointFailed');
    s.recorder.clear();
    await s.handle.signal(redeploySignal, { force: true });
    await s.waitFor('reportJobStatus counter JobRunning');
    const forced = steps(s);
    expect(forced.indexOf('stopFlinkJob checkpoint')).toBeGreaterThan(forced.indexOf('stopFlinkJob savepoint'));
    expect(forced).not.toContain('stopFlinkJob cancel');
    expect(argsOf(s, 'submitFlinkJob').at(-1)).toMatchObject({ restoreFrom: expect.stringContaining('/chk-9') });
  });

  it('a held redeploy resubmits the jobs it had stopped before the hold on the JobManager that stays, and status.carriedJobs says where they run', async () => {
    const s = await sessionWithJobs(
      WITH_S3,
      { alpha: 'savepoint', counter: 'savepoint' },
      {
        overrides: {
          stopFlinkJob: async ({ savepointDirectory, jobId }) => {
            if (jobId.startsWith('counter'))
              throw ApplicationFailure.nonRetryable(`the savepoint of job ${jobId} failed; the job keeps running: S3 refused the write`, 'SavepointFailed');
            return { state: 'FINISHED', savepoint: { path: `${savepointDirectory}savepoint-alpha` } };
          },
        },
      },
    );
    await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
    await s.waitFor('reportStatus Running/SavepointFailed');
    await s.waitFor(
      (lines) =>
        lines.lastIndexOf('reportCarriedJobs') > lines.indexOf('reportJobStatus alpha JobRunning') && lines.includes('reportJobStatus alpha JobRunning'),
    );
    const lines = steps(s);
    expect(lines).not.toContain('deleteJobManagerDeployment');
    expect(argsOf(s, 'submitFlinkJob').at(-1)).toMatchObject({ job: { name: 'alpha' }, restoreFrom: expect.stringContaining('savepoint-alpha') });
    expect(carried(s).map((r) => [r.sessionJob, r.outcome])).toEqual([
      ['alpha', 'Restored'],
      ['counter', 'Held'],
    ]);
  });

  it(
    'a new generation that does not come up is rolled back: the last generation runs again, ' +
      'its jobs restored from the savepoints taken, RolledBack; not retried',
    async () => {
      const s = await sessionWithJobs(WITH_S3, { counter: 'savepoint' }, { neverReady: [2] });
      await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
      await s.waitFor('reportJobStatus counter JobRunning');
      const lines = steps(s);
      const from = lines.indexOf('recordEvent Warning RollingBack');
      expect(from).toBeGreaterThan(lines.indexOf('waitForJobManagerReady'));
      expect(lines.slice(from, lines.indexOf('recordEvent Warning RolledBack') + 2)).toEqual([
        'recordEvent Warning RollingBack',
        'reportStatus Redeploying/RollingBack',
        ...relaunchOfGeneration1(s),
      ]);
      const relaunched = argsOf(s, 'applySessionFiles').at(-1)!;
      expect(relaunched).toMatchObject({ ref: { generation: 1 }, spec: WITH_S3 });
      expect(argsOf(s, 'submitFlinkJob').at(-1)).toMatchObject({
        job: { name: 'counter', generation: 1 },
        restoreFrom: expect.stringContaining('/savepoints/'),
      });
      const rolledBack = argsOf(s, 'reportStatus').find((a) => a.report.reason === 'RolledBack')!.report;
      expect(rolledBack).toMatchObject({ phase: 'Running', ready: true, generation: 2, error: expect.stringContaining('ReadinessTimeout') });
      expect(await s.status()).toMatchObject({ phase: 'Running', deployedGeneration: 1, desiredGeneration: 2 });

      // Not retried by itself: the same generation again (a relist) changes nothing.
      s.recorder.clear();
      await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
      await s.specChanged(1);
      expect(steps(s)).toEqual([]);
    },
  );

  it(
    'a new generation on which a carried job does not run is rolled back: what runs there is carried again, ' +
      'the last generation runs again, every job restored',
    async () => {
      const s = await sessionWithJobs(
        WITH_S3,
        { counter: 'savepoint', lookup: 'savepoint' },
        { jobsFailOn: [{ generation: 2, job: 'counter' }], byHand: true },
      );
      // counter does not run on generation 2 (it fails there); lookup does.
      await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
      await s.waitFor('recordEvent Warning RolledBack');
      // Then both run again on generation 1, and status.carriedJobs says so.
      const afterRollback = (lines: readonly string[]) => lines.slice(lines.indexOf('recordEvent Warning RolledBack'));
      await s.waitFor((all) => {
        const lines = afterRollback(all);
        return (
          lines.includes('reportJobStatus lookup JobRunning') && lines.lastIndexOf('reportCarriedJobs') > lines.indexOf('reportJobStatus lookup JobRunning')
        );
      });
      const lines = steps(s);
      const from = lines.indexOf('recordEvent Warning RollingBack');
      expect(from).toBeGreaterThan(lines.lastIndexOf('submitLaunchJob g2 attempt 0'));
      expect(lines.slice(0, from)).toContain('reportJobStatus counter JobFailed');
      expect(lines.slice(0, from)).toContain('reportJobStatus lookup JobRunning');
      // The rollback: the job that did not run is cancelled, the one that runs on generation 2 is carried
      // again (a savepoint), then generation 1 is launched again.
      expect(lines.slice(from, lines.indexOf('recordEvent Warning RolledBack') + 2)).toEqual([
        'recordEvent Warning RollingBack',
        'reportStatus Redeploying/RollingBack',
        'listFlinkJobs',
        'stopFlinkJob cancel',
        'stopFlinkJob savepoint',
        'recordEvent Normal JobCarried',
        'recordJobEvent lookup Normal JobCarried',
        'reportJobStatus lookup SessionRedeploying',
        'reportCarriedJobs',
        ...relaunchOfGeneration1(s),
      ]);
      const savepoints = argsOf(s, 'stopFlinkJob').filter((a) => a.savepointDirectory);
      expect(savepoints).toHaveLength(4); // counter, lookup and the job run by hand before generation 2; lookup again on it
      // Both FlinkSessionJobs are submitted again on generation 1: counter from the savepoint taken before
      // generation 2 (its only state), lookup from the one taken on generation 2 (it ran on there).
      const resubmitted = argsOf(s, 'submitFlinkJob').slice(-2);
      expect(resubmitted.map((a) => a.job.name)).toEqual(['counter', 'lookup']);
      for (const a of resubmitted) expect(a.restoreFrom).toEqual(expect.stringContaining('/savepoints/'));
      const carriedBack = argsOf(s, 'reportCarriedJobs').at(-1)!.carriedJobs;
      expect(carriedBack.find((r) => r.sessionJob === 'counter')).toMatchObject({
        generation: 2,
        outcome: 'Restored',
        message: expect.stringContaining('runs again'),
      });
      expect(carriedBack.find((r) => r.sessionJob === 'lookup')).toMatchObject({ generation: 2, action: 'savepoint' });
      const rolledBack = argsOf(s, 'reportStatus').find((a) => a.report.reason === 'RolledBack')!.report;
      expect(rolledBack).toMatchObject({ phase: 'Running', ready: true, generation: 2, error: expect.stringContaining('JobNotRestored') });
      expect(rolledBack.error).toContain('did not run on it: counter');
      expect(await s.status()).toMatchObject({ phase: 'Running', deployedGeneration: 1, desiredGeneration: 2 });
      expect(
        carried(s)
          .filter((r) => r.sessionJob)
          .map((r) => [r.sessionJob, r.outcome]),
      ).toEqual([
        ['counter', 'Restored'],
        ['lookup', 'Restored'],
      ]);

      // Not retried by itself.
      s.recorder.clear();
      await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
      expect(steps(s)).toEqual([]);
    },
  );

  it('spec.rollback: false leaves the failed generation Failed; its jobs wait for a session that runs', async () => {
    const s = await sessionWithJobs(WITH_S3, { counter: 'savepoint' }, { neverReady: [2] });
    await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4, rollback: false });
    await s.waitFor('reportStatus Failed/ReadinessTimeout');
    expect(steps(s)).not.toContain('recordEvent Warning RollingBack');
    expect(await s.status()).toMatchObject({ phase: 'Failed', deployedGeneration: 1 });
  });

  // Failed before the fix (seen on real Flink): the watcher reports the old JobManager Deployment's delete
  // as drift during the redeploy; the restore stopped for that check and status.carriedJobs said NotRestored
  // although the jobs were submitted right after it.
  it("the drift report of the redeploy's own delete is checked, and the jobs are still restored within the redeploy", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let gated = false;
    const s = await sessionWithJobs(
      WITH_S3,
      { counter: 'savepoint' },
      {
        overrides: {
          waitForFlinkClusterGone: async () => {
            if (gated) await gate;
            return { waitedMs: 0 };
          },
        },
      },
    );
    gated = true;
    await s.specChanged(2, { ...WITH_S3, numberOfTaskSlots: 4 });
    await s.waitFor('waitForFlinkClusterGone');
    await s.jobManagerMissing(true);
    release();
    await s.waitFor((lines) => lines.filter((l) => l === 'reportCarriedJobs').length === 2);
    const lines = steps(s);
    expect(lines.indexOf('jobManagerExists')).toBeGreaterThan(lines.indexOf(READY));
    expect(lines.indexOf('submitFlinkJob counter g1')).toBeGreaterThan(lines.indexOf('jobManagerExists'));
    expect(carried(s)).toEqual([expect.objectContaining({ sessionJob: 'counter', outcome: 'Restored' })]);
  });

  it(
    'approval: manual waits, before anything is stopped or deleted, for the approve signal, with the plan in the status; ' + 'a newer edit replaces the plan',
    async () => {
      const manual: FlinkSessionSpec = { ...WITH_S3, approval: 'manual' };
      const s = await sessionWithJobs(manual, { counter: 'savepoint' }, { byHand: true });
      await s.specChanged(2, { ...manual, numberOfTaskSlots: 4 });
      await s.waitFor('reportStatus Running/AwaitingApproval');
      expect(steps(s)).toEqual([
        'checkSession',
        'validateSessionSpec',
        'listFlinkJobs',
        'recordEvent Normal AwaitingApproval',
        'reportStatus Running/AwaitingApproval',
      ]);
      const waiting = argsOf(s, 'reportStatus').at(-1)!.report;
      expect(waiting.message).toContain('generation 2 waits for approval');
      expect(waiting.message).toContain(`FlinkSessionJob counter (job counter-g1`);
      expect(waiting.message).toContain(`a savepoint into s3://state/${s.name}/flink/savepoints/, restored from it`);
      expect(waiting.message).toContain('by-hand (job feedc0de');
      expect(s.cluster.jobManager).toBe(true);
      // The jobs that run are watched meanwhile (a job that fails while the redeploy waits is reported).
      await s.waitFor((lines) => lines.slice(lines.indexOf('reportStatus Running/AwaitingApproval')).includes('watchFlinkJobs counter'));

      // An approval of another generation does nothing; a newer edit asks again, for its own plan.
      await s.handle.signal(approveSignal, { generation: 7 });
      await s.specChanged(3, { ...manual, numberOfTaskSlots: 6 });
      await s.waitFor((lines) => lines.filter((l) => l === 'reportStatus Running/AwaitingApproval').length === 2);
      expect(steps(s).filter((l) => l.startsWith('stopFlinkJob') || l === 'deleteJobManagerDeployment')).toEqual([]);

      s.recorder.clear();
      await s.handle.signal(approveSignal, { generation: 3, by: 'alice' });
      await s.waitFor('reportJobStatus counter JobRunning');
      const lines = steps(s);
      expect(lines.slice(0, 3)).toEqual(['recordEvent Normal Approved', 'reportStatus Redeploying/Redeploying', 'recordEvent Normal Redeploying']);
      expect(lines).toContain('deleteJobManagerDeployment');
      expect(argsOf(s, 'recordEvent')[0]).toMatchObject({ message: 'the redeploy to generation 3 was approved by alice' });
      expect(await s.status()).toMatchObject({ phase: 'Running', deployedGeneration: 3 });
    },
  );

  it('unmanagedJobs: block refuses the redeploy while a job run by hand runs, naming it; nothing is stopped or deleted', async () => {
    const spec: FlinkSessionSpec = { ...WITH_S3, unmanagedJobs: 'block' };
    const s = await sessionWithJobs(spec, { counter: 'savepoint' }, { byHand: true });
    await s.specChanged(2, { ...spec, numberOfTaskSlots: 4 });
    await s.waitFor('reportStatus Running/UnmanagedJobsRunning');
    expect(steps(s).filter((l) => l.startsWith('stopFlinkJob') || l === 'deleteJobManagerDeployment')).toEqual([]);
    expect(argsOf(s, 'reportStatus').at(-1)!.report.error).toContain('by-hand (feedc0de');
  });
});
