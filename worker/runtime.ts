// The Temporal SDK's process-wide runtime for the worker: its log lines go to the operator's JSON
// logger, and its metrics (the SDK's `temporal_*` worker metrics and the workflow's and activities'
// own, see observability/metric-names.ts) to a Prometheus exporter on a loopback port, which the
// operator's /metrics serves together with its other metrics. Install once, before any connection.
import { Runtime } from '@temporalio/worker';
import { DURATION_BUCKETS_SECONDS, STEP_DURATION, WORKFLOW_METRICS } from '../observability/metric-names.ts';
import { temporalLogger, type Logger } from '../observability/logger.ts';
import { freePort } from '../net/ports.ts';

export interface WorkerRuntime {
  /** The SDK exporter's Prometheus text. */
  metrics(): Promise<string>;
}

export async function installWorkerRuntime(logger: Logger): Promise<WorkerRuntime> {
  const port = await freePort();
  Runtime.install({
    logger: temporalLogger(logger),
    // The operator stops the worker itself on SIGINT/SIGTERM (cli/signals.ts), also during start-up.
    shutdownSignals: [],
    telemetryOptions: {
      logging: { forward: {}, filter: { core: logger.level === 'debug' ? 'DEBUG' : 'WARN', other: 'ERROR' } },
      metrics: {
        prometheus: {
          bindAddress: `127.0.0.1:${port}`,
          countersTotalSuffix: true,
          useSecondsForDurations: true,
          histogramBucketOverrides: {
            [STEP_DURATION.name]: DURATION_BUCKETS_SECONDS,
            [WORKFLOW_METRICS.redeployDuration.name]: DURATION_BUCKETS_SECONDS,
          },
        },
      },
    },
  });
  return {
    async metrics() {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (!response.ok) throw new Error(`the Temporal SDK's metrics exporter answered ${response.status}`);
      return response.text();
    },
  };
}
