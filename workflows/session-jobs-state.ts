// The session's FlinkSessionJobs, as its workflow keeps them: signal handlers only record here
// (jobChanged, jobDeleted); the main loop asks for the next job step, one at a time and only while the
// session has no step of its own, and says what happened. Pure and deterministic (nothing the
// workflow sandbox lacks), so it is unit-tested on its own.
import { isSuspended } from '../model/flinksessionjob.ts';
import type { ManagedJob } from '../model/redeploy-jobs.ts';
import type { CarriedAcross, CarriedJobs, DesiredJob, JobChanged, JobDeleted, SubmittedJob } from './contract.ts';

export type JobWork =
  /**
   * Submit the desired generation: after stopping `replaces`, the generation running now, if any; else
   * from `restoreFrom`, the savepoint a suspend left, if any.
   */
  | { kind: 'submit'; name: string; job: DesiredJob; replaces?: SubmittedJob; restoreFrom?: string }
  /** Wanted suspended, and running: stop it (with a savepoint unless stateless) and keep the savepoint for the resume. */
  | { kind: 'suspend'; name: string; job: DesiredJob; submitted: SubmittedJob }
  /** Wanted suspended, and nothing of it runs: say so in the job's status, once per generation. */
  | { kind: 'suspended'; name: string; job: DesiredJob }
  /** Deleting, and submitted to the running session: stop (or cancel) it in Flink, then release the finalizer. */
  | { kind: 'stop'; name: string; job: DesiredJob; submitted: SubmittedJob }
  /** Deleting, with nothing of it running on a session: release the finalizer. */
  | { kind: 'release'; name: string; job: DesiredJob }
  /** Wanted, but the session does not run (yet): say so in the job's status, once per generation. */
  | { kind: 'wait-session'; name: string; job: DesiredJob }
  | { kind: 'idle' };

/** What the job steps need to know of the session. */
export interface SessionForJobs {
  /** The session's JobManager runs and nothing is being done to it. */
  ready: boolean;
  /** Counts the session's deploys: a job submitted before the latest one went with the old JobManager. */
  deploys: number;
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const key = (job: { uid: string; generation: number }): string => `${job.uid}/${job.generation}`;

export class SessionJobs {
  private readonly c: CarriedJobs;

  constructor(carried?: CarriedJobs) {
    this.c = carried ? copy(carried) : { desired: {}, submitted: {}, refused: {}, waitingReported: {} };
  }

  get snapshot(): CarriedJobs {
    return copy(this.c);
  }

  /** Nothing wanted and nothing submitted. */
  get empty(): boolean {
    return Object.keys(this.c.desired).length === 0 && Object.keys(this.c.submitted).length === 0;
  }

  /** Newest generation wins; a repeat (a relist, a second watcher) changes nothing; a new uid replaces the old object. */
  onJobChanged(change: JobChanged): void {
    const known = this.c.desired[change.name];
    if (known && known.uid === change.uid && change.generation <= known.generation) return;
    const deleting = known?.uid === change.uid && known.deleting === true;
    this.c.desired[change.name] = { uid: change.uid, generation: change.generation, spec: copy(change.spec), ...(deleting ? { deleting: true } : {}) };
  }

  onJobDeleted(request: JobDeleted): void {
    const known = this.c.desired[request.name];
    if (known?.uid === request.uid) known.deleting = true;
  }

  /**
   * The API server does not confirm what is desired: what it holds replaces it, a deletion underway
   * included (or, when it holds nothing of this job, nothing is wanted).
   */
  distrusted(name: string, current: JobChanged | undefined, deleting = false): void {
    if (current) this.c.desired[name] = { uid: current.uid, generation: current.generation, spec: copy(current.spec), ...(deleting ? { deleting: true } : {}) };
    else if (this.c.submitted[name]) this.c.desired[name] = { ...this.c.desired[name]!, deleting: false };
    else delete this.c.desired[name];
  }

  hasWork(session: SessionForJobs): boolean {
    return this.next(session).kind !== 'idle';
  }

  next(session: SessionForJobs): JobWork {
    for (const name of Object.keys(this.c.desired).sort()) {
      const job = this.c.desired[name]!;
      const submitted = this.current(name, session);
      if (job.deleting) {
        if (this.c.refused[name] === `delete/${key(job)}`) continue;
        return submitted && session.ready ? { kind: 'stop', name, job, submitted } : { kind: 'release', name, job };
      }
      if (this.c.refused[name] === key(job)) continue;
      if (isSuspended(job.spec)) {
        if (submitted && session.ready) return { kind: 'suspend', name, job, submitted };
        if (this.c.suspendedReported?.[name] !== key(job)) return { kind: 'suspended', name, job };
        continue;
      }
      if (!session.ready) {
        if (this.c.waitingReported[name] !== key(job)) return { kind: 'wait-session', name, job };
        continue;
      }
      if (submitted && submitted.uid === job.uid && submitted.generation >= job.generation) continue;
      if (submitted) return { kind: 'submit', name, job, replaces: submitted };
      const kept = this.c.restoreFrom?.[name];
      return { kind: 'submit', name, job, ...(kept?.uid === job.uid ? { restoreFrom: kept.path } : {}) };
    }
    return { kind: 'idle' };
  }

  /** The JOBS column: FlinkSessionJobs of the session, and how many of them run as their spec asks. */
  counts(session: SessionForJobs): { declared: number; running: number } {
    return { declared: Object.keys(this.c.desired).length, running: this.watched(session).length };
  }

  /** The jobs that run on the session's current JobManager as their spec asks, by name: what is watched for failures there. */
  watched(session: SessionForJobs): Array<{ name: string; jobId: string }> {
    if (!session.ready) return [];
    return Object.keys(this.c.desired)
      .sort()
      .flatMap((name) => {
        const job = this.c.desired[name]!;
        const submitted = this.current(name, session);
        return submitted && !job.deleting && !isSuspended(job.spec) ? [{ name, jobId: submitted.jobId }] : [];
      });
  }

  /** What runs of the job on the session's current JobManager (a submission to an earlier one is gone with it). */
  private current(name: string, session: SessionForJobs): SubmittedJob | undefined {
    const submitted = this.c.submitted[name];
    return submitted && submitted.sessionDeploy === session.deploys ? submitted : undefined;
  }

  desiredJob(name: string): DesiredJob | undefined {
    return this.c.desired[name];
  }

  submittedJob(name: string): SubmittedJob | undefined {
    return this.c.submitted[name];
  }

  /** Flink has the job (run, or recognised as a duplicate of a submission that reached it before). */
  submitted(name: string, job: SubmittedJob): void {
    this.c.submitted[name] = copy(job);
    delete this.c.refused[name];
    if (this.c.restoreFrom) delete this.c.restoreFrom[name];
  }

  /** The job was stopped for `state: suspended`: its next submission (a resume) restores from `savepoint`, if one was taken. */
  suspended(name: string, job: DesiredJob, savepoint: string | undefined): void {
    delete this.c.submitted[name];
    this.suspendedReported(name, job);
    if (savepoint) (this.c.restoreFrom ??= {})[name] = { uid: job.uid, path: savepoint };
  }

  suspendedReported(name: string, job: DesiredJob): void {
    (this.c.suspendedReported ??= {})[name] = key(job);
  }

  /**
   * Flink ended the job by itself (it failed beyond its restart strategy, finished, or its JobManager
   * lost it): it is not submitted again, blindly, until the job changes.
   */
  ended(name: string, jobId: string): void {
    if (this.c.submitted[name]?.jobId !== jobId) return;
    delete this.c.submitted[name];
    const job = this.c.desired[name];
    if (job) this.refused(name, job);
  }

  /** The job was stopped or cancelled in Flink (before a resubmission, or for a delete). */
  stopped(name: string): void {
    delete this.c.submitted[name];
  }

  /** This generation was refused, or failed: not tried again until the job changes. */
  refused(name: string, job: DesiredJob): void {
    this.c.refused[name] = job.deleting ? `delete/${key(job)}` : key(job);
  }

  waitingReported(name: string, job: DesiredJob): void {
    this.c.waitingReported[name] = key(job);
  }

  /** The finalizer is released (or the object is gone): forget the job. */
  released(name: string): void {
    delete this.c.desired[name];
    delete this.c.submitted[name];
    delete this.c.refused[name];
    delete this.c.waitingReported[name];
    if (this.c.suspendedReported) delete this.c.suspendedReported[name];
    if (this.c.restoreFrom) delete this.c.restoreFrom[name];
  }

  /** The FlinkSessionJobs that run on the session's current JobManager, with what a redeploy needs to carry them. */
  onSession(session: SessionForJobs): ManagedJob[] {
    return this.watched(session).map(({ name, jobId }) => ({
      name,
      jobId,
      spec: copy(this.c.desired[name]!.spec),
      ...(this.c.submitted[name]?.retainsCheckpoints ? { retainsCheckpoints: true } : {}),
    }));
  }

  /** A session redeploy begins carrying the jobs: what the last one did is replaced. */
  carryBegins(): void {
    this.c.carriedAcross = [];
  }

  /**
   * A job was carried before the old JobManager goes: a FlinkSessionJob stopped or cancelled is
   * submitted again once the new one is Ready (from the savepoint or checkpoint, when there is one); one
   * left to HA stays submitted until it is checked on the new JobManager.
   */
  carried(record: CarriedAcross): void {
    this.noteCarry(record);
    const name = record.sessionJob;
    if (!name || record.action === 'ha') return;
    delete this.c.submitted[name];
    this.restoreNextFrom(name, record.sessionJobUid, record.path);
  }

  /**
   * A rollback carries back a FlinkSessionJob that did not run on the generation rolled back (refused or
   * failed there, or not submitted yet): it is tried again on the generation that ran before, from where
   * the redeploy carried it (`record.path`).
   */
  carriedBack(record: CarriedAcross): void {
    this.noteCarry(record);
    const name = record.sessionJob;
    if (!name) return;
    delete this.c.submitted[name];
    delete this.c.refused[name];
    this.restoreNextFrom(name, record.sessionJobUid, record.path);
  }

  /** A line of status.carriedJobs only (a job that could not be carried runs on as it was). */
  noteCarry(record: CarriedAcross): void {
    (this.c.carriedAcross ??= []).push(copy(record));
  }

  /** Flink's HA brought the job back on the session's new JobManager (deploy `deploys`): it runs there as submitted. */
  recovered(name: string, deploys: number): void {
    const submitted = this.c.submitted[name];
    if (submitted) submitted.sessionDeploy = deploys;
  }

  /** Flink's HA did not bring the job back: it is submitted again, from the checkpoint recorded before the redeploy when there is one. */
  notRecovered(name: string, uid: string | undefined, path: string | undefined): void {
    delete this.c.submitted[name];
    this.restoreNextFrom(name, uid, path);
  }

  /** What became of a carried job on the new JobManager. */
  carriedOutcome(jobId: string, outcome: string, message: string): void {
    const record = this.c.carriedAcross?.find((r) => r.jobId === jobId);
    if (record) Object.assign(record, { outcome, message });
  }

  /** Where a FlinkSessionJob carried across a redeploy is now: running again (its job id), refused or failed, or still to be submitted. */
  restoredAs(name: string, session: SessionForJobs): { outcome: 'Restored'; jobId: string } | { outcome: 'NotRestored' | 'Pending' } {
    const job = this.c.desired[name];
    // Refused, or failed after Flink took it (it may still be listed, restarting): not restored.
    if (!job || this.c.refused[name] === key(job)) return { outcome: 'NotRestored' };
    const running = this.watched(session).find((j) => j.name === name);
    return running ? { outcome: 'Restored', jobId: running.jobId } : { outcome: 'Pending' };
  }

  get carriedAcross(): CarriedAcross[] {
    return copy(this.c.carriedAcross ?? []);
  }

  private restoreNextFrom(name: string, uid: string | undefined, path: string | undefined): void {
    if (path && uid) (this.c.restoreFrom ??= {})[name] = { uid, path };
    else if (this.c.restoreFrom) delete this.c.restoreFrom[name];
  }

  /** The session's cluster is gone (deleted): nothing of the jobs runs any more; they wait for a session again. */
  sessionGone(): void {
    this.c.submitted = {};
    this.c.waitingReported = {};
  }
}
