import { describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_SETTINGS } from './flink-options.ts';
import { deployFingerprint } from './fingerprint.ts';

describe('deployFingerprint', () => {
  const ref = { namespace: 'ns', name: 'demo' };
  const spec = { image: 'flink:1.20', numberOfTaskSlots: 2, config: { 'flink-conf.yaml': 'a.b: c\n' } };
  const of = (s: typeof spec | Record<string, unknown>, settings = DEFAULT_RENDER_SETTINGS) => deployFingerprint(ref, s as typeof spec, settings);

  it('is the same for the same launch, whatever the generation or uid', () => {
    expect(of(spec)).toBe(of(structuredClone(spec)));
    expect(of(spec)).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ['the image', { ...spec, image: 'flink:1.20.1' }],
    ['an option', { ...spec, numberOfTaskSlots: 3 }],
    ['a config file', { ...spec, config: { 'flink-conf.yaml': 'a.b: d\n' } }],
  ])('changes with %s', (_what, changed) => {
    expect(of(changed)).not.toBe(of(spec));
  });

  it('changes with the operator setting that changes the rendered options', () => {
    expect(of(spec, { restExposedType: 'ClusterIP' })).not.toBe(of(spec, { restExposedType: 'NodePort' }));
  });

  it('tells two sessions apart', () => {
    expect(deployFingerprint({ namespace: 'ns', name: 'other' }, spec, DEFAULT_RENDER_SETTINGS)).not.toBe(of(spec));
  });
});
