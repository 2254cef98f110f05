import { describe, expect, it } from 'vitest';
import type { FlinkSession } from '../model/flinksession.ts';
import { FINALIZER, FLINKSESSION_API_VERSION, FLINKSESSION_KIND, REDEPLOY_ANNOTATION } from '../model/names.ts';
import { REDACTED, SEARCH_ATTRIBUTES } from '../workflows/contract.ts';
import { addFinalizerPatch } from './finalizer.ts';
import { searchAttributes, specChangedPayload, startOptions } from './signals.ts';

function session(meta: Partial<FlinkSession['metadata']> = {}, spec: Partial<FlinkSession['spec']> = {}): FlinkSession {
  return {
    apiVersion: FLINKSESSION_API_VERSION,
    kind: FLINKSESSION_KIND,
    metadata: { name: 'fls', namespace: 'ns', uid: 'uid-1', generation: 3, resourceVersion: '42', ...meta },
    spec: { image: 'flink:1.20', ...spec },
  };
}

describe('specChangedPayload', () => {
  it('carries uid, generation, the spec and the redeploy token', () => {
    expect(specChangedPayload(session({ annotations: { [REDEPLOY_ANNOTATION]: 'r1' } }))).toEqual({
      uid: 'uid-1',
      generation: 3,
      spec: { image: 'flink:1.20' },
      redeployToken: 'r1',
    });
    expect(specChangedPayload(session())).not.toHaveProperty('redeployToken');
  });

  it('never carries a secret value', () => {
    const object = session(
      {},
      {
        s3: { endPoint: 's3:9000', bucket: 'b', accessKey: 'AKIA-real', secretKey: 'real-secret' },
        security: { kerberos: { principal: 'p@R', base64Keytab: 'a2V5dGFi' } },
      },
    );
    const payload = JSON.stringify(specChangedPayload(object));
    expect(payload).not.toMatch(/AKIA-real|real-secret|a2V5dGFi/);
    expect(specChangedPayload(object).spec.s3).toEqual({ endPoint: 's3:9000', bucket: 'b', accessKey: REDACTED, secretKey: REDACTED });
    expect(object.spec.s3?.secretKey).toBe('real-secret');
  });
});

describe('searchAttributes', () => {
  it('names namespace, name and generation', () => {
    const { namespace, name, generation } = session().metadata;
    expect(searchAttributes(namespace, name, generation)).toEqual([
      { key: SEARCH_ATTRIBUTES.namespace, value: 'ns' },
      { key: SEARCH_ATTRIBUTES.name, value: 'fls' },
      { key: SEARCH_ATTRIBUTES.generation, value: 3 },
    ]);
  });

  it("leaves the generation out when a FlinkSessionJob starts the run (the session's is not known yet)", () => {
    expect(searchAttributes('ns', 'fls')).toEqual([
      { key: SEARCH_ATTRIBUTES.namespace, value: 'ns' },
      { key: SEARCH_ATTRIBUTES.name, value: 'fls' },
    ]);
  });
});

describe('startOptions', () => {
  it("titles the run for the Temporal UI: the session's summary and static details", () => {
    const options = startOptions(session(), 'queue');
    expect(options).toMatchObject({ workflowId: 'flinksession/ns/fls', taskQueue: 'queue', staticSummary: 'FlinkSession ns/fls' });
    expect(options.staticDetails).toContain('`kubectl -n ns describe fls fls`');
  });
});

describe('addFinalizerPatch', () => {
  it.each<[string, Partial<FlinkSession['metadata']>, object[]]>([
    [
      'no finalizers yet',
      {},
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '42' },
        { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] },
      ],
    ],
    [
      "another controller's finalizer",
      { finalizers: ['example.com/x'] },
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '42' },
        { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER },
      ],
    ],
    ['no resourceVersion known', { resourceVersion: undefined }, [{ op: 'add', path: '/metadata/finalizers', value: [FINALIZER] }]],
  ])('%s', (_name, meta, patch) => {
    expect(addFinalizerPatch(session(meta))).toEqual(patch);
  });
});
