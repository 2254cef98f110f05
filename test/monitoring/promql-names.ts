// Which metrics a PromQL expression (or a Grafana `label_values(metric, label)` query) reads, and
// whether the operator exports them: the names of observability/metric-names.ts (with the suffixes
// Prometheus gives counters and histograms) and the Temporal SDK's temporal_* metrics. Pure.
import { STEP_DURATION, WATCHER_METRICS, WORKFLOW_METRICS } from '../../observability/metric-names.ts';

/** Functions, aggregations and keywords of the PromQL the rules and the dashboard use. */
const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'topk',
  'bottomk',
  'rate',
  'irate',
  'increase',
  'delta',
  'absent',
  'absent_over_time',
  'histogram_quantile',
  'vector',
  'clamp_min',
  'clamp_max',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'label_values',
]);

export function metricNames(expr: string): string[] {
  const labelValues = /^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(expr);
  if (labelValues) return [labelValues[1]!];
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const words = stripped.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((word) => !PROMQL_WORDS.has(word)))];
}

/** The operator's own metrics, by the names Prometheus shows them under. */
export const OPERATOR_METRIC_BASES: readonly string[] = [...Object.values(WORKFLOW_METRICS), STEP_DURATION, ...Object.values(WATCHER_METRICS)].map(
  (metric) => metric.name,
);

const SUFFIXES = ['', '_total', '_bucket', '_sum', '_count'];

export function isExportedMetric(name: string): boolean {
  if (name.startsWith('temporal_')) return true;
  return OPERATOR_METRIC_BASES.some((base) => SUFFIXES.some((suffix) => name === `${base}${suffix}` || `${name}${suffix}` === base));
}

/** The operator metric a name belongs to (fso_step_duration_seconds_count → fso_step_duration_seconds). */
export function operatorMetricOf(name: string): string | undefined {
  return OPERATOR_METRIC_BASES.find((base) => SUFFIXES.some((suffix) => name === `${base}${suffix}` || `${name}${suffix}` === base));
}
