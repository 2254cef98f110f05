// All activities of the per-session workflow, built from injected clients (the worker hands in real
// ones; tests hand in clients pointed at the local stack).
import type * as k8s from '@kubernetes/client-node';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LaunchJobSettings } from '../model/launch-job.ts';
import type { SessionPolicy } from '../model/session-policy.ts';
import { createDeployedClusterActivities } from './deployed-cluster.ts';
import { createFlinkJobActivities } from './flink-jobs.ts';
import { createFlinkJobStatusActivities } from './flink-jobs-status.ts';
import { createHaConfigMapActivities } from './ha-configmaps.ts';
import { createJobManagerActivities } from './jobmanager.ts';
import { createLaunchActivities } from './launch.ts';
import { createS3Activities, type S3Target } from './s3.ts';
import { createSessionCheckActivities } from './session-check.ts';
import { createSharedStateActivities } from './shared-state.ts';
import { createSessionStatusActivities } from './session-status.ts';
import { createZooKeeperActivities, type ZooKeeperSession } from './zookeeper.ts';

/** The worker's settings the activities work with, as worker/config.ts reads them (WorkerConfig extends this). */
export interface ActivitySettings {
  readinessDeadlineSeconds: number;
  clusterGoneDeadlineSeconds: number;
  /** How long a delete retries its clean-up before it releases the finalizer anyway. */
  cleanupDeadlineSeconds: number;
  pollIntervalMs: number;
  /** FSO_JAR_MAX_BYTES: the longest FlinkSessionJob jar the worker streams to Flink. */
  jarMaxBytes: number;
  /** FSO_JOB_DEADLINE_SECONDS: how long a job may take to run, or its savepoint to complete. */
  jobDeadlineSeconds: number;
  /** FSO_JOB_WATCH_SECONDS: how often a session's running jobs are asked about. */
  jobWatchSeconds: number;
  restUrlTemplate?: string;
  /** What a FlinkSession may run: FSO_ALLOWED_SERVICE_ACCOUNTS, FSO_ALLOWED_IMAGES, FSO_ALLOW_HOST_PATH. */
  policy: SessionPolicy;
  /** FSO_WATCH_NAMESPACES: the namespaces the worker acts in; a signal naming another is not acted on (empty: all). */
  watchedNamespaces: string[];
}

export interface ActivityDeps extends ActivitySettings {
  kubeConfig: k8s.KubeConfig;
  s3ClientFor: (target: S3Target) => Promise<S3Client>;
  connectZooKeeper: (quorum: string) => Promise<ZooKeeperSession>;
  launchJobSettings: LaunchJobSettings;
  temporalUiUrl?: string;
  temporalNamespace: string;
  instance: string;
}

export function createActivities(deps: ActivityDeps) {
  /** The worker's settings a delete plans with (read at the worker's start, recorded in the run's history). */
  async function deletePolicy(): Promise<{ cleanupDeadlineSeconds: number }> {
    return { cleanupDeadlineSeconds: deps.cleanupDeadlineSeconds };
  }
  return {
    deletePolicy,
    ...createSessionCheckActivities(deps),
    ...createSharedStateActivities(deps),
    ...createLaunchActivities(deps),
    ...createDeployedClusterActivities(deps),
    ...createJobManagerActivities(deps),
    ...createHaConfigMapActivities(deps),
    ...createSessionStatusActivities(deps),
    ...createS3Activities({ s3ClientFor: deps.s3ClientFor }),
    ...createZooKeeperActivities({ connect: deps.connectZooKeeper }),
    ...createFlinkJobActivities({
      s3ClientFor: deps.s3ClientFor,
      jarMaxBytes: deps.jarMaxBytes,
      jobDeadlineSeconds: deps.jobDeadlineSeconds,
      jobWatchSeconds: deps.jobWatchSeconds,
      pollIntervalMs: deps.pollIntervalMs,
      ...(deps.restUrlTemplate ? { restUrlTemplate: deps.restUrlTemplate } : {}),
    }),
    ...createFlinkJobStatusActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
