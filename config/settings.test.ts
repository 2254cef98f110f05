import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readConfig as readWatcherConfig } from '../watcher/config.ts';
import { readWorkerConfig } from '../worker/config.ts';
import { readObservabilitySettings } from './observability.ts';
import { SETTINGS, settingsFor, withFlags } from './settings.ts';

/** Rows of the README's configuration table: variable → the rest of the row. */
function readmeConfigurationTable(): Map<string, string[]> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const rows = section
    .slice(0, section.indexOf('\n## ', 3))
    .split('\n')
    .filter((line) => /^\| `[A-Z_]+`/.test(line));
  return new Map(
    rows.map((row) => {
      const cells = row
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim());
      return [cells[0]!.replaceAll('`', ''), cells.slice(1)];
    }),
  );
}

describe('settings', () => {
  it('the README documents every setting, with its flag, readers and default, and nothing else', () => {
    const table = readmeConfigurationTable();
    expect([...table.keys()]).toEqual(SETTINGS.map((s) => s.env));
    for (const setting of SETTINGS) {
      const [flag, roles, fallback] = table.get(setting.env)!;
      expect(flag, setting.env).toBe(setting.flag ? `\`--${setting.flag}\`` : '—');
      expect(roles, setting.env).toBe(setting.roles.join(', '));
      expect(fallback, setting.env).toBe(setting.default);
    }
  });

  it('states the defaults the readers really use', () => {
    const watcher = readWatcherConfig({});
    const worker = readWorkerConfig({});
    const used: Record<string, string | number> = {
      TEMPORAL_ADDRESS: worker.temporal.address,
      TEMPORAL_NAMESPACE: worker.temporal.namespace,
      TEMPORAL_TASK_QUEUE: watcher.temporal.taskQueue,
      FSO_RELIST_SECONDS: watcher.relistSeconds,
      FSO_SIGNAL_CONCURRENCY: watcher.signalConcurrency,
      FSO_DRIFT_POLICY: watcher.driftPolicy,
      FSO_READINESS_DEADLINE_SECONDS: worker.readinessDeadlineSeconds,
      FSO_CLUSTER_GONE_DEADLINE_SECONDS: worker.clusterGoneDeadlineSeconds,
      FSO_CLEANUP_DEADLINE_SECONDS: worker.cleanupDeadlineSeconds,
      FSO_POLL_INTERVAL_MS: worker.pollIntervalMs,
      FSO_JAR_MAX_BYTES: worker.jarMaxBytes,
      FSO_JOB_DEADLINE_SECONDS: worker.jobDeadlineSeconds,
      FSO_JOB_WATCH_SECONDS: worker.jobWatchSeconds,
      FSO_MAX_CONCURRENT_ACTIVITIES: worker.slots.activities,
      FSO_MAX_CONCURRENT_LOCAL_ACTIVITIES: worker.slots.localActivities,
      FSO_MAX_CONCURRENT_WORKFLOW_TASKS: worker.slots.workflowTasks,
      FSO_REST_EXPOSED_TYPE: worker.launchJob.restExposedType,
      FSO_METRICS_PORT: worker.observability.metricsPort,
      FSO_LOG_LEVEL: watcher.observability.logLevel,
    };
    for (const [env, value] of Object.entries(used)) expect(SETTINGS.find((s) => s.env === env)?.default, env).toBe(String(value));
  });

  it('names every variable and flag once; secrets have no flag', () => {
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
    const flags = SETTINGS.flatMap((s) => (s.flag ? [s.flag] : []));
    expect(new Set(flags).size).toBe(flags.length);
    expect(SETTINGS.find((s) => s.env === 'TEMPORAL_API_KEY')?.flag).toBeUndefined();
  });

  it('lays the flags given over the environment, and only those', () => {
    const env = withFlags(
      { TEMPORAL_ADDRESS: 'env:7233', FSO_LOG_LEVEL: 'warn', OTHER: 'x' },
      { 'temporal-address': 'flag:7233', 'log-level': undefined, unknown: 'y' },
    );
    expect(env).toEqual({ TEMPORAL_ADDRESS: 'flag:7233', FSO_LOG_LEVEL: 'warn', OTHER: 'x' });
  });

  it('gives the one-shot commands only the Temporal and Kubernetes settings', () => {
    expect(settingsFor(['client']).map((s) => s.env)).toEqual([
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_KEY',
      'TEMPORAL_TLS_CA',
      'TEMPORAL_API_KEY',
      'TEMPORAL_UI_URL',
      'KUBECONFIG',
    ]);
  });
});

describe('readObservabilitySettings', () => {
  it.each<[Record<string, string>, object | string]>([
    [{}, { logLevel: 'info', metricsPort: 9464 }],
    [
      { FSO_LOG_LEVEL: 'debug', FSO_METRICS_PORT: '0' },
      { logLevel: 'debug', metricsPort: 0 },
    ],
    [{ FSO_LOG_LEVEL: 'verbose' }, 'FSO_LOG_LEVEL must be one of debug, info, warn, error, not "verbose"'],
    [{ FSO_METRICS_PORT: '70000' }, 'FSO_METRICS_PORT must be a port number 1-65535 (0 turns /metrics, /healthz and /readyz off), not "70000"'],
    [{ FSO_METRICS_PORT: 'http' }, 'FSO_METRICS_PORT must be a port number'],
  ])('%o → %o', (env, expected) => {
    const problems: string[] = [];
    const settings = readObservabilitySettings(env, problems);
    if (typeof expected === 'string') expect(problems.join('\n')).toContain(expected);
    else expect({ settings, problems }).toEqual({ settings: expected, problems: [] });
  });
});
