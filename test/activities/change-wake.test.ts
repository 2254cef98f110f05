// The waits look again when the API server reports a change, not after their poll interval: on the
// real API server, with a poll interval (60 s) far longer than the tests may take, pods held by a
// finalizer that the test removes a moment after the wait began.
import * as k8s from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJobManagerActivities } from '../../activities/jobmanager.ts';
import { createLaunchActivities } from '../../activities/launch.ts';
import { namespacedPath, watchForChanges } from '../../kube/change-wake.ts';
import { DEFAULT_LAUNCH_JOB_SETTINGS } from '../../model/launch-job.ts';
import { FLINK_LABEL_APP, FLINK_LABEL_TYPE, FLINK_TYPE_NATIVE, JOB_NAME_LABEL, LABEL_MANAGED_BY, LABEL_SESSION, OPERATOR_NAME } from '../../model/names.ts';
import { DEFAULT_SESSION_POLICY } from '../../model/session-policy.ts';
import { kubeConfig, uniqueName } from '../support/stack.ts';

const POLL_INTERVAL_MS = 60_000;
const HOLD = 'test.flink-session-operator/hold';

describe('waits that wake on watch events', () => {
  const namespace = uniqueName('wake');
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    kc = kubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  /** A pod no node runs, held by a finalizer until `release` (deleted with no grace period, it then goes at once). */
  async function heldPod(name: string, labels: Record<string, string>): Promise<void> {
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name, labels, finalizers: [HOLD] }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'example.invalid/x' }] } },
    });
  }
  async function release(name: string): Promise<void> {
    await core.patchNamespacedPod(
      { name, namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
  }
  const pods = namespacedPath('v1', 'pods', namespace);

  /** Runs a wait, and releases `pod` once the wait has seen it (its first heartbeat names what is left). */
  async function releasedOnFirstWait<T>(pod: string, run: (env: MockActivityEnvironment) => Promise<T>): Promise<T> {
    // Scheduled now: the waits' deadlines count from the first attempt's scheduled time.
    const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now() });
    env.once('heartbeat', (details: unknown) => {
      expect(details).toEqual({ left: [expect.stringContaining(pod)] });
      setTimeout(() => void release(pod), 200);
    });
    return run(env);
  }

  it('next() ends at the change it listens for, at once for one seen before it, and after maxMs without one', async () => {
    await heldPod('one', { wake: 'one' });
    const wake = watchForChanges(kc, [{ path: pods, labelSelector: 'wake=one', wakeOn: ['DELETED'] }]);
    try {
      await wake.opened;
      // The watch opened with an ADDED event for the pod already there: not a change this wait listens for.
      let started = Date.now();
      await wake.next(400);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);

      await core.deleteNamespacedPod({ name: 'one', namespace, gracePeriodSeconds: 0 });
      await release('one');
      started = Date.now();
      await wake.next(POLL_INTERVAL_MS);
      expect(Date.now() - started).toBeLessThan(POLL_INTERVAL_MS / 2);
      // Consumed: the next call waits for another change.
      started = Date.now();
      await wake.next(300);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      wake.close();
    }
  });

  it('close() ends a pending next(); a watch the API server refuses is told, and leaves the interval', async () => {
    const refusals: string[] = [];
    const path = namespacedPath('v1', 'no-such-resources', namespace);
    const wake = watchForChanges(kc, [{ path, wakeOn: ['DELETED'] }], (refusedPath, answer) => refusals.push(`${refusedPath}: ${answer}`));
    await wake.opened;
    expect(refusals).toEqual([`${path}: Not Found (HTTP 404)`]);
    let started = Date.now();
    await wake.next(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    started = Date.now();
    const pending = wake.next(POLL_INTERVAL_MS);
    setTimeout(() => wake.close(), 100);
    await pending;
    expect(Date.now() - started).toBeLessThan(POLL_INTERVAL_MS / 2);
  });

  it('removeLaunchJobs returns as the removed Job pods go, not a poll interval later', async () => {
    const session = 'launched';
    const jobName = `${session}-launch-g1`;
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    await batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: jobName, labels: { [LABEL_MANAGED_BY]: OPERATOR_NAME, [LABEL_SESSION]: session } },
        spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'example.invalid/x' }] } } },
      },
    });
    await heldPod(`${jobName}-pod`, { [JOB_NAME_LABEL]: jobName });
    const { removeLaunchJobs } = createLaunchActivities({
      kubeConfig: kc,
      launchJobSettings: DEFAULT_LAUNCH_JOB_SETTINGS,
      policy: DEFAULT_SESSION_POLICY,
      pollIntervalMs: POLL_INTERVAL_MS,
    });
    await core.deleteNamespacedPod({ name: `${jobName}-pod`, namespace, gracePeriodSeconds: 0 });
    const started = Date.now();
    const removing = releasedOnFirstWait(`${jobName}-pod`, (env) => env.run(removeLaunchJobs, { ref: { namespace, name: session, uid: 'u', generation: 1 } }));
    await expect(removing).resolves.toEqual({ removed: [jobName] });
    expect(Date.now() - started).toBeLessThan(POLL_INTERVAL_MS / 2);
  });

  it('waitForFlinkClusterGone returns as the last pod goes, not a poll interval later', async () => {
    const session = 'old';
    await heldPod('old-taskmanager-1-1', { [FLINK_LABEL_APP]: session, [FLINK_LABEL_TYPE]: FLINK_TYPE_NATIVE });
    await core.deleteNamespacedPod({ name: 'old-taskmanager-1-1', namespace, gracePeriodSeconds: 0 });
    const { waitForFlinkClusterGone } = createJobManagerActivities({
      kubeConfig: kc,
      pollIntervalMs: POLL_INTERVAL_MS,
      readinessDeadlineSeconds: 600,
      clusterGoneDeadlineSeconds: 600,
    });
    const started = Date.now();
    const waiting = releasedOnFirstWait('old-taskmanager-1-1', (env) =>
      env.run(waitForFlinkClusterGone, { namespace, name: session, uid: 'u', generation: 1 }),
    );
    await expect(waiting).resolves.toMatchObject({ waitedMs: expect.any(Number) });
    expect(Date.now() - started).toBeLessThan(POLL_INTERVAL_MS / 2);
  });
});
