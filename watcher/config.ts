// The watcher's configuration, read from the environment once, at the entry point (cli/operator.ts), and
// checked here so a mistake is reported by the variable's name before anything connects.
import { ConfigError } from '../config/errors.ts';
import { readObservabilitySettings, type ObservabilitySettings } from '../config/observability.ts';
import { readTemporalSettings, type TemporalSettings } from '../config/temporal.ts';
import { readWatchNamespaces } from '../config/watch-namespaces.ts';
import { DEFAULT_RELIST_SECONDS, DEFAULT_SIGNAL_CONCURRENCY } from './watcher.ts';

export interface WatcherConfig {
  temporal: TemporalSettings;
  /** Empty: every namespace. */
  namespaces: string[];
  relistSeconds: number;
  /** FlinkSessions handled (finalizer, signal) at once. */
  signalConcurrency: number;
  observability: ObservabilitySettings;
  driftPolicy: DriftPolicy;
}

const DRIFT_POLICIES = ['redeploy', 'report'] as const;
export type DriftPolicy = (typeof DRIFT_POLICIES)[number];

export { ConfigError };

/** More in flight only queues inside the Temporal client and the API server. */
const MAX_SIGNAL_CONCURRENCY = 1_000;

export function readConfig(env: Record<string, string | undefined>): WatcherConfig {
  const problems: string[] = [];
  const value = (name: string, fallback: string): string => {
    const text = env[name]?.trim();
    return text ? text : fallback;
  };

  const temporal = readTemporalSettings(env, problems);

  const namespaces = readWatchNamespaces(env, problems);

  const relistText = value('FSO_RELIST_SECONDS', String(DEFAULT_RELIST_SECONDS));
  const relistSeconds = Number(relistText);
  if (!Number.isInteger(relistSeconds) || relistSeconds < 10) {
    problems.push(`FSO_RELIST_SECONDS must be a whole number of seconds, at least 10, not "${relistText}"`);
  }

  const concurrencyText = value('FSO_SIGNAL_CONCURRENCY', String(DEFAULT_SIGNAL_CONCURRENCY));
  const signalConcurrency = Number(concurrencyText);
  if (!Number.isInteger(signalConcurrency) || signalConcurrency < 1 || signalConcurrency > MAX_SIGNAL_CONCURRENCY) {
    problems.push(`FSO_SIGNAL_CONCURRENCY must be a whole number from 1 to ${MAX_SIGNAL_CONCURRENCY}, not "${concurrencyText}"`);
  }

  const observability = readObservabilitySettings(env, problems);

  const driftPolicy = value('FSO_DRIFT_POLICY', 'redeploy');
  if (!(DRIFT_POLICIES as readonly string[]).includes(driftPolicy)) {
    problems.push(`FSO_DRIFT_POLICY must be redeploy or report, not "${driftPolicy}"`);
  }

  if (problems.length > 0) throw new ConfigError(problems, 'watcher configuration');
  return {
    temporal,
    namespaces,
    relistSeconds,
    signalConcurrency,
    observability,
    driftPolicy: driftPolicy as DriftPolicy,
  };
}
