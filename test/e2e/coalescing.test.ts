// Edits that arrive during a redeploy are merged (the newest generation wins, at most one redeploy
// runs at a time), and the watcher can die, miss changes and double up without harm. The sessions run
// Flink's own JobManagers (stack/flink-kubelet.ts), so Ready means the new JobManager's REST answered.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { killGroup } from '../../stack/processes.ts';
import { withOperator } from '../support/operator-harness.ts';
import { untagged } from '../support/sessions.ts';
import { eventually, uniqueName } from '../support/stack.ts';

describe('coalescing and watcher failures', () => {
  const namespace = uniqueName('coalesce');
  const env = withOperator({ namespaces: [namespace], s3Secret: false, operator: { readinessDeadlineSeconds: 240 } });
  const spec: FlinkSessionSpec = {
    image: 'example.invalid/flink:1.20',
    sa: 'flink',
    resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } },
  };

  const launchesOf = (name: string): string[] => env.kubelet.runs.filter((r) => r.job.startsWith(`${name}-launch-`)).map((r) => untagged(r.job));
  /** Ready, and the session's one JobManager process answers Flink's REST. */
  const waitReady = async (name: string, generation: number) => {
    const { ready, flinkVersion } = await env.waitServing(name, generation);
    expect(flinkVersion).toMatch(/^1\.20\./);
    return ready;
  };
  const shippedSlots = async (name: string): Promise<number> => {
    const flinkConfig = await env.core.readNamespacedConfigMap({ name: `flink-config-${name}`, namespace });
    const file = flinkConfig.data?.['config.yaml'] ?? '';
    return Number((parse(file) as { taskmanager: { numberOfTaskSlots: string } }).taskmanager.numberOfTaskSlots);
  };

  it('ten edits in one second cause at most two redeploys, and the last edit wins', async () => {
    const name = 'burst';
    await env.sessions.create(name, spec);
    await waitReady(name, 1);
    await eventually('the first launch to be recorded', async () => (launchesOf(name).length === 1 ? true : undefined));
    for (let slots = 2; slots <= 11; slots++) await env.sessions.patch(name, { spec: { numberOfTaskSlots: slots } });
    const final = await waitReady(name, 11);
    expect(final.status?.observedGeneration).toBe(11);
    await eventually('the last launch to be recorded', async () => (launchesOf(name).some((job) => job.startsWith(`${name}-launch-g11-`)) ? true : undefined));
    const redeploys = launchesOf(name).length - 1;
    expect(redeploys).toBeGreaterThanOrEqual(1);
    expect(redeploys).toBeLessThanOrEqual(2);
    expect(await eventually('Flink config of the last edit', async () => ((await shippedSlots(name)) === 11 ? 11 : undefined))).toBe(11);
  }, 600_000);

  it('a watcher killed with SIGKILL misses nothing: 20 creates, edits and deletes while it is down all converge', async () => {
    killGroup(env.operator.watcher.pid, 'SIGKILL');
    await env.operator.watcher.exited;
    const names = Array.from({ length: 8 }, (_, i) => `down-${i}`);
    // While no watcher runs: 8 creates, 8 edits, and 4 of them deleted again = 20 changes.
    for (const name of names) await env.sessions.create(name, spec);
    for (const name of names) await env.sessions.patch(name, { spec: { numberOfTaskSlots: 3 } });
    for (const name of names.slice(0, 4)) await env.sessions.remove(name);
    await env.operator.startWatcher();
    // The 4 left start at once: one launch each, of the edited generation, and one JobManager each.
    for (const name of names.slice(4)) await waitReady(name, 2);
    for (const name of names.slice(0, 4)) {
      await eventually(`${name} to be gone`, async () => ((await env.sessions.read(name)) === undefined ? true : undefined), 120_000);
    }
    for (const name of names.slice(4)) {
      expect(await eventually(`${name}'s Flink config`, async () => ((await shippedSlots(name)) === 3 ? 3 : undefined))).toBe(3);
      await eventually(`${name}'s launch to be recorded`, async () => (launchesOf(name).length > 0 ? true : undefined));
      expect(launchesOf(name)).toEqual([`${name}-launch-g2-0`]);
    }
    expect(names.slice(0, 4).flatMap(launchesOf)).toEqual([]);
    // Their JobManagers are not needed by the cases after this one.
    for (const name of names.slice(4)) await env.sessions.remove(name);
    for (const name of names.slice(4)) {
      await eventually(`${name} to be gone`, async () => ((await env.sessions.read(name)) === undefined ? true : undefined), 120_000);
    }
  }, 600_000);

  it('two watchers at once give the same result as one', async () => {
    // startWatcher makes the new process env.operator.watcher: keep the first one to stop both at the end.
    const first = env.operator.watcher;
    const second = await env.operator.startWatcher();
    try {
      const name = 'twice';
      await env.sessions.create(name, spec);
      await waitReady(name, 1);
      await env.sessions.patch(name, { spec: { numberOfTaskSlots: 4 } });
      await waitReady(name, 2);
      await eventually('two launches to be recorded', async () => (launchesOf(name).length === 2 ? true : undefined));
      expect(launchesOf(name)).toEqual([`${name}-launch-g1-0`, `${name}-launch-g2-0`]);
      const session = await env.sessions.read(name);
      expect(session?.metadata.finalizers).toEqual(['flink.session-operator.io/finalizer']);
    } finally {
      env.operator.watcher = first;
      await second.stop();
    }
  }, 300_000);

  it("a JobManager Deployment deleted behind the operator's back is reported and redeployed", async () => {
    const name = 'drifty';
    await env.sessions.create(name, spec);
    await waitReady(name, 1);
    await eventually('the first launch to be recorded', async () => (launchesOf(name).length === 1 ? true : undefined));
    await env.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' });
    await eventually('the drift to be reported', async () => ((await env.sessions.eventReasons(name)).includes('JobManagerMissing') ? true : undefined));
    await eventually('a new launch of generation 1', async () => (launchesOf(name).includes(`${name}-launch-g1-1`) ? true : undefined), 120_000);
    const ready = await waitReady(name, 1);
    expect(ready.status?.conditions?.find((c) => c.type === 'Degraded')?.status).toBe('False');
    const reasons = await env.sessions.eventReasons(name);
    expect(reasons.slice(reasons.indexOf('JobManagerMissing'))).toEqual(['JobManagerMissing', 'Redeploying', 'JobManagerDeleted', 'Launched', 'Ready']);
  }, 300_000);
});
