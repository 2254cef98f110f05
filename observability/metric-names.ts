// Every metric the operator exports, named once. The worker's (workflow and activity) metrics go
// through the Temporal SDK's meter and its Prometheus exporter, next to the SDK's own `temporal_*`
// metrics; counters get Prometheus's `_total` suffix there. The watcher's use prom-client.
// Pure constants: workflow code imports them.

/** Worker side, recorded by the workflow (replay-safe: the SDK records nothing while replaying). */
export const WORKFLOW_METRICS = {
  /** Deploys and redeploys, tagged kind=deploy|redeploy and outcome=ready|failed|refused. */
  redeploys: { name: 'fso_redeploys', description: 'Deploys and redeploys of FlinkSessions by kind and outcome' },
  /** Seconds from the start of a (re)deploy to its outcome, tagged like `redeploys`. */
  redeployDuration: { name: 'fso_redeploy_duration_seconds', description: 'Seconds a deploy or redeploy took, by kind and outcome' },
  s3ObjectsDeleted: { name: 'fso_s3_objects_deleted', description: 'S3 object versions and delete markers removed by autoClean' },
  s3BytesDeleted: { name: 'fso_s3_bytes_deleted', description: 'Bytes of S3 object versions removed by autoClean' },
  znodesDeleted: { name: 'fso_znodes_deleted', description: 'ZooKeeper znodes removed by autoClean' },
  haConfigMapsDeleted: { name: 'fso_ha_configmaps_deleted', description: 'Flink HA ConfigMaps removed by autoClean' },
} as const;

/** Worker side, recorded around every activity (one step of a run), tagged with activityType and outcome. */
export const STEP_DURATION = {
  name: 'fso_step_duration_seconds',
  description: 'Seconds one step (activity attempt) of a session workflow took, by activity and outcome',
} as const;

/** Watcher side (prom-client). */
export const WATCHER_METRICS = {
  signalsSent: { name: 'fso_watcher_signals_sent_total', description: 'Signals the watcher sent to session workflows, by signal and outcome' },
  watchRestarts: { name: 'fso_watcher_watch_restarts_total', description: 'Informer restarts after an error, by resource' },
  sessionsWatched: { name: 'fso_watcher_sessions', description: "FlinkSessions in the watcher's informer caches" },
  /** Per session (namespace, name) and condition (Ready, Progressing, Degraded): 1 when True. */
  sessionCondition: {
    name: 'fso_session_condition',
    description: "FlinkSession conditions in the watcher's caches: 1 when the condition is True, by namespace, name and condition",
  },
} as const;

/** Bucket bounds (seconds) for the duration histograms: steps take from milliseconds to many minutes. */
export const DURATION_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
