// The waits' deadlines count from the first attempt of the step, so neither a retry (a worker that
// died) nor the activity's own 1 h start-to-close timeout restarts them: run on the real API server,
// as the n-th attempt of a step first scheduled longer ago than its deadline.
import * as k8s from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJobManagerActivities } from '../../activities/jobmanager.ts';
import { FLINK_LABEL_APP, FLINK_LABEL_TYPE, FLINK_TYPE_NATIVE } from '../../model/names.ts';
import { kubeConfig, uniqueName } from '../support/stack.ts';

const HOURS_2 = 7_200;

describe('wait deadlines that survive retries', () => {
  const namespace = uniqueName('deadline');
  let kc: k8s.KubeConfig;

  beforeAll(async () => {
    kc = kubeConfig();
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  });

  /** A later attempt of a step first scheduled `agoSeconds` ago. */
  const laterAttempt = (agoSeconds: number) => new MockActivityEnvironment({ attempt: 3, scheduledTimestampMs: Date.now() - agoSeconds * 1000 });
  const activities = () =>
    createJobManagerActivities({ kubeConfig: kc, pollIntervalMs: 200, readinessDeadlineSeconds: HOURS_2, clusterGoneDeadlineSeconds: 600 });

  it(`a readiness deadline above an hour (${HOURS_2} s) ends on the attempt after it passed, not ${HOURS_2} s later`, async () => {
    const { waitForJobManagerReady } = activities();
    const ref = { namespace, name: 'never', uid: 'u', generation: 1 };
    const started = Date.now();
    await expect(laterAttempt(HOURS_2 + 1).run(waitForJobManagerReady, { ref, launchJob: 'never-launch-g1-abc123-0' })).rejects.toMatchObject({
      type: 'ReadinessTimeout',
      nonRetryable: true,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('the wait for the old cluster to go ends at its deadline, naming what is left', async () => {
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'left-tm', labels: { [FLINK_LABEL_APP]: 'stuck', [FLINK_LABEL_TYPE]: FLINK_TYPE_NATIVE } },
        spec: { nodeName: 'gone', containers: [{ name: 'c', image: 'example.invalid/x' }] },
      },
    });
    const { waitForFlinkClusterGone } = activities();
    const ref = { namespace, name: 'stuck', uid: 'u', generation: 1 };
    await expect(laterAttempt(601).run(waitForFlinkClusterGone, ref)).rejects.toMatchObject({
      type: 'ClusterNotGone',
      message: expect.stringContaining('pod/left-tm'),
    });
    // Within the deadline it keeps waiting (and heartbeats): cancelled here after a moment.
    const env = laterAttempt(1);
    const waiting = env.run(waitForFlinkClusterGone, ref);
    setTimeout(() => env.cancel(), 1_000);
    await expect(waiting).rejects.toMatchObject({ name: 'CancelledFailure' });
  });
});
