// The watcher's Prometheus metrics (prom-client): signals sent, informer restarts, the sessions in its
// caches and their conditions (read from the caches at each scrape).
import { Counter, Gauge, type Registry } from 'prom-client';
import { WATCHER_METRICS } from './metric-names.ts';
import { sessionConditionSamples, type SessionConditionsView } from './session-conditions.ts';

export type SignalName = 'specChanged' | 'delete' | 'jobManagerMissing' | 'redeploy' | 'approve';
export type WatchedResource = 'flinksessions' | 'flinksessionjobs' | 'jobmanager-deployments';

export interface WatcherMetrics {
  signalSent(signal: SignalName, outcome: 'ok' | 'error'): void;
  watchRestarted(resource: WatchedResource): void;
  /** What the informer caches hold now, read at each scrape. */
  sessionsWatched(sessions: () => readonly SessionConditionsView[]): void;
}

export const NO_WATCHER_METRICS: WatcherMetrics = { signalSent: () => {}, watchRestarted: () => {}, sessionsWatched: () => {} };

export function createWatcherMetrics(registry: Registry): WatcherMetrics {
  const signals = new Counter({
    name: WATCHER_METRICS.signalsSent.name,
    help: WATCHER_METRICS.signalsSent.description,
    labelNames: ['signal', 'outcome'],
    registers: [registry],
  });
  const restarts = new Counter({
    name: WATCHER_METRICS.watchRestarts.name,
    help: WATCHER_METRICS.watchRestarts.description,
    labelNames: ['resource'],
    registers: [registry],
  });
  const sources: Array<() => readonly SessionConditionsView[]> = [];
  const cached = (): SessionConditionsView[] => sources.flatMap((source) => source());
  new Gauge({
    name: WATCHER_METRICS.sessionsWatched.name,
    help: WATCHER_METRICS.sessionsWatched.description,
    registers: [registry],
    collect() {
      this.set(cached().length);
    },
  });
  new Gauge({
    name: WATCHER_METRICS.sessionCondition.name,
    help: WATCHER_METRICS.sessionCondition.description,
    labelNames: ['namespace', 'name', 'condition'],
    registers: [registry],
    collect() {
      // A deleted session's series goes with it.
      this.reset();
      for (const { labels, value } of sessionConditionSamples(cached())) this.set(labels, value);
    },
  });
  return {
    signalSent: (signal, outcome) => signals.inc({ signal, outcome }),
    watchRestarted: (resource) => restarts.inc({ resource }),
    sessionsWatched: (sessions) => void sources.push(sessions),
  };
}
