import { describe, expect, it } from 'vitest';
import type { FlinkSession, FlinkSessionSpec } from './flinksession.ts';
import { checkSignal, specHash, type SignalCheckInput } from './signal-check.ts';

const spec: FlinkSessionSpec = { image: 'flink:1.20', sa: 'flink', s3: { endPoint: 'http://s3', bucket: 'b', accessKey: 'AK', secretKey: 'SK' } };
const object = (extra: Partial<FlinkSession['metadata']> = {}, s: FlinkSessionSpec = spec): FlinkSession => ({
  apiVersion: 'v1',
  kind: 'FlinkSession',
  spec: s,
  metadata: { namespace: 'team', name: 'etl', uid: 'u1', generation: 3, ...extra },
});
const base: SignalCheckInput = {
  workflowId: 'flinksession/team/etl',
  ref: { namespace: 'team', name: 'etl', uid: 'u1' },
  step: 'deploy',
  watchedNamespaces: ['team'],
  object: object(),
  spec: { ...spec, s3: { ...spec.s3!, accessKey: '<redacted>', secretKey: '<redacted>' } },
};

describe('checkSignal', () => {
  it.each<[string, Partial<SignalCheckInput>, string | undefined]>([
    ['the spec the API server holds (as the watcher redacts it)', {}, undefined],
    ['a workflow id of another session', { workflowId: 'flinksession/kube-system/coredns' }, 'whose workflow is flinksession/team/etl'],
    ['a namespace not watched', { watchedNamespaces: ['other'] }, 'namespace team is not watched'],
    ['no such object', { object: undefined }, 'there is no FlinkSession team/etl'],
    ['another uid', { ref: { namespace: 'team', name: 'etl', uid: 'forged' } }, 'has uid u1, the signal named uid forged'],
    ['another spec', { spec: { ...spec, image: 'evil' } }, 'is not the one the API server holds'],
    ['a delete of an object not being deleted', { step: 'delete' }, 'is not being deleted'],
    ['a delete of an object being deleted', { step: 'delete', object: object({ deletionTimestamp: '2026-12-01T00:00:00Z' }) }, undefined],
    ['any namespace when none is listed', { watchedNamespaces: [] }, undefined],
  ])('%s', (_, change, why) => {
    const check = checkSignal({ ...base, ...change });
    if (why === undefined) expect(check).toEqual({ trusted: true });
    else expect(check.trusted === false && check.why).toContain(why);
  });

  it('hashes a spec independently of key order', () => {
    expect(specHash({ sa: 'flink', image: 'x' })).toBe(specHash({ image: 'x', sa: 'flink' }));
    expect(specHash({ image: 'x' })).not.toBe(specHash({ image: 'y' }));
  });
});
