// Temporal itself restarts in the middle of a redeploy: the workflow's history is durable (sqlite), the
// worker reconnects, and the redeploy completes with one launch Job for the generation.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from '../../stack/processes.ts';
import { startTemporal, type TemporalEndpoints, type TemporalPorts } from '../../stack/temporal.ts';
import { withOperator } from '../support/operator-harness.ts';
import { untagged } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';

describe('a Temporal server restart in the middle of a redeploy', () => {
  const name = 'billing';
  const stateDir = mkdtempSync(join(tmpdir(), 'fso-temporal-restart-'));
  let temporal: ManagedProcess;
  let ports: TemporalPorts;
  let endpoints: TemporalEndpoints;

  // A Temporal server of this test's own, so restarting it disturbs no other test file.
  beforeAll(async () => {
    const stack = stackEndpoints();
    const started = await startTemporal({ binary: stack.temporal.cli, stateDir, logDir: stack.logDir });
    temporal = started.process;
    ports = started.ports;
    endpoints = started.endpoints;
  });
  afterAll(async () => {
    await temporal?.stop();
  });
  const env = withOperator(() => ({ namespaces: [uniqueName('restart')], s3Secret: false, operator: { temporal: endpoints } }));

  it('completes the redeploy after Temporal comes back', async () => {
    await env.sessions.create(name, {
      image: 'example.invalid/flink:1.20',
      sa: 'flink',
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } },
    });
    await env.sessions.waitReady(name, 1);
    await env.sessions.patch(name, { spec: { numberOfTaskSlots: 2 } });
    await eventually('the redeploy to start', async () => ((await env.sessions.read(name))?.status?.phase === 'Redeploying' ? true : undefined));
    await temporal.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    temporal = (await startTemporal({ binary: stackEndpoints().temporal.cli, stateDir, logDir: stackEndpoints().logDir, ports })).process;
    const ready = await env.sessions.waitReady(name, 2, 180_000);
    expect(ready.status?.observedGeneration).toBe(2);
    // Ready means Flink's own REST answered: the one JobManager process running is generation 2's.
    expect(env.jobManagers(name)).toHaveLength(1);
    await eventually('the launch of generation 2 to be recorded', async () => (env.kubelet.runs.some((r) => r.job.includes('-g2-')) ? true : undefined));
    // One launch per generation: the restart made no launch twice.
    expect(env.kubelet.runs.map((r) => untagged(r.job))).toEqual([`${name}-launch-g1-0`, `${name}-launch-g2-0`]);
  }, 300_000);
});
