// The watcher's Prometheus metrics (prom-client): signals sent and informer restarts.
import { Counter, Gauge, type Registry } from 'prom-client';
import { WATCHER_METRICS } from './metric-names.ts';

export type SignalName = 'specChanged' | 'delete' | 'jobManagerMissing';
export type WatchedResource = 'flinksessions' | 'jobmanager-deployments';

export interface WatcherMetrics {
  signalSent(signal: SignalName, outcome: 'ok' | 'error'): void;
  watchRestarted(resource: WatchedResource): void;
  sessionsWatched(count: () => number): void;
}

export const NO_WATCHER_METRICS: WatcherMetrics = { signalSent: () => {}, watchRestarted: () => {}, sessionsWatched: () => {} };

export function createWatcherMetrics(registry: Registry): WatcherMetrics {
  const signals = new Counter({ name: WATCHER_METRICS.signalsSent.name, help: WATCHER_METRICS.signalsSent.description, labelNames: ['signal', 'outcome'], registers: [registry] });
  const restarts = new Counter({ name: WATCHER_METRICS.watchRestarts.name, help: WATCHER_METRICS.watchRestarts.description, labelNames: ['resource'], registers: [registry] });
  const counters: Array<() => number> = [];
  new Gauge({
    name: WATCHER_METRICS.sessionsWatched.name,
    help: WATCHER_METRICS.sessionsWatched.description,
    registers: [registry],
    collect() {
      this.set(counters.reduce((sum, count) => sum + count(), 0));
    },
  });
  return {
    signalSent: (signal, outcome) => signals.inc({ signal, outcome }),
    watchRestarted: (resource) => restarts.inc({ resource }),
    sessionsWatched: (count) => void counters.push(count),
  };
}
