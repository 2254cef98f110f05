// Edits that arrive during a redeploy are merged (the newest generation wins, at most one redeploy
// runs at a time), and the watcher can die, miss changes and double up without harm.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { killGroup } from '../../stack/processes.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestStandIn, type FlinkRestStandIn } from '../../stack/flink-rest.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { sessionApi, untagged } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

describe('coalescing and watcher failures', () => {
  const namespace = uniqueName('coalesce');
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let rest: FlinkRestStandIn;
  let kubelet: LaunchKubelet;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;
  const spec: FlinkSessionSpec = { image: 'example.invalid/flink:1.20', sa: 'flink', resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } } };

  beforeAll(async () => {
    const stack = stackEndpoints();
    kc = kubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
    rest = await startFlinkRestStandIn(kc);
    kubelet = startLaunchKubelet(kc, stack, namespace);
    operator = await startOperator({ stack, namespace, taskQueue: uniqueName('fso'), restUrlTemplate: rest.urlTemplate });
    sessions = sessionApi(kc, namespace);
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await rest?.close();
  });

  const launchesOf = (name: string): string[] => kubelet.runs.filter((r) => r.job.startsWith(`${name}-launch-`)).map((r) => untagged(r.job));
  const shippedSlots = async (name: string): Promise<number> => {
    const flinkConfig = await core.readNamespacedConfigMap({ name: `flink-config-${name}`, namespace });
    const file = flinkConfig.data?.['config.yaml'] ?? '';
    return Number((parse(file) as { taskmanager: { numberOfTaskSlots: string } }).taskmanager.numberOfTaskSlots);
  };

  it('ten edits in one second cause at most two redeploys, and the last edit wins', async () => {
    const name = 'burst';
    await sessions.create(name, spec);
    await sessions.waitReady(name, 1);
    await eventually('the first launch to be recorded', async () => (launchesOf(name).length === 1 ? true : undefined));
    for (let slots = 2; slots <= 11; slots++) await sessions.patch(name, { spec: { numberOfTaskSlots: slots } });
    const final = await sessions.waitReady(name, 11);
    expect(final.status?.observedGeneration).toBe(11);
    await eventually('the last launch to be recorded', async () => (launchesOf(name).some((job) => job.startsWith(`${name}-launch-g11-`)) ? true : undefined));
    const redeploys = launchesOf(name).length - 1;
    expect(redeploys).toBeGreaterThanOrEqual(1);
    expect(redeploys).toBeLessThanOrEqual(2);
    expect(await eventually('Flink config of the last edit', async () => ((await shippedSlots(name)) === 11 ? 11 : undefined))).toBe(11);
  });

  it('a watcher killed with SIGKILL misses nothing: 20 creates, edits and deletes while it is down all converge', async () => {
    killGroup(operator.watcher.pid, 'SIGKILL');
    await operator.watcher.exited;
    const names = Array.from({ length: 8 }, (_, i) => `down-${i}`);
    // While no watcher runs: 8 creates, 8 edits, and 4 of them deleted again = 20 changes.
    for (const name of names) await sessions.create(name, spec);
    for (const name of names) await sessions.patch(name, { spec: { numberOfTaskSlots: 3 } });
    for (const name of names.slice(0, 4)) await sessions.remove(name);
    await operator.startWatcher();
    for (const name of names.slice(4)) await sessions.waitReady(name, 2, 180_000);
    for (const name of names.slice(0, 4)) {
      await eventually(`${name} to be gone`, async () => ((await sessions.read(name)) === undefined ? true : undefined), 120_000);
    }
    for (const name of names.slice(4)) expect(await eventually(`${name}'s Flink config`, async () => ((await shippedSlots(name)) === 3 ? 3 : undefined))).toBe(3);
  });

  it('two watchers at once give the same result as one', async () => {
    // startWatcher makes the new process operator.watcher: keep the first one to stop both at the end.
    const first = operator.watcher;
    const second = await operator.startWatcher();
    try {
      const name = 'twice';
      await sessions.create(name, spec);
      await sessions.waitReady(name, 1);
      await sessions.patch(name, { spec: { numberOfTaskSlots: 4 } });
      await sessions.waitReady(name, 2);
      await eventually('two launches to be recorded', async () => (launchesOf(name).length === 2 ? true : undefined));
      expect(launchesOf(name)).toEqual([`${name}-launch-g1-0`, `${name}-launch-g2-0`]);
      const session = await sessions.read(name);
      expect(session?.metadata.finalizers).toEqual(['flink.session-operator.io/finalizer']);
    } finally {
      operator.watcher = first;
      await second.stop();
    }
  });

  it('a JobManager Deployment deleted behind the operator\'s back is reported and redeployed', async () => {
    const name = 'drifty';
    await sessions.create(name, spec);
    await sessions.waitReady(name, 1);
    await eventually('the first launch to be recorded', async () => (launchesOf(name).length === 1 ? true : undefined));
    await kc.makeApiClient(k8s.AppsV1Api).deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' });
    await eventually('the drift to be reported', async () => ((await sessions.eventReasons(name)).includes('JobManagerMissing') ? true : undefined));
    await eventually('a new launch of generation 1', async () => (launchesOf(name).includes(`${name}-launch-g1-1`) ? true : undefined));
    const ready = await sessions.waitReady(name, 1);
    expect(ready.status?.conditions?.find((c) => c.type === 'Degraded')?.status).toBe('False');
    const reasons = await sessions.eventReasons(name);
    expect(reasons.slice(reasons.indexOf('JobManagerMissing'))).toEqual(['JobManagerMissing', 'Redeploying', 'JobManagerDeleted', 'Launched', 'Ready']);
  });
});
