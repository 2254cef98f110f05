// SessionJobs.distrusted when the API server holds the job: the workflow keeps looking after it (a
// forged jobDeleted must not make it forget the job and then ignore the real delete), and a deletion
// the check found underway is kept (a jobDeleted that arrived during a submit's check is not lost).
import { describe, expect, it } from 'vitest';
import type { JobChanged } from './contract.ts';
import { SessionJobs } from './session-jobs-state.ts';

const change = (generation = 1): JobChanged => ({ name: 'counter', uid: 'u1', generation, spec: { session: 'orders', jar: 's3://jars/a.jar' } });
const ready = { ready: true, deploys: 1 };

describe('SessionJobs.distrusted with what the API server holds', () => {
  it('a jobDeleted the API server does not confirm leaves the job known, so the real delete is still carried out', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change());
    jobs.refused('counter', { uid: 'u1', generation: 1, spec: change().spec }); // e.g. its jar was missing
    jobs.onJobDeleted({ name: 'counter', uid: 'u1' }); // forged
    expect(jobs.next(ready)).toMatchObject({ kind: 'release' });
    jobs.distrusted('counter', change(), false);
    expect(jobs.next(ready).kind).toBe('idle');
    jobs.onJobDeleted({ name: 'counter', uid: 'u1' }); // kubectl delete
    expect(jobs.next(ready)).toMatchObject({ kind: 'release', name: 'counter' });
  });

  it('a submit refused because the job is being deleted turns into its delete', () => {
    const jobs = new SessionJobs();
    jobs.onJobChanged(change());
    jobs.submitted('counter', { uid: 'u1', generation: 1, jobId: 'j1', sessionDeploy: 1 });
    jobs.onJobChanged(change(2));
    expect(jobs.next(ready)).toMatchObject({ kind: 'submit', replaces: { jobId: 'j1' } });
    jobs.onJobDeleted({ name: 'counter', uid: 'u1' }); // arrives while the check runs
    jobs.distrusted('counter', change(2), true);
    expect(jobs.next(ready)).toMatchObject({ kind: 'stop', submitted: { jobId: 'j1' } });
  });
});
