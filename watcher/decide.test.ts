import { describe, expect, it } from 'vitest';
import type { FlinkSession } from '../model/flinksession.ts';
import { FINALIZER, FLINKSESSION_API_VERSION, FLINKSESSION_KIND, REDEPLOY_ANNOTATION } from '../model/names.ts';
import { decide, redeployToken, type Decision, type Observed } from './decide.ts';

type Meta = Partial<FlinkSession['metadata']>;

function session(meta: Meta = {}): FlinkSession {
  return {
    apiVersion: FLINKSESSION_API_VERSION,
    kind: FLINKSESSION_KIND,
    metadata: { name: 'fls', namespace: 'ns', uid: 'uid-1', generation: 1, resourceVersion: '10', finalizers: [FINALIZER], ...meta },
    spec: { image: 'flink:1.20' },
  };
}

const token = (value: string): Meta => ({ annotations: { [REDEPLOY_ANNOTATION]: value } });
const deleting: Meta = { deletionTimestamp: '2025-01-01T00:00:00Z' };
const noFinalizer: Meta = { finalizers: [] };

describe('decide', () => {
  it.each<[string, Observed, Decision['kind']]>([
    ['never seen (also: every object after a watcher restart)', { object: session() }, 'first-sight'],
    ['never seen, at generation 7', { object: session({ generation: 7 }) }, 'first-sight'],
    ['same name, new uid (deleted and recreated)', { object: session({ uid: 'uid-2' }), previous: session({ generation: 4 }) }, 'first-sight'],
    ['generation grew', { object: session({ generation: 2 }), previous: session() }, 'spec-changed'],
    ['generation grew and the annotation changed', { object: session({ generation: 2, ...token('b') }), previous: session(token('a')) }, 'spec-changed'],
    ['generation lower than last acted on (stale event)', { object: session(), previous: session({ generation: 2 }) }, 'status-only'],
    ['redeploy annotation added', { object: session(token('now')), previous: session() }, 'redeploy-requested'],
    ['redeploy annotation changed', { object: session(token('2')), previous: session(token('1')) }, 'redeploy-requested'],
    ['redeploy annotation unchanged', { object: session(token('1')), previous: session(token('1')) }, 'status-only'],
    ['redeploy annotation removed', { object: session(), previous: session(token('1')) }, 'status-only'],
    ['redeploy annotation blanked', { object: session(token('  ')), previous: session(token('1')) }, 'status-only'],
    ['only resourceVersion changed (status patch)', { object: session({ resourceVersion: '11' }), previous: session() }, 'status-only'],
    ['other annotations changed', { object: session({ annotations: { team: 'b' } }), previous: session({ annotations: { team: 'a' } }) }, 'status-only'],
    ['deletion requested', { object: session(deleting), previous: session() }, 'deletion-requested'],
    ['deletion requested, first sight', { object: session(deleting) }, 'deletion-requested'],
    ['deletion requested without our finalizer: no finalizer is added', { object: session({ ...deleting, ...noFinalizer }) }, 'deletion-requested'],
    ['still deleting, already signalled', { object: session({ ...deleting, resourceVersion: '12' }), previous: session(deleting) }, 'status-only'],
    [
      'deleting, skip-cleanup annotation added after the delete was signalled',
      { object: session({ ...deleting, annotations: { 'flink.session-operator.io/skip-cleanup': 'true' } }), previous: session(deleting) },
      'deletion-requested',
    ],
    [
      'deleting, skip-cleanup annotation already there when signalled',
      {
        object: session({ ...deleting, annotations: { 'flink.session-operator.io/skip-cleanup': 'true' } }),
        previous: session({ ...deleting, annotations: { 'flink.session-operator.io/skip-cleanup': 'true' } }),
      },
      'status-only',
    ],
    [
      'deleting, skip-cleanup annotation not "true"',
      { object: session({ ...deleting, annotations: { 'flink.session-operator.io/skip-cleanup': 'no' } }), previous: session(deleting) },
      'status-only',
    ],
    [
      'deleting, but the last one acted on was another uid',
      { object: session({ ...deleting, uid: 'uid-2' }), previous: session(deleting) },
      'deletion-requested',
    ],
    ['gone after its deletion was signalled', { object: session(deleting), previous: session(deleting), gone: true }, 'status-only'],
    ['gone without a deletion seen', { object: session(), previous: session(), gone: true }, 'deletion-requested'],
    ['gone, never acted on', { object: session(), gone: true }, 'deletion-requested'],
    ['finalizer missing, first sight', { object: session(noFinalizer) }, 'needs-finalizer'],
    ['finalizer removed by someone', { object: session(noFinalizer), previous: session() }, 'needs-finalizer'],
    ['no finalizers field at all', { object: session({ finalizers: undefined }) }, 'needs-finalizer'],
    ["only another controller's finalizer", { object: session({ finalizers: ['example.com/other'] }) }, 'needs-finalizer'],
  ])('%s → %s', (_name, observed, kind) => {
    const decision = decide(observed);
    expect(decision.kind).toBe(kind);
    expect(decision.reason).not.toBe('');
  });

  it.each<[string, Observed, Decision['kind']]>([
    ['first sight', { object: session(noFinalizer) }, 'first-sight'],
    ['edit', { object: session({ ...noFinalizer, generation: 3 }), previous: session({ generation: 2 }) }, 'spec-changed'],
    ['redeploy', { object: session({ ...noFinalizer, ...token('x') }), previous: session() }, 'redeploy-requested'],
    ['nothing else', { object: session(noFinalizer), previous: session() }, 'status-only'],
  ])('a missing finalizer also carries what comes after it: %s → %s', (_name, observed, then) => {
    const decision = decide(observed);
    expect(decision.kind === 'needs-finalizer' ? decision.then.kind : undefined).toBe(then);
  });

  it('explains itself in the reason', () => {
    expect(decide({ object: session({ generation: 3 }), previous: session({ generation: 2 }) }).reason).toBe('generation 2 → 3');
    expect(decide({ object: session(token('abc')), previous: session() }).reason).toContain('"abc"');
    expect(decide({ object: session({ uid: 'b' }), previous: session({ uid: 'a' }) }).reason).toBe('recreated: uid a became b');
  });
});

describe('redeployToken', () => {
  it.each<[string, Meta, string | undefined]>([
    ['no annotations', {}, undefined],
    ['other annotations', { annotations: { x: 'y' } }, undefined],
    ['empty value', token(''), undefined],
    ['a value', token('2025-06-01T10:00'), '2025-06-01T10:00'],
    ['a padded value', token(' 7 '), '7'],
  ])('%s → %s', (_name, meta, expected) => {
    expect(redeployToken(session(meta))).toBe(expected);
  });
});
