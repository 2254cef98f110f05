import { describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from './flinksession.ts';
import { keepsHa, planJobCarry, type FlinkJobOnSession, type ManagedJob } from './redeploy-jobs.ts';

const s3 = { endPoint: 'http://s3:9000', bucket: 'state' };
const zk = { type: 'zookeeper' as const, quorum: 'zk:2181' };
const base: FlinkSessionSpec = { image: 'flink:1.20', s3 };
const running = (...ids: string[]): FlinkJobOnSession[] => ids.map((id) => ({ jobId: id, name: `job ${id}`, state: 'RUNNING' }));
const managed = (name: string, jobId: string, upgradeMode?: 'savepoint' | 'last-state' | 'stateless', retainsCheckpoints = false): ManagedJob => ({
  name,
  jobId,
  spec: { session: 'orders', jar: 's3://state/jars/a.jar', ...(upgradeMode ? { upgradeMode } : {}) },
  ...(retainsCheckpoints ? { retainsCheckpoints: true } : {}),
});
const plan = (ran: FlinkSessionSpec, jobs: FlinkJobOnSession[], declared: ManagedJob[], next: FlinkSessionSpec = ran) =>
  planJobCarry({ session: 'orders', ran, next, running: jobs, managed: declared });
const actions = (p: ReturnType<typeof plan>) => p.carries.map((c) => `${c.sessionJob ?? c.jobName}: ${c.action}`);

describe('keepsHa: whether Flink HA brings the jobs back on the new JobManager', () => {
  it.each([
    ['no HA', base, base, false],
    ['ZooKeeper HA, no autoClean', { ...base, ha: zk }, { ...base, ha: zk }, true],
    ['Kubernetes HA, no autoClean', { ...base, ha: { type: 'kubernetes' as const } }, { ...base, ha: { type: 'kubernetes' as const } }, true],
    ['HA with autoClean (it is cleared)', { ...base, ha: zk, autoClean: true }, { ...base, ha: zk, autoClean: true }, false],
    ['HA moved to another quorum', { ...base, ha: zk }, { ...base, ha: { ...zk, quorum: 'zk2:2181' } }, false],
    ['the bucket moved', { ...base, ha: zk }, { ...base, ha: zk, s3: { ...s3, bucket: 'other' } }, false],
  ])('%s → %s', (_what, ran, next, expected) => {
    expect(keepsHa(ran as FlinkSessionSpec, next as FlinkSessionSpec)).toBe(expected);
  });
});

describe('planJobCarry: what a redeploy does with each job that runs on the session', () => {
  it('FlinkSessionJobs by upgradeMode, without HA: savepoint, last-state by its retained checkpoint, stateless cancelled', () => {
    const p = plan(base, running('a', 'b', 'c', 'd'), [
      managed('sp', 'a'),
      managed('ls', 'b', 'last-state', true),
      managed('sl', 'c', 'stateless'),
      managed('ls-old', 'd', 'last-state'),
    ]);
    expect(actions(p)).toEqual(['sp: savepoint', 'ls: checkpoint', 'sl: cancel', 'ls-old: savepoint']);
    expect(p.blocked).toBeUndefined();
    expect(p.carries[3]!.why).toContain('submitted without its checkpoints retained');
  });

  it('with HA kept, last-state is left to Flink (recovered on the new JobManager); savepoint jobs are still stopped with one', () => {
    const ran = { ...base, ha: zk };
    expect(actions(plan(ran, running('a', 'b'), [managed('sp', 'a'), managed('ls', 'b', 'last-state', true)]))).toEqual(['sp: savepoint', 'ls: ha']);
  });

  it('with autoClean (HA and checkpoints purged) every stateful job is stopped with a savepoint', () => {
    const ran = { ...base, ha: zk, autoClean: true };
    expect(actions(plan(ran, running('a', 'b', 'c'), [managed('sp', 'a'), managed('ls', 'b', 'last-state', true), managed('sl', 'c', 'stateless')]))).toEqual([
      'sp: savepoint',
      'ls: savepoint',
      'sl: cancel',
    ]);
  });

  it('a job nobody declared: savepoint by default, left to HA when it is kept, cancelled by unmanagedJobs: cancel', () => {
    expect(actions(plan(base, running('x'), []))).toEqual(['job x: savepoint']);
    expect(actions(plan({ ...base, ha: zk }, running('x'), []))).toEqual(['job x: ha']);
    expect(actions(plan({ ...base, unmanagedJobs: 'cancel' }, running('x'), []))).toEqual(['job x: cancel']);
    expect(plan(base, running('x'), []).carries[0]!.why).toContain('for a person to resubmit');
  });

  it('unmanagedJobs: block refuses the redeploy, naming the jobs; FlinkSessionJobs alone do not block', () => {
    const ran = { ...base, unmanagedJobs: 'block' as const };
    const p = plan(ran, running('a', 'x'), [managed('sp', 'a')]);
    expect(p.blocked).toContain('job x (x)');
    expect(p.blocked).not.toContain('job a');
    expect(p.blocked).toContain('set unmanagedJobs: savepoint or cancel');
    expect(plan(ran, running('a'), [managed('sp', 'a')]).blocked).toBeUndefined();
  });

  it('a savepoint with nowhere to go (no spec.s3, no HA) blocks rather than cancels', () => {
    const ran: FlinkSessionSpec = { image: 'flink:1.20' };
    const p = plan(ran, running('x'), []);
    expect(p.blocked).toContain('has no spec.s3');
    expect(p.carries).toEqual([]);
  });

  it('nothing running: nothing to carry', () => {
    expect(plan({ ...base, unmanagedJobs: 'block' }, [], [])).toEqual({ carries: [] });
  });
});
