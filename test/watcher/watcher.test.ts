// The watcher against the real API server and the real Temporal server: kubectl-style changes to a
// FlinkSession become signal-with-starts of its workflow, checked in Temporal's own history. No worker
// runs the workflow here (its runs are started on a task queue of this test's own), so every run just
// records what it was sent.
import * as k8s from '@kubernetes/client-node';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionReusingKubeConfig } from '../../kube/connection-reuse.ts';
import type { FlinkSession, FlinkSessionSpec } from '../../model/flinksession.ts';
import {
  API_GROUP,
  API_VERSION,
  APPROVE_ANNOTATION,
  FINALIZER,
  FLINKSESSION_API_VERSION,
  FLINKSESSION_KIND,
  FLINKSESSION_PLURAL,
  FORCE_REDEPLOY_ANNOTATION,
  REDEPLOY_ANNOTATION,
} from '../../model/names.ts';
import type { Log } from '../../observability/logger.ts';
import { startWatcher, type Watcher } from '../../watcher/watcher.ts';
import { REDACTED, SEARCH_ATTRIBUTES, SESSION_WORKFLOW, workflowId, type DeleteRequest, type SpecChanged } from '../../workflows/contract.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';
import { tcpProxy } from '../support/tcp-proxy.ts';

const crd = { group: API_GROUP, version: API_VERSION, plural: FLINKSESSION_PLURAL };
const INLINE_SECRET = 'inline-secret-key-do-not-leak';

interface Signalled {
  name: string;
  payload: unknown;
}

interface LogLine {
  msg: string;
  [field: string]: unknown;
}

describe('watcher (real API server, real Temporal)', () => {
  const namespace = uniqueName('watcher');
  const taskQueue = uniqueName('watcher-test');
  const kc = kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);
  const started = new Set<string>();
  const watchers: Watcher[] = [];
  const logs: LogLine[] = [];
  let connection: Connection;
  let client: Client;

  /** A log that keeps every line (sync points for the tests; printed when a test fails) and labels its watcher. */
  const logFor = (watcher: string): Log => {
    const keep =
      (level: string) =>
      (msg: string, fields: object = {}): void =>
        void logs.push({ msg, watcher, level, ...fields });
    return { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
  };

  async function watch(label: string, kubeConfigToUse = kc, relistSeconds?: number): Promise<Watcher> {
    const watcher = await startWatcher({
      kubeConfig: kubeConfigToUse,
      temporal: client,
      namespaces: [namespace],
      log: logFor(label),
      taskQueue,
      retryBaseMs: 200,
      relistSeconds,
    });
    watchers.push(watcher);
    return watcher;
  }

  async function stopAll(): Promise<void> {
    await Promise.all(watchers.splice(0).map((w) => w.stop()));
  }

  afterEach(({ task }) => {
    if (task.result?.state === 'fail')
      console.log(
        `watcher log (last 60 lines):\n${logs
          .slice(-60)
          .map((l) => JSON.stringify(l))
          .join('\n')}`,
      );
  });

  beforeAll(async () => {
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    connection = await Connection.connect({ address: stackEndpoints().temporal.address });
    client = new Client({ connection, namespace: stackEndpoints().temporal.namespace });
  });

  afterAll(async () => {
    await stopAll();
    // Release what the watcher held, so the namespace can go, and end the runs this test started.
    const list = (await objects.listNamespacedCustomObject({ ...crd, namespace }).catch(() => ({ items: [] }))) as { items: FlinkSession[] };
    for (const item of list.items) {
      await objects
        .patchNamespacedCustomObject(
          { ...crd, namespace, name: item.metadata.name, body: { metadata: { finalizers: null } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        )
        .catch(() => undefined);
    }
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    for (const id of started) {
      await client.workflow
        .getHandle(id)
        .terminate('watcher test finished')
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
    }
    await connection?.close();
  });

  // --- helpers -------------------------------------------------------------------------------------

  async function create(name: string, spec: FlinkSessionSpec): Promise<FlinkSession> {
    started.add(workflowId(namespace, name));
    return (await objects.createNamespacedCustomObject({
      ...crd,
      namespace,
      body: { apiVersion: FLINKSESSION_API_VERSION, kind: FLINKSESSION_KIND, metadata: { name }, spec },
    })) as FlinkSession;
  }

  async function mergePatch(name: string, body: object, subresource?: 'status'): Promise<FlinkSession> {
    const options = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const request = { ...crd, namespace, name, body };
    return (
      subresource === 'status' ? await objects.patchNamespacedCustomObjectStatus(request, options) : await objects.patchNamespacedCustomObject(request, options)
    ) as FlinkSession;
  }

  const read = async (name: string): Promise<FlinkSession> => (await objects.getNamespacedCustomObject({ ...crd, namespace, name })) as FlinkSession;

  async function signals(name: string): Promise<Signalled[]> {
    try {
      const history = await client.workflow.getHandle(workflowId(namespace, name)).fetchHistory();
      return (history.events ?? []).flatMap((event) => {
        const signalled = event.workflowExecutionSignaledEventAttributes;
        if (!signalled) return [];
        const payload = signalled.input?.payloads?.[0];
        return [{ name: signalled.signalName ?? '', payload: payload ? defaultPayloadConverter.fromPayload(payload) : undefined }];
      });
    } catch (error: unknown) {
      if (error instanceof WorkflowNotFoundError) return [];
      throw error;
    }
  }

  const specChanges = async (name: string): Promise<SpecChanged[]> =>
    (await signals(name)).filter((s) => s.name === 'specChanged').map((s) => s.payload as SpecChanged);

  /** Waits until `count` signals named `signal` are in the history, and returns them. */
  function signalled(name: string, signal: string, count: number): Promise<Signalled[]> {
    return eventually(
      `${count} ${signal} signal(s) for ${namespace}/${name}`,
      async () => {
        const found = (await signals(name)).filter((s) => s.name === signal);
        if (found.length > count) throw new Error(`expected ${count} ${signal} signals for ${name}, got ${found.length}: ${JSON.stringify(found)}`);
        return found.length === count ? found : undefined;
      },
      30_000,
    );
  }

  /** Waits until a watcher has handled the object at `resourceVersion` (its decision is logged). */
  function handled(name: string, resourceVersion: string | undefined, watcher = 'main'): Promise<LogLine> {
    return eventually(`the watcher to handle ${name} at resourceVersion ${resourceVersion}`, async () =>
      logs.find((l) => l.watcher === watcher && l.name === name && l.resourceVersion === resourceVersion && typeof l.decision === 'string'),
    );
  }

  const hasFinalizer = async (name: string): Promise<true | undefined> =>
    ((await read(name)).metadata.finalizers ?? []).includes(FINALIZER) ? true : undefined;

  // --- one session's life --------------------------------------------------------------------------

  describe('one session, from kubectl apply to kubectl delete', () => {
    const name = uniqueName('life');
    let uid: string;

    beforeAll(async () => {
      await watch('main');
    });

    it('first sight: adds the finalizer and signal-with-starts the workflow with the redacted spec', async () => {
      const created = await create(name, {
        image: 'flink:1.20.1',
        s3: { endPoint: 'minio:9000', bucket: 'flink', accessKey: 'inline-access', secretKey: INLINE_SECRET },
      });
      uid = created.metadata.uid;

      await eventually(`finalizer on ${name}`, () => hasFinalizer(name));
      const [first] = await signalled(name, 'specChanged', 1);
      // The spec as the API server stored it (with the CRD's defaults), secrets replaced.
      expect(created.spec).toMatchObject({ flinkVersion: '1.20', numberOfTaskSlots: 1 });
      expect(first!.payload).toEqual({
        uid,
        generation: 1,
        spec: { ...created.spec, s3: { endPoint: 'minio:9000', bucket: 'flink', accessKey: REDACTED, secretKey: REDACTED } },
      });

      const description = await client.workflow.getHandle(workflowId(namespace, name)).describe();
      expect(description.workflowId).toBe(`flinksession/${namespace}/${name}`);
      expect(description.type).toBe(SESSION_WORKFLOW);
      expect(description.taskQueue).toBe(taskQueue);
      expect(description.status.name).toBe('RUNNING');
      expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.namespace)).toBe(namespace);
      expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.name)).toBe(name);
      expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.generation)).toBe(1);

      // The secret is nowhere in the history: not in the start input, not in any signal.
      const history = await client.workflow.getHandle(workflowId(namespace, name)).fetchHistory();
      const historyText = textOf(history);
      expect(historyText).toContain('minio:9000');
      expect(historyText).not.toContain(INLINE_SECRET);
      expect(historyText).not.toContain('inline-access');
      // …and not in the watcher's log either.
      expect(JSON.stringify(logs)).not.toContain(INLINE_SECRET);
    });

    it('the update the finalizer patch brings is nothing new: no second signal', async () => {
      const current = await read(name);
      await handled(name, current.metadata.resourceVersion);
      expect(await specChanges(name)).toHaveLength(1);
    });

    it('an edit (generation 2) signals again', async () => {
      const edited = await mergePatch(name, { spec: { numberOfTaskSlots: 2 } });
      expect(edited.metadata.generation).toBe(2);
      const changes = await signalled(name, 'specChanged', 2);
      expect(changes[1]!.payload).toMatchObject({ uid, generation: 2, spec: { numberOfTaskSlots: 2 } });
      // A running workflow keeps the search attributes it started with; keeping the generation current
      // is the workflow's job (upsertSearchAttributes), signal-with-start cannot change them.
      const description = await client.workflow.getHandle(workflowId(namespace, name)).describe();
      expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.generation)).toBe(1);
    });

    it('a status-only change signals nothing', async () => {
      const patched = await mergePatch(name, { status: { phase: 'Running', observedGeneration: 2 } }, 'status');
      expect(patched.metadata.generation).toBe(2);
      const line = await handled(name, patched.metadata.resourceVersion);
      expect(line.decision).toBe('status-only');
      expect(await specChanges(name)).toHaveLength(2);
    });

    it('another annotation signals nothing; the redeploy annotation signals with its token', async () => {
      const labelled = await mergePatch(name, { metadata: { annotations: { 'example.com/owner': 'team-a' } } });
      expect((await handled(name, labelled.metadata.resourceVersion)).decision).toBe('status-only');

      await mergePatch(name, { metadata: { annotations: { [REDEPLOY_ANNOTATION]: 'redeploy-1' } } });
      const changes = await signalled(name, 'specChanged', 3);
      expect(changes[2]!.payload).toMatchObject({ uid, generation: 2, redeployToken: 'redeploy-1' });
    });

    it('kubectl delete: the finalizer holds the object, and the workflow gets a delete signal', async () => {
      await objects.deleteNamespacedCustomObject({ ...crd, namespace, name });
      const [deletion] = await signalled(name, 'delete', 1);
      // The spec rides along (redacted), so a run that starts with the delete can still clean up.
      expect(deletion!.payload).toMatchObject({ uid, generation: (await read(name))!.metadata.generation } satisfies DeleteRequest);
      expect((deletion!.payload as DeleteRequest).spec?.s3?.secretKey).toBe(REDACTED);
      const held = await read(name);
      expect(held.metadata.deletionTimestamp).toBeDefined();
      expect(held.metadata.finalizers).toEqual([FINALIZER]);
      // Still one run: every signal went to the same workflow.
      expect((await signals(name)).map((s) => s.name)).toEqual(['specChanged', 'specChanged', 'specChanged', 'delete']);
    });

    it('later changes to the deleting object (status patches) signal nothing more', async () => {
      const patched = await mergePatch(name, { status: { phase: 'Deleting' } }, 'status');
      expect((await handled(name, patched.metadata.resourceVersion)).decision).toBe('status-only');
      expect((await signals(name)).filter((s) => s.name === 'delete')).toHaveLength(1);
    });

    it('the workflow releases the finalizer: the object goes, and nothing more is signalled', async () => {
      await mergePatch(name, { metadata: { finalizers: null } });
      const line = await eventually(`the watcher to see ${name} gone`, async () =>
        logs.find((l) => l.watcher === 'main' && l.name === name && typeof l.reason === 'string' && l.reason.startsWith('gone')),
      );
      expect(line.decision).toBe('status-only');
      expect((await signals(name)).map((s) => s.name)).toEqual(['specChanged', 'specChanged', 'specChanged', 'delete']);
    });

    afterAll(stopAll);
  });

  // --- robustness ----------------------------------------------------------------------------------

  describe('robustness', () => {
    afterEach(stopAll);

    it('a delete when no run is open (the workflow finished earlier) starts one that gets the delete', async () => {
      await watch('main');
      const name = uniqueName('finished');
      const { metadata } = await create(name, { image: 'flink:1.20.1' });
      await signalled(name, 'specChanged', 1);
      const handle = client.workflow.getHandle(workflowId(namespace, name));
      const firstRun = (await handle.describe()).runId;
      await handle.terminate('stands in for a run that completed');

      await objects.deleteNamespacedCustomObject({ ...crd, namespace, name });
      const [deletion] = await signalled(name, 'delete', 1);
      expect(deletion!.payload).toMatchObject({ uid: metadata.uid, spec: { image: 'flink:1.20.1' } });
      const secondRun = await handle.describe();
      expect(secondRun.runId).not.toBe(firstRun);
      expect(secondRun.status.name).toBe('RUNNING');
      expect((await signals(name)).map((s) => s.name)).toEqual(['delete']);
    });

    it(
      'the force-redeploy annotation sends the redeploy signal with force and its value; approve naming the generation sends approve; ' +
        'a restart resends both (the workflow ignores a force token it acted on, and an approval with nothing waiting)',
      async () => {
        await watch('main');
        const name = uniqueName('annotated');
        await create(name, { image: 'flink:1.20.1', approval: 'manual' });
        await signalled(name, 'specChanged', 1);
        await mergePatch(name, { metadata: { annotations: { [FORCE_REDEPLOY_ANNOTATION]: 'after-hold-1' } } });
        const [forced] = await signalled(name, 'redeploy', 1);
        expect(forced!.payload).toEqual({ force: true, token: 'after-hold-1', reason: `annotation ${FORCE_REDEPLOY_ANNOTATION} set to "after-hold-1"` });

        // Ahead of the edit (generation 2), then the edit: approve is sent once generation 2 is there, after its specChanged.
        await mergePatch(name, { metadata: { annotations: { [APPROVE_ANNOTATION]: '2' } } });
        const edited = await mergePatch(name, { spec: { numberOfTaskSlots: 4 } });
        expect(edited.metadata.generation).toBe(2);
        const [approved] = await signalled(name, 'approve', 1);
        expect(approved!.payload).toEqual({ generation: 2, by: `annotation ${APPROVE_ANNOTATION} names generation 2` });
        expect((await signals(name)).map((s) => s.name)).toEqual(['specChanged', 'redeploy', 'specChanged', 'approve']);
        // A status patch sends nothing more.
        const patched = await mergePatch(name, { status: { phase: 'Running' } }, 'status');
        expect((await handled(name, patched.metadata.resourceVersion)).decision).toBe('status-only');
        expect(await signals(name)).toHaveLength(4);

        // After a restart: a first sight resends the force (with the same token) and the approval.
        await stopAll();
        await watch('after-restart');
        await signalled(name, 'redeploy', 2);
        await signalled(name, 'approve', 2);
        const again = (await signals(name)).filter((s) => s.name === 'redeploy').map((s) => (s.payload as { token: string }).token);
        expect(again).toEqual(['after-hold-1', 'after-hold-1']);
      },
    );

    it('two watchers at once: one workflow, one finalizer; signals are duplicated with the same uid and generation', async () => {
      await watch('replica-a');
      await watch('replica-b');
      const name = uniqueName('twice');
      const { metadata, spec } = await create(name, { image: 'flink:1.20.1' });

      // Both replicas signal the first sight (the one whose finalizer patch lost the race signals on the
      // event the winner's patch brings). The workflow ignores the repeat: same uid, generation, token.
      const changes = await signalled(name, 'specChanged', 2);
      expect(changes.map((c) => c.payload)).toEqual([
        { uid: metadata.uid, generation: 1, spec },
        { uid: metadata.uid, generation: 1, spec },
      ]);
      const current = await read(name);
      expect(current.metadata.finalizers).toEqual([FINALIZER]);
      await handled(name, current.metadata.resourceVersion, 'replica-a');
      await handled(name, current.metadata.resourceVersion, 'replica-b');
      expect(await specChanges(name)).toHaveLength(2);
      // One replica's patch added the finalizer; the other's, guarded by the resourceVersion it read,
      // was refused as stale (or it saw the finalizer already there): never two copies in the list.
      const finalizerLines = logs.filter((l) => l.name === name && l.msg.startsWith('finalizer '));
      expect(finalizerLines.filter((l) => l.msg === 'finalizer added')).toHaveLength(1);

      const runs = await eventually("the session's runs to be listed", async () => {
        const found = [];
        for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId(namespace, name)}'` })) found.push(run);
        return found.length > 0 ? found : undefined;
      });
      expect(runs).toHaveLength(1);
    });

    it('after a restart every object is a first sight again; a change made while no watcher ran is not missed', async () => {
      await watch('before-restart');
      const name = uniqueName('restart');
      const { metadata } = await create(name, { image: 'flink:1.20.1' });
      await signalled(name, 'specChanged', 1);
      await stopAll();

      await mergePatch(name, { spec: { numberOfTaskSlots: 4 } });
      await watch('after-restart');
      const changes = await signalled(name, 'specChanged', 2);
      expect(changes[1]!.payload).toMatchObject({ uid: metadata.uid, generation: 2, spec: { numberOfTaskSlots: 4 } });
      // The watcher logs the signal once signalWithStart has returned: a moment after Temporal has it.
      const logged = await eventually(
        'the watcher to log the signal',
        async () => logs.find((l) => l.watcher === 'after-restart' && l.name === name && l.msg === 'signalled specChanged'),
        10_000,
      );
      expect(logged.decision).toBe('first-sight');
    });

    it('a periodic relist re-reads everything and signals nothing already signalled', async () => {
      await watch('relisting', kc, 0.5);
      const name = uniqueName('relist');
      await create(name, { image: 'flink:1.20.1' });
      await signalled(name, 'specChanged', 1);
      const relists = (): LogLine[] => logs.filter((l) => l.watcher === 'relisting' && l.msg === 'informer watching' && l.why === 'periodic relist');
      await eventually('two periodic relists', async () => (relists().length >= 2 ? true : undefined), 10_000);
      const current = await read(name);
      const decisions = logs.filter((l) => l.watcher === 'relisting' && l.name === name && l.resourceVersion === current.metadata.resourceVersion);
      expect(decisions.length).toBeGreaterThanOrEqual(2);
      expect(decisions.every((l) => l.decision === 'status-only')).toBe(true);
      expect(await specChanges(name)).toHaveLength(1);
    });

    it('when the API server connection breaks, the informer restarts with backoff and catches up (edits, and objects gone meanwhile)', async () => {
      const proxy = await tcpProxy(new URL(stackEndpoints().kubernetes.server));
      try {
        // As the operator loads it: every request over shared connections, which must survive the cut.
        const proxied = new ConnectionReusingKubeConfig();
        proxied.loadFromString(readFileSync(stackEndpoints().kubernetes.kubeconfig, 'utf8').replace(stackEndpoints().kubernetes.server, proxy.url));
        await watch('proxied', proxied);
        const name = uniqueName('outage');
        const vanishing = uniqueName('vanish');
        const { metadata } = await create(name, { image: 'flink:1.20.1' });
        const vanished = await create(vanishing, { image: 'flink:1.20.1' });
        await signalled(name, 'specChanged', 1);
        await signalled(vanishing, 'specChanged', 1);
        await eventually(`finalizer on ${vanishing}`, () => hasFinalizer(vanishing));

        await proxy.cut();
        await eventually('the watcher to notice the outage', async () => logs.find((l) => l.watcher === 'proxied' && l.msg === 'informer failed; restarting'));
        await mergePatch(name, { spec: { numberOfTaskSlots: 3 } });
        // Someone strips the finalizer and deletes the other one: it is gone before the watcher is back.
        await mergePatch(vanishing, { metadata: { finalizers: null } });
        await objects.deleteNamespacedCustomObject({ ...crd, namespace, name: vanishing });
        // Let a couple of restarts fail, so the backoff grows, before the API server is back.
        await eventually('a second failed restart', async () =>
          logs.filter((l) => l.watcher === 'proxied' && l.msg === 'informer failed; restarting').length >= 2 ? true : undefined,
        );
        const delays = logs.filter((l) => l.watcher === 'proxied' && l.msg === 'informer failed; restarting').map((l) => l.retryInMs);
        expect(delays.slice(0, 2)).toEqual([200, 400]);

        await proxy.restore();
        const changes = await signalled(name, 'specChanged', 2);
        expect(changes[1]!.payload).toMatchObject({ uid: metadata.uid, generation: 2, spec: { numberOfTaskSlots: 3 } });
        const [deletion] = await signalled(vanishing, 'delete', 1);
        expect(deletion!.payload).toMatchObject({ uid: vanished.metadata.uid });
      } finally {
        await stopAll();
        await proxy.close();
      }
    });
  });
});

/** Every string and every byte array (as UTF-8) in a value, e.g. a workflow history with its payloads. */
function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(textOf).join('\n');
  return '';
}
