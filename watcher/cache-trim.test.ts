import { describe, expect, it } from 'vitest';
import { REDEPLOY_ANNOTATION } from '../model/names.ts';
import { LAST_APPLIED_ANNOTATION, trimForCache } from './cache-trim.ts';

const applied = () => ({
  apiVersion: 'flink.session-operator.io/v1',
  kind: 'FlinkSession',
  metadata: {
    name: 'a',
    namespace: 'ns',
    uid: 'u1',
    generation: 2,
    resourceVersion: '7',
    finalizers: ['f'],
    deletionTimestamp: undefined,
    labels: { app: 'a' },
    annotations: { [LAST_APPLIED_ANNOTATION]: '{"spec":{}}', [REDEPLOY_ANNOTATION]: 'now' },
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  spec: { image: 'flink:1.20' },
  status: {
    phase: 'Running',
    lastError: 'long text',
    conditions: [{ type: 'Ready', status: 'True', reason: 'JobManagerReady', message: 'm', lastTransitionTime: 't' }],
  },
});

describe('trimForCache', () => {
  it('keeps what decisions read (identity, generation, finalizers, the redeploy annotation, the spec) and drops the rest', () => {
    const object = applied();
    trimForCache(object as never, { keepSpec: true });
    expect(object).toEqual({
      apiVersion: 'flink.session-operator.io/v1',
      kind: 'FlinkSession',
      metadata: {
        name: 'a',
        namespace: 'ns',
        uid: 'u1',
        generation: 2,
        resourceVersion: '7',
        finalizers: ['f'],
        deletionTimestamp: undefined,
        labels: { app: 'a' },
        annotations: { [REDEPLOY_ANNOTATION]: 'now' },
      },
      spec: { image: 'flink:1.20' },
      // What fso_session_condition reads.
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });

  it('drops the spec too when only the identity matters', () => {
    const object = applied();
    trimForCache(object as never, { keepSpec: false });
    expect(object).not.toHaveProperty('spec');
    expect(object.metadata.labels).toEqual({ app: 'a' });
  });

  it('leaves an object without metadata or annotations alone', () => {
    expect(() => trimForCache({} as never, { keepSpec: true })).not.toThrow();
    const bare = { metadata: { name: 'b' } };
    trimForCache(bare as never, { keepSpec: true });
    expect(bare).toEqual({ metadata: { name: 'b' } });
  });
});
