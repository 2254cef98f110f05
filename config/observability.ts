// Log level and the port of /metrics, /healthz and /readyz: the same for the watcher and the worker.
import { LOG_LEVELS, type LogLevel } from '../observability/logger.ts';
import type { Env } from './temporal.ts';

export interface ObservabilitySettings {
  logLevel: LogLevel;
  /** 0: no HTTP endpoint. */
  metricsPort: number;
}

const DEFAULT_METRICS_PORT = 9464;

export function readObservabilitySettings(env: Env, problems: string[]): ObservabilitySettings {
  const logLevel = env.FSO_LOG_LEVEL?.trim() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`FSO_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }
  const portText = env.FSO_METRICS_PORT?.trim() || String(DEFAULT_METRICS_PORT);
  const metricsPort = Number(portText);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) {
    problems.push(`FSO_METRICS_PORT must be a port number 1-65535 (0 turns /metrics, /healthz and /readyz off), not "${portText}"`);
  }
  return { logLevel: logLevel as LogLevel, metricsPort };
}
