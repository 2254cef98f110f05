import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFAULT_RENDER_SETTINGS, renderFlinkOptions } from './flink-options.ts';
import { flattenFlinkConfig, flinkConfigMismatch } from './flink-config-match.ts';

const ref = { namespace: 'ns', name: 'web' };
const spec = { image: 'flink:1.20', sa: 'flink', numberOfTaskSlots: 2, config: { 'flink-conf.yaml': 'state.backend.type: rocksdb\n' } };

/** Flink's config.yaml as Flink 1.20 writes it: the options nested by their dots, plus its own keys. */
function flinkWrote(options: ReadonlyArray<readonly [string, string]>): string {
  const root: Record<string, unknown> = { jobmanager: { rpc: { address: 'web.ns' } }, state: { backend: { type: 'rocksdb' } } };
  for (const [key, value] of options) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return stringify(root);
}

describe('flinkConfigMismatch', () => {
  const rendered = renderFlinkOptions({ ...ref, uid: '', generation: 0 }, spec, DEFAULT_RENDER_SETTINGS);

  it('finds no difference when Flink runs what the spec renders, its own keys aside', () => {
    expect(flinkConfigMismatch(ref, spec, DEFAULT_RENDER_SETTINGS, { 'config.yaml': flinkWrote(rendered) })).toBeUndefined();
  });

  it('names an option that differs, and one that is missing', () => {
    const other = rendered.map(([k, v]) => [k, k === 'taskmanager.numberOfTaskSlots' ? '4' : v] as const);
    expect(flinkConfigMismatch(ref, spec, DEFAULT_RENDER_SETTINGS, { 'config.yaml': flinkWrote(other) })).toBe(
      'taskmanager.numberOfTaskSlots is "4" in the running cluster, "2" in the spec',
    );
    const missing = rendered.filter(([k]) => k !== 'kubernetes.service-account');
    expect(flinkConfigMismatch(ref, spec, DEFAULT_RENDER_SETTINGS, { 'config.yaml': flinkWrote(missing) })).toMatch(/^kubernetes.service-account is not set/);
  });

  it("checks the user's own config keys, and says no when it cannot compare", () => {
    const text = flinkWrote(rendered).replace('rocksdb', 'hashmap');
    expect(flinkConfigMismatch(ref, spec, DEFAULT_RENDER_SETTINGS, { 'config.yaml': text })).toMatch(/^state.backend.type/);
    expect(flinkConfigMismatch(ref, spec, DEFAULT_RENDER_SETTINGS, {})).toMatch(/no config.yaml/);
    expect(flinkConfigMismatch(ref, { ...spec, balancedSchedule: 'Required' }, DEFAULT_RENDER_SETTINGS, { 'config.yaml': flinkWrote(rendered) })).toMatch(
      /pod templates/,
    );
  });

  it('reads flat and nested config alike', () => {
    expect([...flattenFlinkConfig('a.b: 1\nc:\n  d: x\n')]).toEqual([
      ['a.b', '1'],
      ['c.d', 'x'],
    ]);
  });
});
