// The drift watch against the real API server and the real Temporal server: a JobManager Deployment
// deleted behind the operator's back becomes a jobManagerMissing signal of its session's run (started
// on a task queue no worker polls, so the run only records what it is sent); an outage of the API
// server shows in unready() and is caught up on; a stopped watch stays stopped.
import * as k8s from '@kubernetes/client-node';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionReusingKubeConfig } from '../../kube/connection-reuse.ts';
import { FLINK_LABEL_APP, FLINK_LABEL_COMPONENT, FLINK_LABEL_TYPE, FLINK_TYPE_NATIVE } from '../../model/names.ts';
import type { Log } from '../../observability/logger.ts';
import { NO_WATCHER_METRICS } from '../../observability/watcher-metrics.ts';
import { watchJobManagers, type DriftWatch } from '../../watcher/drift.ts';
import { SESSION_WORKFLOW, workflowId } from '../../workflows/contract.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';
import { tcpProxy } from '../support/tcp-proxy.ts';

describe('drift watch (real API server, real Temporal)', () => {
  const namespace = uniqueName('drift');
  const taskQueue = uniqueName('drift-nobody');
  const kc = kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const runs: WorkflowHandle[] = [];
  const logs: Array<{ level: string; msg: string } & Record<string, unknown>> = [];
  let connection: Connection;
  let client: Client;

  const log: Log = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (msg: string, fields: object = {}) => void logs.push({ level, msg, ...fields })]),
  ) as unknown as Log;

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    connection = await Connection.connect({ address: stackEndpoints().temporal.address });
    client = new Client({ connection, namespace: stackEndpoints().temporal.namespace });
  });

  afterAll(async () => {
    for (const run of runs) await run.terminate('drift test finished').catch(() => undefined);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await connection?.close();
  });

  /** A session's run that only records signals, and a JobManager Deployment with Flink's labels. */
  async function session(name: string): Promise<WorkflowHandle> {
    const run = await client.workflow.start(SESSION_WORKFLOW, { taskQueue, workflowId: workflowId(namespace, name), args: [] });
    runs.push(run);
    const labels = { [FLINK_LABEL_APP]: name, [FLINK_LABEL_TYPE]: FLINK_TYPE_NATIVE, [FLINK_LABEL_COMPONENT]: 'jobmanager' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, labels },
        spec: {
          replicas: 0,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'flink-main-container', image: 'flink:1.20.1' }] } },
        },
      },
    });
    return run;
  }

  async function missingSignals(run: WorkflowHandle): Promise<number> {
    const history = await run.fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'jobManagerMissing').length;
  }

  const watch = (kubeConfigToUse = kc): Promise<DriftWatch> =>
    watchJobManagers({
      kubeConfig: kubeConfigToUse,
      temporal: client,
      namespaces: [namespace],
      redeploy: false,
      log,
      metrics: NO_WATCHER_METRICS,
      retryBaseMs: 200,
    });

  it("a JobManager Deployment deleted behind the operator's back is reported to its session's run", async () => {
    const name = uniqueName('jm');
    const run = await session(name);
    const drift = await watch();
    try {
      await eventually('the watch to see the Deployment', async () => ((await apps.readNamespacedDeployment({ namespace, name })) ? true : undefined));
      await apps.deleteNamespacedDeployment({ namespace, name });
      await eventually('the jobManagerMissing signal', async () => ((await missingSignals(run)) === 1 ? true : undefined), 30_000);
      expect(drift.unready()).toBeUndefined();
    } finally {
      await drift.stop();
    }
  });

  it('a stopped watch stays stopped: a Deployment deleted after stop() is not reported', async () => {
    const name = uniqueName('jm-after-stop');
    const run = await session(name);
    const drift = await watch();
    await drift.stop();
    const linesAtStop = logs.length;
    // The informer this replaced restarted itself 5 s after the error its own stop() ended the watch with.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    await apps.deleteNamespacedDeployment({ namespace, name });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await missingSignals(run)).toBe(0);
    expect(logs.slice(linesAtStop)).toEqual([]);
  });

  it('an API server outage shows in unready(); a JobManager deleted meanwhile is reported once the watch is back', async () => {
    const proxy = await tcpProxy(new URL(stackEndpoints().kubernetes.server));
    const name = uniqueName('jm-outage');
    const run = await session(name);
    // As the operator loads it: every request over shared connections, which must survive the cut.
    const proxied = new ConnectionReusingKubeConfig();
    proxied.loadFromString(readFileSync(stackEndpoints().kubernetes.kubeconfig, 'utf8').replace(stackEndpoints().kubernetes.server, proxy.url));
    const drift = await watch(proxied);
    try {
      await proxy.cut();
      const unready = await eventually('the watch to notice the outage', async () => drift.unready(), 30_000);
      expect(unready).toBe(`JobManager Deployment informer failing for ${namespace}`);
      await apps.deleteNamespacedDeployment({ namespace, name });
      await proxy.restore();
      await eventually('the jobManagerMissing signal after the outage', async () => ((await missingSignals(run)) === 1 ? true : undefined), 60_000);
      await eventually('the watch to be ready again', async () => (drift.unready() === undefined ? true : undefined), 30_000);
    } finally {
      await drift.stop();
      await proxy.close();
    }
  });
});
