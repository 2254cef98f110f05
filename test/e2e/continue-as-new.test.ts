// A long-lived session continues as new and goes on working, on a real Temporal dev server whose
// dynamic config suggests continue-as-new after a few dozen history events (the stack's own server
// keeps the default, so this file runs a server of its own).
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowId } from '../../model/names.ts';
import type { ManagedProcess } from '../../stack/processes.ts';
import { startTemporal, type TemporalEndpoints } from '../../stack/temporal.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, withOperator } from '../support/operator-harness.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';

/** Below a deploy's ~29 events (its quick steps are local activities; ~90 before): every deploy is followed by a continue-as-new. */
const SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS = 20;

describe('continue-as-new on a real Temporal server', () => {
  const namespace = uniqueName('can');
  const name = 'longlived';
  let temporal: ManagedProcess;
  let endpoints: TemporalEndpoints;
  let client: Client;
  let connection: Connection;

  const runs = async () => {
    const found = [];
    for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId(namespace, name)}"` })) found.push(run);
    return found;
  };

  beforeAll(async () => {
    const stack = stackEndpoints();
    const started = await startTemporal({
      binary: stack.temporal.cli,
      stateDir: mkdtempSync(join(tmpdir(), 'fso-can-')),
      logDir: stack.logDir,
      name: `temporal-${namespace}`,
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS },
    });
    temporal = started.process;
    endpoints = started.endpoints;
    connection = await Connection.connect({ address: started.endpoints.address });
    client = new Client({ connection, namespace: started.endpoints.namespace });
  });

  afterAll(async () => {
    await connection?.close();
    await temporal?.stop();
  });
  // Flink's own JobManager runs each generation. Registered after the Temporal server's hooks: started after it, stopped before it.
  const env = withOperator(() => ({ namespaces: [namespace], s3Secret: false, operator: { temporalAddress: endpoints.address } }));

  it(
    'continues as new after a deploy, carries its phase, and the new runs still redeploy and delete',
    async () => {
      await env.sessions.create(name, {
        image: 'example.invalid/flink:1.20',
        sa: 'flink',
        resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      });
      await env.sessions.waitReady(name, 1, REAL_FLINK_READY_MS);
      expect(env.jobManagers(name)).toHaveLength(1);
      await eventually('a run continued as new', async () => ((await runs()).some((r) => r.status.name === 'CONTINUED_AS_NEW') ? true : undefined));
      const handle = client.workflow.getHandle(workflowId(namespace, name));
      expect(await handle.query('status')).toMatchObject({ phase: 'Running', deployedGeneration: 1 });

      const edited = await env.sessions.patch(name, { spec: { numberOfTaskSlots: 2 } });
      await env.sessions.waitReady(name, edited.metadata.generation, REAL_FLINK_READY_MS);
      expect(env.jobManagers(name)).toHaveLength(1);
      await eventually('another continue-as-new', async () =>
        (await runs()).filter((r) => r.status.name === 'CONTINUED_AS_NEW').length >= 2 ? true : undefined,
      );

      await env.sessions.remove(name);
      await eventually(`${name} to be gone`, async () => ((await env.sessions.read(name)) === undefined ? true : undefined));
      // Visibility lags a little behind the runs themselves.
      const all = await eventually('every run closed in the list', async () => {
        const listed = await runs();
        return listed.some((r) => r.status.name === 'RUNNING') ? undefined : listed;
      });
      expect(all.filter((r) => r.status.name === 'COMPLETED')).toHaveLength(1);
      expect(all.filter((r) => r.status.name === 'FAILED' || r.status.name === 'TERMINATED')).toEqual([]);
    },
    REAL_FLINK_TEST_MS,
  );
});
