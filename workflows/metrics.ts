// The workflow's own metrics: outcomes of (re)deploys and what autoClean removed. The SDK's workflow
// meter records nothing while a history replays, so a replay re-counts nothing (a workflow task re-run
// on another worker after a crash can count again: the counts are at least once).
import { metricMeter } from '@temporalio/workflow';
import { WORKFLOW_METRICS } from '../observability/metric-names.ts';

export type DeployKind = 'deploy' | 'redeploy';
export type DeployOutcome = 'ready' | 'failed' | 'refused';

// Created on use: the workflow meter exists only inside a running workflow, not at module load.
const counter = (metric: { name: string; description: string }, unit?: string) => metricMeter.createCounter(metric.name, unit, metric.description);

/** `startedAt`: workflow time (Date.now() in a workflow is deterministic) when the deploy began. */
export function countDeploy(kind: DeployKind, outcome: DeployOutcome, startedAt: number): void {
  counter(WORKFLOW_METRICS.redeploys).add(1, { kind, outcome });
  metricMeter
    .createHistogram(WORKFLOW_METRICS.redeployDuration.name, 'float', 's', WORKFLOW_METRICS.redeployDuration.description)
    .record((Date.now() - startedAt) / 1000, { kind, outcome });
}

export function countS3Purge(purged: { versions: number; deleteMarkers: number; bytes: number }): void {
  counter(WORKFLOW_METRICS.s3ObjectsDeleted).add(purged.versions + purged.deleteMarkers);
  counter(WORKFLOW_METRICS.s3BytesDeleted, 'By').add(purged.bytes);
}

export const countZnodesDeleted = (znodes: number): void => counter(WORKFLOW_METRICS.znodesDeleted).add(znodes);
export const countHaConfigMapsDeleted = (configMaps: number): void => counter(WORKFLOW_METRICS.haConfigMapsDeleted).add(configMaps);
