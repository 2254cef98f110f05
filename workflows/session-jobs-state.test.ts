import { describe, expect, it } from 'vitest';
import type { CarriedAcross, JobChanged } from './contract.ts';
import { SessionJobs } from './session-jobs-state.ts';

const change = (generation = 1, uid = 'u1', name = 'counter', state: 'running' | 'suspended' = 'running'): JobChanged => ({
  name,
  uid,
  generation,
  spec: { session: 'orders', jar: 's3://jars/a.jar', args: [String(generation)], ...(state === 'suspended' ? { state } : {}) },
});
const ready = { ready: true, deploys: 1 };
const down = { ready: false, deploys: 1 };

describe('SessionJobs', () => {
  it('a job applied before its session waits (said once), and is submitted once the session runs', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change());
    const wait = jobs.next(down);
    expect(wait).toMatchObject({ kind: 'wait-session', name: 'counter' });
    if (wait.kind === 'wait-session') jobs.waitingReported(wait.name, wait.job);
    expect(jobs.next(down).kind).toBe('idle');
    expect(jobs.next(ready)).toMatchObject({ kind: 'submit', name: 'counter', job: { generation: 1 } });
  });

  it('a submitted generation is not submitted again; a repeated or older signal changes nothing', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(2));
    jobs.submitted('counter', { uid: 'u1', generation: 2, jobId: 'j2', sessionDeploy: 1 });
    jobs.onJobChanged(change(2));
    jobs.onJobChanged(change(1));
    expect(jobs.next(ready).kind).toBe('idle');
  });

  it('a new generation replaces the one running; a new JobManager (a later deploy) gets the job again', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1));
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    jobs.onJobChanged(change(2));
    expect(jobs.next(ready)).toMatchObject({ kind: 'submit', job: { generation: 2 }, replaces: { jobId: 'j1' } });
    const redeployed = new SessionJobs();
    redeployed.onJobChanged(change(1));
    redeployed.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    expect(redeployed.next({ ready: true, deploys: 2 })).toEqual({ kind: 'submit', name: 'counter', job: expect.objectContaining({ generation: 1 }) });
  });

  it('a refused generation waits for the next one', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1));
    const work = jobs.next(ready);
    if (work.kind === 'submit') jobs.refused(work.name, work.job);
    expect(jobs.next(ready).kind).toBe('idle');
    jobs.onJobChanged(change(2));
    expect(jobs.next(ready)).toMatchObject({ kind: 'submit', job: { generation: 2 } });
  });

  it('a delete stops what runs, then the job is forgotten; with nothing running (or no session) it only releases', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1));
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    jobs.onJobDeleted({ name: 'counter', uid: 'other' });
    expect(jobs.next(ready).kind).toBe('idle');
    jobs.onJobDeleted({ name: 'counter', uid: 'u1' });
    expect(jobs.next(ready)).toMatchObject({ kind: 'stop', submitted: { jobId: 'j1' } });
    expect(jobs.next(down)).toMatchObject({ kind: 'release' });
    jobs.stopped('counter');
    expect(jobs.next(ready)).toMatchObject({ kind: 'release' });
    jobs.released('counter');
    expect(jobs.next(ready).kind).toBe('idle');
    expect(jobs.empty).toBe(true);
  });

  it('a job the API server does not confirm is replaced by what it holds, or dropped', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(5));
    jobs.distrusted('counter', change(3));
    expect(jobs.next(ready)).toMatchObject({ kind: 'submit', job: { generation: 3 } });
    jobs.distrusted('counter', undefined);
    expect(jobs.empty).toBe(true);
  });

  it('carries everything across continue-as-new, and works on jobs one at a time in name order', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1, 'u2', 'zeta'));
    jobs.onJobChanged(change(1, 'u1', 'alpha'));
    const next = new SessionJobs(jobs.snapshot);
    expect(next.next(ready)).toMatchObject({ kind: 'submit', name: 'alpha' });
    expect(next.snapshot).toEqual(jobs.snapshot);
  });

  it('a deleted session leaves nothing running: its jobs wait for a session again', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1));
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    jobs.sessionGone();
    expect(jobs.submittedJob('counter')).toBeUndefined();
    expect(jobs.next(down)).toMatchObject({ kind: 'wait-session' });
  });

  it('suspend stops what runs and keeps its savepoint; a resume restores from it, once', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1));
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    jobs.onJobChanged(change(2, 'u1', 'counter', 'suspended'));
    const suspend = jobs.next(ready);
    expect(suspend).toMatchObject({ kind: 'suspend', submitted: { jobId: 'j1' }, job: { generation: 2 } });
    if (suspend.kind === 'suspend') jobs.suspended(suspend.name, suspend.job, 's3://state/orders/flink/savepoints/savepoint-1');
    expect(jobs.next(ready).kind).toBe('idle');
    expect(jobs.watched(ready)).toEqual([]);
    // An edit while suspended is said once, nothing submitted.
    jobs.onJobChanged(change(3, 'u1', 'counter', 'suspended'));
    const said = jobs.next(ready);
    expect(said).toMatchObject({ kind: 'suspended', job: { generation: 3 } });
    if (said.kind === 'suspended') jobs.suspendedReported(said.name, said.job);
    expect(jobs.next(ready).kind).toBe('idle');
    jobs.onJobChanged(change(4));
    expect(jobs.next(ready)).toEqual({
      kind: 'submit',
      name: 'counter',
      job: expect.objectContaining({ generation: 4 }),
      restoreFrom: 's3://state/orders/flink/savepoints/savepoint-1',
    });
    jobs.submitted('counter', { uid: 'u1', generation: 4, jobId: 'j4', sessionDeploy: 1 });
    jobs.stopped('counter');
    expect(jobs.next(ready)).toEqual({ kind: 'submit', name: 'counter', job: expect.objectContaining({ generation: 4 }) });
  });

  it("a job applied suspended is only reported; a suspend's savepoint is not used by a re-created object (another uid)", () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1, 'u1', 'counter', 'suspended'));
    expect(jobs.next(down)).toMatchObject({ kind: 'suspended' });
    jobs.onJobChanged(change(2));
    jobs.submitted('counter', { uid: 'u1', generation: 2, jobId: 'j2', sessionDeploy: 1 });
    jobs.onJobChanged(change(3, 'u1', 'counter', 'suspended'));
    const suspend = jobs.next(ready);
    if (suspend.kind === 'suspend') jobs.suspended(suspend.name, suspend.job, 's3://state/orders/flink/savepoints/savepoint-2');
    expect(jobs.snapshot.restoreFrom).toEqual({ counter: { uid: 'u1', path: 's3://state/orders/flink/savepoints/savepoint-2' } });
    jobs.onJobChanged(change(1, 'u2'));
    expect(jobs.next(ready)).toEqual({ kind: 'submit', name: 'counter', job: expect.objectContaining({ uid: 'u2' }) });
  });

  it('watches what runs on the current JobManager; a job Flink ended is not submitted again until it changes', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1));
    jobs.onJobChanged(change(1, 'u2', 'other'));
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    jobs.submitted('other', { uid: 'u2', generation: 1, jobId: 'o1', sessionDeploy: 0 });
    expect(jobs.watched(ready)).toEqual([{ name: 'counter', jobId: 'j1' }]);
    expect(jobs.watched(down)).toEqual([]);
    jobs.ended('counter', 'not-j1');
    expect(jobs.watched(ready)).toEqual([{ name: 'counter', jobId: 'j1' }]);
    jobs.ended('counter', 'j1');
    expect(jobs.watched(ready)).toEqual([]);
    expect(jobs.next(ready)).toMatchObject({ kind: 'submit', name: 'other' });
    jobs.submitted('other', { uid: 'u2', generation: 1, jobId: 'o1', sessionDeploy: 1 });
    expect(jobs.next(ready).kind).toBe('idle');
    jobs.onJobChanged(change(2));
    expect(jobs.next(ready)).toEqual({ kind: 'submit', name: 'counter', job: expect.objectContaining({ generation: 2 }) });
  });

  it('a job carried across that failed on the new JobManager is carried back by a rollback: tried again from the savepoint the redeploy took', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change(1));
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    const record: CarriedAcross = {
      jobId: 'j1',
      generation: 1,
      jobName: 'counter',
      sessionJob: 'counter',
      sessionJobUid: 'u1',
      action: 'savepoint',
      path: 's3://b/sp-1',
      outcome: 'Stopped',
      message: 'stopped',
    };
    jobs.carryBegins();
    jobs.carried(record);
    const redeployed = { ready: true, deploys: 2 };
    const work = jobs.next(redeployed);
    expect(work).toMatchObject({ kind: 'submit', restoreFrom: 's3://b/sp-1' });
    // Submitted on the new JobManager, then failed there: refused, and the savepoint used up.
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 2 });
    if (work.kind === 'submit') jobs.refused(work.name, work.job);
    expect(jobs.restoredAs('counter', redeployed)).toEqual({ outcome: 'NotRestored' });
    jobs.ended('counter', 'j1');
    expect(jobs.next(redeployed).kind).toBe('idle');
    expect(jobs.restoredAs('counter', redeployed)).toEqual({ outcome: 'NotRestored' });

    jobs.carryBegins();
    jobs.carriedBack({ ...record, outcome: 'Stopped', message: 'carried back' });
    const rolledBack = { ready: true, deploys: 3 };
    expect(jobs.next(rolledBack)).toMatchObject({ kind: 'submit', name: 'counter', restoreFrom: 's3://b/sp-1' });
    expect(jobs.carriedAcross).toEqual([expect.objectContaining({ jobId: 'j1', outcome: 'Stopped', message: 'carried back' })]);
  });
});
