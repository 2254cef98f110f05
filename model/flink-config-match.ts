// Does a running Flink cluster run what this spec would launch? Read from the configuration Flink
// itself wrote into its `flink-config-<cluster-id>` ConfigMap (the client's effective options, nested
// YAML in Flink ≥ 1.19, flat `key: value` lines before): every option the operator would render, and
// every key of the user's own config file, must be there with the same value. This lets a new run
// take over a cluster that carries no fingerprint of this operator, e.g. one the earlier Go operator
// launched. Pure: no I/O. When in doubt (pod templates, a file that differs) it says no: the cluster
// is then redeployed, as it would have been without this check.
import { parse } from 'yaml';
import { needsPodTemplates, renderFlinkOptions, type RenderSettings } from './flink-options.ts';
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { configFileMounts } from './session-files.ts';

/** Flink's own config as flat `a.b.c` keys with string values. */
export function flattenFlinkConfig(text: string): Map<string, string> {
  const flat = new Map<string, string>();
  const visit = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) visit(child, prefix ? `${prefix}.${key}` : key);
    } else if (prefix) {
      flat.set(prefix, Array.isArray(value) ? value.map(String).join(';') : String(value));
    }
  };
  visit(parse(text) ?? {}, '');
  return flat;
}

/** undefined when the cluster runs this spec; otherwise what differs, for the log and the Event. */
export function flinkConfigMismatch(
  ref: Pick<SessionRef, 'namespace' | 'name'>,
  spec: FlinkSessionSpec,
  settings: RenderSettings,
  flinkFiles: Record<string, string>,
): string | undefined {
  if (needsPodTemplates(spec)) return "the spec has pod templates, which Flink's ConfigMap does not show";
  const configText = flinkFiles['config.yaml'] ?? flinkFiles['flink-conf.yaml'];
  if (configText === undefined) return "Flink's ConfigMap holds no config.yaml or flink-conf.yaml";
  const running = flattenFlinkConfig(configText);
  const wanted = new Map<string, string>();
  const userConfig = spec.config?.['flink-conf.yaml'];
  if (userConfig) for (const [key, value] of flattenFlinkConfig(userConfig)) wanted.set(key, value);
  for (const [key, value] of renderFlinkOptions({ ...ref, uid: '', generation: 0 }, spec, settings)) wanted.set(key, value);
  for (const [key, value] of wanted) {
    if (running.get(key) !== value) return `${key} is ${running.has(key) ? `"${running.get(key)}"` : 'not set'} in the running cluster, "${value}" in the spec`;
  }
  for (const { key, fileName } of configFileMounts(spec)) {
    if (key === 'flink-conf.yaml') continue;
    const content = spec.config?.[key as keyof NonNullable<FlinkSessionSpec['config']>];
    if (flinkFiles[fileName] !== content) return `${fileName} differs from the running cluster's`;
  }
  return undefined;
}
