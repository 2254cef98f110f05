import { describe, expect, it } from 'vitest';
import type { FlinkSession } from '../model/flinksession.ts';
import { APPROVE_ANNOTATION, FINALIZER, FLINKSESSION_API_VERSION, FLINKSESSION_KIND, FORCE_REDEPLOY_ANNOTATION } from '../model/names.ts';
import type { Observed } from './decide.ts';
import { annotationRequests } from './decide-annotations.ts';

function session(generation: number, annotations: Record<string, string> = {}, meta: Partial<FlinkSession['metadata']> = {}): FlinkSession {
  return {
    apiVersion: FLINKSESSION_API_VERSION,
    kind: FLINKSESSION_KIND,
    metadata: { name: 'fls', namespace: 'ns', uid: 'uid-1', generation, resourceVersion: '10', finalizers: [FINALIZER], annotations, ...meta },
    spec: { image: 'flink:1.20' },
  };
}
const force = (value: string) => ({ [FORCE_REDEPLOY_ANNOTATION]: value });
const approve = (value: string) => ({ [APPROVE_ANNOTATION]: value });
const kinds = (observed: Observed) => annotationRequests(observed).map((r) => (r.kind === 'approve' ? `approve ${r.generation}` : `force-redeploy ${r.token}`));

describe('annotationRequests', () => {
  it.each<[string, Observed, string[]]>([
    ['no annotation', { object: session(1), previous: session(1) }, []],
    ['force-redeploy set', { object: session(2, force('a')), previous: session(2) }, ['force-redeploy a']],
    ['force-redeploy changed', { object: session(2, force('b')), previous: session(2, force('a')) }, ['force-redeploy b']],
    ['force-redeploy unchanged (a status patch)', { object: session(2, force('a')), previous: session(2, force('a')) }, []],
    ['force-redeploy blanked', { object: session(2, force(' ')), previous: session(2, force('a')) }, []],
    ['force-redeploy at first sight (a watcher restart: the workflow ignores a token it acted on)', { object: session(2, force('a')) }, ['force-redeploy a']],
    ['force-redeploy on a re-created object', { object: session(1, force('a'), { uid: 'uid-2' }), previous: session(3, force('a')) }, ['force-redeploy a']],
    ['approve names the generation', { object: session(3, approve('3')), previous: session(3) }, ['approve 3']],
    ['approve set ahead, then the edit to that generation', { object: session(3, approve('3')), previous: session(2, approve('3')) }, ['approve 3']],
    ['approve names another generation', { object: session(3, approve('2')), previous: session(3) }, []],
    ['approve unchanged', { object: session(3, approve('3')), previous: session(3, approve('3')) }, []],
    ['approve of an older generation after an edit', { object: session(4, approve('3')), previous: session(3, approve('3')) }, []],
    ['approve that is not a generation', { object: session(3, approve('yes')), previous: session(3) }, []],
    ['both at once', { object: session(3, { ...force('x'), ...approve('3') }), previous: session(3) }, ['force-redeploy x', 'approve 3']],
    ['being deleted', { object: session(3, { ...force('x'), ...approve('3') }, { deletionTimestamp: '2026-01-01T00:00:00Z' }), previous: session(3) }, []],
    ['gone', { object: session(3, force('x')), previous: session(3), gone: true }, []],
  ])('%s', (_, observed, expected) => {
    expect(kinds(observed)).toEqual(expected);
  });

  it('says which annotation asked, for the log and the signal', () => {
    expect(annotationRequests({ object: session(3, approve('3')) })).toEqual([
      { kind: 'approve', generation: 3, reason: `annotation ${APPROVE_ANNOTATION} names generation 3` },
    ]);
  });
});
