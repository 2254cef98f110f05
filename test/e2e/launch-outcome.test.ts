// A launch ends as Flink's client ended: a FlinkSession as a new user writes it (only spec.image)
// launches with the configuration the image ships, and a session whose client fails is LaunchFailed
// at once, with the client's own error, instead of waiting out the readiness deadline.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestStandIn, type FlinkRestStandIn } from '../../stack/flink-rest.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

describe("a launch Job ends as Flink's client ended", () => {
  const namespace = uniqueName('outcome');
  let kc: k8s.KubeConfig;
  let rest: FlinkRestStandIn;
  let kubelet: LaunchKubelet;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;

  beforeAll(async () => {
    const stack = stackEndpoints();
    kc = kubeConfig();
    await installFlinkSessionCrd(kc);
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    rest = await startFlinkRestStandIn(kc);
    kubelet = startLaunchKubelet(kc, stack, namespace);
    // A deadline far beyond the test's waits: a failed launch must not need it to be reported.
    operator = await startOperator({ stack, namespace, taskQueue: uniqueName('fso'), restUrlTemplate: rest.urlTemplate, readinessDeadlineSeconds: 900 });
    sessions = sessionApi(kc, namespace);
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await rest?.close();
  });

  it("a FlinkSession with only spec.image launches with the image's config.yaml and becomes Ready", async () => {
    await sessions.create('minimal', { image: 'example.invalid/flink:1.20' });
    const ready = await sessions.waitReady('minimal', 1, 240_000);
    expect(ready.status?.phase).toBe('Running');
    // The client exits a moment after the cluster it created serves.
    const run = await eventually('the launch run to be recorded', async () => kubelet.runs.find((r) => r.job.startsWith('minimal-launch-')));
    expect(run.exitCode).toBe(0);
    await eventually('the launch Job to be Complete', async () => {
      const job = await kc.makeApiClient(k8s.BatchV1Api).readNamespacedJob({ namespace, name: run.job });
      return job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? true : undefined;
    });
  }, 300_000);

  it("a client that fails makes the launch Job fail, and the session LaunchFailed with the client's error", async () => {
    // The user's own config.yaml replaces the image's; this one leaves out the memory sizes.
    await sessions.create('no-memory', { image: 'example.invalid/flink:1.20', config: { 'flink-conf.yaml': 'parallelism.default: 2\n' } });
    const failed = await eventually(
      'no-memory to be LaunchFailed',
      async () => {
        const session = await sessions.read('no-memory');
        return session?.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True' && c.reason === 'LaunchFailed') ? session : undefined;
      },
      300_000,
    );
    expect(failed.status?.phase).toBe('Failed');
    // The root cause, from the tail of the client's output (the launch pod's termination message).
    expect(failed.status?.lastError).toContain("Flink's client said: org.apache.flink.configuration.IllegalConfigurationException");
    expect(failed.status?.lastError).toContain('jobmanager.memory.process.size');
    const job = (await kc.makeApiClient(k8s.BatchV1Api).listNamespacedJob({ namespace })).items.find((j) => j.metadata?.name?.startsWith('no-memory-launch-'));
    expect(job?.status?.conditions?.find((c) => c.type === 'Failed')?.status).toBe('True');
    expect(kubelet.runs.filter((r) => r.job === job?.metadata?.name).every((r) => r.exitCode === 1)).toBe(true);
    expect(await sessions.eventReasons('no-memory')).toContain('LaunchFailed');
  }, 360_000);
});
