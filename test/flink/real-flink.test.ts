// The Flink clusters the operator launches run for real: the JobManager pod of the Deployment Flink's
// client created runs Flink's own entrypoint as a local process (stack/flink-kubelet.ts), readiness
// is Flink's REST answering, and deleting the session stops every process the kubelet started for it.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestProxy, type FlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { flattenFlinkConfig } from '../../stack/flink-pod-config.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { clientVersion, highestCount, listJobs, submitJar } from '../../stack/flink-jobs.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

describe.each(['1.20', '2.1'])("a session of Flink %s runs Flink's own processes", (flinkVersion) => {
  const namespace = uniqueName('flink');
  const name = 'counter';
  let kc: k8s.KubeConfig;
  let kubelet: LaunchKubelet;
  let proxy: FlinkRestProxy;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;

  beforeAll(async () => {
    const stack = stackEndpoints();
    kc = kubeConfig();
    await installFlinkSessionCrd(kc);
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    kubelet = startLaunchKubelet(kc, stack, namespace, { flinkPods: 'process' });
    proxy = await startFlinkRestProxy((ns, session) => kubelet.flink!.restUrl(ns, session));
    operator = await startOperator({ stack, namespace, taskQueue: uniqueName('fso'), restUrlTemplate: proxy.urlTemplate, readinessDeadlineSeconds: 240 });
    sessions = sessionApi(kc, namespace);
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await proxy?.close();
  });

  it("create → Ready only once the real JobManager's REST answers", async () => {
    await sessions.create(name, { image: `example.invalid/flink:${flinkVersion}`, flinkVersion });
    const ready = await sessions.waitReady(name, 1, 300_000);
    expect(ready.status?.phase).toBe('Running');
    const jobManagers = kubelet.flink!.running().filter((p) => p.component === 'jobmanager' && p.session === name);
    expect(jobManagers).toHaveLength(1);
    const overview = (await (await fetch(`${proxy.urlTemplate.replace('{namespace}', namespace).replace('{name}', name)}/v1/overview`)).json()) as {
      'flink-version': string;
      taskmanagers: number;
    };
    expect(overview['flink-version']).toMatch(new RegExp(`^${flinkVersion.replace('.', '\\.')}\\.`));
    const pods = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app=${name},component=jobmanager` })).items;
    expect(pods.map((p) => [p.status?.phase, p.status?.podIP])).toEqual([['Running', '127.0.0.1']]);
    // The operator's default JVM option goes beside the Java 17 opens of the image's config.yaml, not over
    // them (the kubelet starts Flink with what the configuration says, as on a cluster).
    const flinkConfig = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedConfigMap({ namespace, name: `flink-config-${name}` });
    const written = flattenFlinkConfig(flinkConfig.data?.['config.yaml'] ?? '');
    expect(written['env.java.default-opts.all']).toBe('-XX:+UseG1GC');
    expect(written['env.java.opts.all']).toContain('--add-opens=java.base/java.util=ALL-UNNAMED');
  }, 360_000);

  it('the sample job asks for a slot: the JobManager creates a TaskManager pod, which runs and registers, and the job counts', async () => {
    const rest = proxy.urlTemplate.replace('{namespace}', namespace).replace('{name}', name);
    const { flink } = stackEndpoints();
    const version = clientVersion(flink, flinkVersion);
    const jobId = await submitJar(flink, version, kubelet.flink!.restUrl(namespace, name)!, flink.sampleJobs[version]!);
    const count = await eventually(
      'the job to count',
      async () => {
        const value = await highestCount(rest, jobId).catch(() => undefined);
        return value !== undefined && value > 0 ? value : undefined;
      },
      240_000,
    );
    expect(count).toBeGreaterThan(0);
    expect((await listJobs(rest)).find((j) => j.jid === jobId)?.state).toBe('RUNNING');
    const overview = (await (await fetch(`${rest}/v1/overview`)).json()) as { taskmanagers: number; 'slots-total': number };
    expect(overview.taskmanagers).toBe(1);
    const taskManagers = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app=${name},component=taskmanager` })).items;
    expect(taskManagers.map((p) => [p.status?.phase, p.status?.conditions?.find((c) => c.type === 'Ready')?.status])).toEqual([['Running', 'True']]);
    expect(kubelet.flink!.running().filter((p) => p.component === 'taskmanager' && p.session === name)).toHaveLength(1);
  }, 300_000);

  it('delete: every process the kubelet started for the session is gone, with the pods', async () => {
    const processes = kubelet.flink!.started.filter((p) => p.session === name);
    await sessions.remove(name);
    await eventually(`${name} to be gone`, async () => ((await sessions.read(name)) === undefined ? true : undefined), 180_000);
    await Promise.all(processes.map((p) => p.process.exited));
    const pods = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app=${name}` });
    expect(pods.items).toEqual([]);
  }, 240_000);
});
