import { describe, expect, it } from 'vitest';
import type { FlinkSessionJob } from '../model/flinksessionjob.ts';
import { JOB_FINALIZER } from '../model/names.ts';
import { decideJob, type JobDecision } from './decide-job.ts';

const job = (changes: { uid?: string; generation?: number; finalizer?: boolean; deleting?: boolean; session?: string } = {}): FlinkSessionJob => ({
  apiVersion: 'flink.session-operator.io/v1',
  kind: 'FlinkSessionJob',
  metadata: {
    name: 'counter',
    namespace: 'shop',
    uid: changes.uid ?? 'u1',
    generation: changes.generation ?? 1,
    ...(changes.finalizer === false ? {} : { finalizers: [JOB_FINALIZER] }),
    ...(changes.deleting ? { deletionTimestamp: '2026-12-01T12:00:00Z' } : {}),
  },
  spec: { session: changes.session ?? 'orders', jar: 's3://jobs/counter.jar' },
});

describe('decideJob', () => {
  it.each<[string, Parameters<typeof decideJob>[0], JobDecision['kind'], string?]>([
    ['first sight without the finalizer', { object: job({ finalizer: false }) }, 'needs-finalizer', 'job-changed'],
    ['first sight with the finalizer (a watcher restart)', { object: job() }, 'job-changed'],
    ['the same generation again (a relist)', { object: job(), previous: job() }, 'nothing'],
    ['a new generation', { object: job({ generation: 2 }), previous: job() }, 'job-changed'],
    ['a stale event of an older generation', { object: job(), previous: job({ generation: 2 }) }, 'nothing'],
    ['recreated under the same name', { object: job({ uid: 'u2' }), previous: job() }, 'job-changed'],
    ['deletion requested', { object: job({ deleting: true }), previous: job() }, 'job-deleted'],
    ['still being deleted', { object: job({ deleting: true }), previous: job({ deleting: true }) }, 'nothing'],
    ['gone after its deletion was signalled', { object: job({ deleting: true }), previous: job({ deleting: true }), gone: true }, 'nothing'],
    ['gone unseen (deleted while the watcher was down)', { object: job(), previous: job(), gone: true }, 'job-deleted'],
    ['being deleted without the finalizer: no finalizer is added', { object: job({ deleting: true, finalizer: false }) }, 'job-deleted'],
  ])('%s', (_name, observed, kind, then) => {
    const decision = decideJob(observed);
    expect(decision.kind).toBe(kind);
    if (then) expect(decision.kind === 'needs-finalizer' ? decision.then.kind : undefined).toBe(then);
    expect(decision.reason).not.toBe('');
  });
});
