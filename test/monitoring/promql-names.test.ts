import { describe, expect, it } from 'vitest';
import { isExportedMetric, metricNames } from './promql-names.ts';

describe('metricNames', () => {
  it.each([
    ['a selector', 'fso_session_condition{condition="Ready"} == 0', ['fso_session_condition']],
    [
      'an aggregation over a range',
      'sum by (activityType) (increase(fso_step_duration_seconds_count{outcome="error"}[15m])) > 5',
      ['fso_step_duration_seconds_count'],
    ],
    [
      'a quantile with a Grafana interval',
      'histogram_quantile(0.95, sum by (le, kind) (rate(fso_redeploy_duration_seconds_bucket[$__rate_interval])))',
      ['fso_redeploy_duration_seconds_bucket'],
    ],
    ['two metrics joined with or', 'sum(temporal_num_pollers{task_queue="q"}) < 1 or absent(up{job="x"})', ['temporal_num_pollers', 'up']],
    ['a Grafana label_values query', 'label_values(fso_session_condition, namespace)', ['fso_session_condition']],
    ['a label value that looks like a metric', 'fso_redeploys_total{kind="node_cpu_seconds_total"}', ['fso_redeploys_total']],
  ])('%s', (_case, expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe('isExportedMetric', () => {
  it.each([
    ['fso_redeploys_total', true],
    ['fso_step_duration_seconds_bucket', true],
    ['fso_watcher_watch_restarts_total', true],
    ['fso_session_condition', true],
    ['temporal_num_pollers', true],
    ['fso_sessions_ready', false],
    ['up', false],
    ['kube_pod_status_ready', false],
  ])('%s: %s', (name, exported) => {
    expect(isExportedMetric(name)).toBe(exported);
  });
});
