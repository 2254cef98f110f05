// Temporal itself restarts in the middle of a redeploy: the workflow's history is durable (sqlite), the
// worker reconnects, and the redeploy completes with one launch Job for the generation.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from '../../stack/processes.ts';
import { startTemporal, type TemporalPorts } from '../../stack/temporal.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestStandIn, type FlinkRestStandIn } from '../../stack/flink-rest.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { sessionApi, untagged } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

describe('a Temporal server restart in the middle of a redeploy', () => {
  const namespace = uniqueName('restart');
  const name = 'billing';
  const stateDir = mkdtempSync(join(tmpdir(), 'fso-temporal-restart-'));
  let temporal: ManagedProcess;
  let ports: TemporalPorts;
  let rest: FlinkRestStandIn;
  let kubelet: LaunchKubelet;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;

  beforeAll(async () => {
    const stack = stackEndpoints();
    const kc = kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
    // A Temporal server of this test's own, so restarting it disturbs no other test file.
    const started = await startTemporal({ binary: stack.temporal.cli, stateDir, logDir: stack.logDir });
    temporal = started.process;
    ports = started.ports;
    rest = await startFlinkRestStandIn(kc);
    kubelet = startLaunchKubelet(kc, stack, namespace);
    operator = await startOperator({
      stack: { ...stack, temporal: started.endpoints },
      namespace,
      taskQueue: uniqueName('fso'),
      restUrlTemplate: rest.urlTemplate,
    });
    sessions = sessionApi(kc, namespace);
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await rest?.close();
    await temporal?.stop();
  });

  it('completes the redeploy after Temporal comes back', async () => {
    await sessions.create(name, {
      image: 'example.invalid/flink:1.20',
      sa: 'flink',
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } },
    });
    await sessions.waitReady(name, 1);
    await sessions.patch(name, { spec: { numberOfTaskSlots: 2 } });
    await eventually('the redeploy to start', async () => ((await sessions.read(name))?.status?.phase === 'Redeploying' ? true : undefined));
    await temporal.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    temporal = (await startTemporal({ binary: stackEndpoints().temporal.cli, stateDir, logDir: stackEndpoints().logDir, ports })).process;
    const ready = await sessions.waitReady(name, 2, 180_000);
    expect(ready.status?.observedGeneration).toBe(2);
    await eventually('the launch of generation 2 to be recorded', async () => (kubelet.runs.some((r) => r.job.includes('-g2-')) ? true : undefined));
    // One launch per generation: the restart made no launch twice.
    expect(kubelet.runs.map((r) => untagged(r.job))).toEqual([`${name}-launch-g1-0`, `${name}-launch-g2-0`]);
  });
});
