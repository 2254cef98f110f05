import { describe, expect, it } from 'vitest';
import { isHostPort } from '../config/temporal.ts';
import { ConfigError, readConfig } from './config.ts';

describe('readConfig', () => {
  it('has defaults for everything', () => {
    expect(readConfig({})).toEqual({
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'flink-session-operator' },
      namespaces: [],
      relistSeconds: 300,
      signalConcurrency: 32,
      observability: { logLevel: 'info', metricsPort: 9464 },
      driftPolicy: 'redeploy',
    });
  });

  it('reads every variable', () => {
    expect(
      readConfig({
        TEMPORAL_ADDRESS: 'temporal-frontend.temporal:7233',
        TEMPORAL_NAMESPACE: 'flink',
        TEMPORAL_TASK_QUEUE: 'fso-test',
        FSO_WATCH_NAMESPACES: ' team-a, team-b ,,team-a',
        FSO_RELIST_SECONDS: '60',
        FSO_SIGNAL_CONCURRENCY: '8',
        FSO_LOG_LEVEL: 'debug',
        FSO_DRIFT_POLICY: 'report',
      }),
    ).toEqual({
      temporal: { address: 'temporal-frontend.temporal:7233', namespace: 'flink', taskQueue: 'fso-test' },
      namespaces: ['team-a', 'team-b'],
      relistSeconds: 60,
      signalConcurrency: 8,
      observability: { logLevel: 'debug', metricsPort: 9464 },
      driftPolicy: 'report',
    });
  });

  it.each<[string, Record<string, string>, string]>([
    ['address without port', { TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS must be host:port, e.g. temporal-frontend.temporal:7233 (got "localhost")'],
    ['address with a scheme', { TEMPORAL_ADDRESS: 'http://localhost:7233' }, 'TEMPORAL_ADDRESS must be host:port'],
    ['port out of range', { TEMPORAL_ADDRESS: 'localhost:70000' }, 'TEMPORAL_ADDRESS must be host:port'],
    ['upper-case namespace', { FSO_WATCH_NAMESPACES: 'Team-A' }, 'FSO_WATCH_NAMESPACES: namespace "Team-A" is not a DNS-1123 label'],
    ['namespace with a slash', { FSO_WATCH_NAMESPACES: 'a/b' }, 'FSO_WATCH_NAMESPACES: namespace "a/b" is not a DNS-1123 label'],
    ['relist not a number', { FSO_RELIST_SECONDS: '5m' }, 'FSO_RELIST_SECONDS must be a whole number of seconds, at least 10, not "5m"'],
    ['relist too short', { FSO_RELIST_SECONDS: '1' }, 'FSO_RELIST_SECONDS must be a whole number'],
    ['signal concurrency of 0', { FSO_SIGNAL_CONCURRENCY: '0' }, 'FSO_SIGNAL_CONCURRENCY must be a whole number from 1 to 1000, not "0"'],
    ['signal concurrency not a number', { FSO_SIGNAL_CONCURRENCY: 'many' }, 'FSO_SIGNAL_CONCURRENCY must be a whole number from 1 to 1000, not "many"'],
    ['signal concurrency too high', { FSO_SIGNAL_CONCURRENCY: '5000' }, 'FSO_SIGNAL_CONCURRENCY must be a whole number from 1 to 1000'],
    ['unknown drift policy', { FSO_DRIFT_POLICY: 'ignore' }, 'FSO_DRIFT_POLICY must be redeploy or report, not "ignore"'],
    ['unknown log level', { FSO_LOG_LEVEL: 'verbose' }, 'FSO_LOG_LEVEL must be one of debug, info, warn, error, not "verbose"'],
  ])('refuses %s', (_name, env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('reports every problem at once', () => {
    try {
      readConfig({ TEMPORAL_ADDRESS: 'x', FSO_LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error: unknown) {
      expect(error instanceof ConfigError ? error.problems : []).toHaveLength(2);
    }
  });
});

describe('isHostPort', () => {
  it.each<[string, boolean]>([
    ['127.0.0.1:7233', true],
    ['temporal:7233', true],
    ['temporal-frontend.temporal.svc.cluster.local:7233', true],
    ['[::1]:7233', true],
    ['temporal', false],
    [':7233', false],
    ['temporal:', false],
    ['temporal:0', false],
    ['temporal:65536', false],
    ['dns:///temporal:7233', false],
    ['temporal :7233', false],
  ])('%s → %s', (value, expected) => {
    expect(isHostPort(value)).toBe(expected);
  });
});
