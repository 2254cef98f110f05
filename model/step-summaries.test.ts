import { describe, expect, it } from 'vitest';
import { fitted, STEP_SUMMARIES, SUMMARY_MAX_BYTES } from './step-summaries.ts';

const ref = { namespace: 'shop', name: 'orders', uid: 'u-1', generation: 3 };
const target = { namespace: 'shop', session: 'orders', endPoint: 'http://s3.example:9000', bucket: 'state' };

describe('STEP_SUMMARIES: what the Temporal UI says of each activity call', () => {
  it.each<[string, string, string]>([
    [
      'purge',
      STEP_SUMMARIES.purgeS3Prefixes({ target, prefixes: ['orders/flink/ha/', 'orders/flink/checkpoints/'] }),
      'purge s3://state/orders/flink/ha/ and s3://state/orders/flink/checkpoints/',
    ],
    ['purge, a plan', STEP_SUMMARIES.purgeS3Prefixes({ target, prefixes: ['orders/flink/ha/'], dryRun: true }), 'count s3://state/orders/flink/ha/'],
    [
      'wait for the JobManager',
      STEP_SUMMARIES.waitForJobManagerReady({ ref, launchJob: 'orders-launch-g3-abc123-0' }),
      'wait for JobManager shop/orders to serve (launched by Job orders-launch-g3-abc123-0)',
    ],
    ['adopt: wait, no launch', STEP_SUMMARIES.waitForJobManagerReady({ ref }), 'wait for JobManager shop/orders to serve'],
    [
      'launch',
      STEP_SUMMARIES.submitLaunchJob({ ref, launch: { attempt: 1, tag: 'abc123' } }),
      'submit launch Job shop/orders-launch-g3-abc123-1 (kubernetes-session.sh)',
    ],
    [
      'ZooKeeper',
      STEP_SUMMARIES.clearZooKeeperHa({ quorum: 'zk-0:2181', root: '/flink-prod', ref: { namespace: 'shop', name: 'orders' } }),
      'delete the znodes under /flink-prod/orders on zk-0:2181',
    ],
    [
      'ZooKeeper, default root',
      STEP_SUMMARIES.clearZooKeeperHa({ quorum: 'zk-0:2181', ref: { namespace: 'shop', name: 'orders' } }),
      'delete the znodes under /flink/orders on zk-0:2181',
    ],
    [
      'old launch Jobs',
      STEP_SUMMARIES.removeLaunchJobs({ ref, keep: 'orders-launch-g3-abc123-1' }),
      'remove the launch Jobs of shop/orders but orders-launch-g3-abc123-1',
    ],
    ['all launch Jobs', STEP_SUMMARIES.removeLaunchJobs({ ref }), 'remove the launch Jobs of shop/orders'],
    [
      'status',
      STEP_SUMMARIES.reportStatus({ ref, report: { phase: 'Redeploying', reason: 'WaitingForJobManager' } }),
      'report Redeploying/WaitingForJobManager in the status of shop/orders',
    ],
    ['event', STEP_SUMMARIES.recordEvent({ ref, type: 'Normal', reason: 'Launched' }), 'record a Normal Event Launched on shop/orders'],
    ['delete', STEP_SUMMARIES.deleteJobManagerDeployment(ref), 'delete JobManager Deployment shop/orders'],
  ])('%s', (_case, summary, expected) => {
    expect(summary).toBe(expected);
  });

  it('every summary is one line', () => {
    const calls = [
      STEP_SUMMARIES.deletePolicy(),
      STEP_SUMMARIES.validateSessionSpec({ ref }),
      STEP_SUMMARIES.inspectJobManager({ ref }),
      STEP_SUMMARIES.applySessionFiles({ ref }),
      STEP_SUMMARIES.ensureBucket(target),
      STEP_SUMMARIES.waitForFlinkClusterGone(ref),
      STEP_SUMMARIES.listFlinkCluster(ref),
      STEP_SUMMARIES.clearKubernetesHa({ ref }),
      STEP_SUMMARIES.markJobManagerDeployed({ ref }),
      STEP_SUMMARIES.jobManagerExists(ref),
      STEP_SUMMARIES.releaseFinalizer(ref),
    ];
    for (const summary of calls) expect(summary).toMatch(/^[^\n]+$/);
  });
});

describe("fitted: within Temporal's size limits", () => {
  const bytes = (text: string) => Buffer.byteLength(JSON.stringify(text), 'utf8');

  it('keeps text that fits', () => {
    expect(fitted('purge s3://state/x/', SUMMARY_MAX_BYTES)).toBe('purge s3://state/x/');
  });

  it.each([
    ['ASCII', 'a'.repeat(1_000)],
    ['multi-byte', 'ü€😀'.repeat(200)],
    ['escaped', '"\\'.repeat(300)],
  ])('cuts %s text to fit, with an ellipsis', (_case, text) => {
    const cut = fitted(text, SUMMARY_MAX_BYTES);
    expect(bytes(cut)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(bytes(cut)).toBeGreaterThan(SUMMARY_MAX_BYTES - 8);
    expect(cut.endsWith('…')).toBe(true);
    expect(text.startsWith(cut.slice(0, -1))).toBe(true);
  });
});
