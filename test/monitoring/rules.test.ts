// deploy/monitoring: the alert rules pass their unit tests in Prometheus' own promtool (`check rules`,
// `test rules`), every alert has a case where it fires and one where it stays quiet, the cases notice
// a rule that changes, and the rules and the Grafana dashboard read only metrics the operator exports.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveTestTool } from '../../stack/binaries.ts';
import { isExportedMetric, metricNames, OPERATOR_METRIC_BASES, operatorMetricOf } from './promql-names.ts';

const MONITORING = fileURLToPath(new URL('../../deploy/monitoring/', import.meta.url));
const RULES_FILE = 'alerts.yaml';
const TESTS_FILE = 'alerts.test.yaml';

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string; for?: string }> }>;
}

interface RuleTests {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

interface Dashboard {
  panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> };
}

function promtool(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const binary = resolveTestTool('promtool', process.env);
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}` });
    });
  });
}

const rules = parse(readFileSync(join(MONITORING, RULES_FILE), 'utf8')) as RuleFile;
const alerts = rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
const dashboard = JSON.parse(readFileSync(join(MONITORING, 'dashboard.json'), 'utf8')) as Dashboard;
const scratch = mkdtempSync(join(tmpdir(), 'fso-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('deploy/monitoring/alerts.yaml', () => {
  it('covers the five situations: not Ready or Degraded, a step retrying, a failed purge, no worker polling, a failing watcher', () => {
    expect(alerts.map((rule) => rule.alert)).toEqual([
      'FlinkSessionNotReady',
      'FlinkSessionDegraded',
      'FlinkSessionStepRetrying',
      'FlinkSessionPurgeFailed',
      'FlinkSessionOperatorNoWorkerPolling',
      'FlinkSessionOperatorWatcherFailing',
    ]);
  });

  it('is valid for promtool check rules', async () => {
    const result = await promtool(['check', 'rules', RULES_FILE], MONITORING);
    expect(result.output).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.code, result.output).toBe(0);
  });

  it('passes its unit tests: promtool test rules alerts.test.yaml', async () => {
    const result = await promtool(['test', 'rules', TESTS_FILE], MONITORING);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('has, for every alert, a case where it fires and one where it stays quiet', () => {
    const cases = (parse(readFileSync(join(MONITORING, TESTS_FILE), 'utf8')) as RuleTests).tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} fires somewhere`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} stays quiet somewhere`,
      ).toBe(true);
    }
  });

  it('the cases notice a changed rule: without its `for:` durations, or with its thresholds moved, promtool test fails', async () => {
    const original = readFileSync(join(MONITORING, RULES_FILE), 'utf8');
    copyFileSync(join(MONITORING, TESTS_FILE), join(scratch, TESTS_FILE));
    for (const mutated of [original.replace(/^\s+for: \S+\n/gm, ''), original.replace('> 5', '> 50').replace('>= 3', '>= 30')]) {
      expect(mutated).not.toBe(original);
      writeFileSync(join(scratch, RULES_FILE), mutated);
      const result = await promtool(['test', 'rules', TESTS_FILE], scratch);
      expect(result.code, result.output).not.toBe(0);
      expect(result.output).toMatch(/FAILED/);
    }
  });

  it("reads only metrics the operator exports (observability/metric-names.ts) or the Temporal SDK's temporal_*", () => {
    const used = alerts.flatMap((rule) => metricNames(rule.expr));
    expect(used.length).toBeGreaterThanOrEqual(alerts.length);
    expect(used.filter((name) => !isExportedMetric(name))).toEqual([]);
  });
});

describe('deploy/monitoring/dashboard.json', () => {
  const queries = (): string[] => [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ...dashboard.templating.list.flatMap((variable) =>
      variable.type === 'query' && variable.query !== undefined ? [typeof variable.query === 'string' ? variable.query : variable.query.query] : [],
    ),
  ];

  it("every query reads only metrics the operator exports or the Temporal SDK's temporal_*", () => {
    const used = queries().flatMap(metricNames);
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !isExportedMetric(name))).toEqual([]);
  });

  it('shows every metric the operator exports', () => {
    const shown = new Set(
      queries()
        .flatMap(metricNames)
        .flatMap((name) => operatorMetricOf(name) ?? []),
    );
    expect(OPERATOR_METRIC_BASES.filter((base) => !shown.has(base))).toEqual([]);
  });

  it('every panel that is not a row has a query', () => {
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
  });
});
