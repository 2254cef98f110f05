// The whole path on the real stack: kubectl → API server → watcher → Temporal → worker → Kubernetes,
// S3 and ZooKeeper, with Flink's own client running every launch Job and Flink's own JobManager
// (stack/flink-kubelet.ts) running the cluster it creates: Ready means that JobManager's REST answered,
// and a redeploy clears the HA data it wrote as well as what the test seeded.
import { ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { workflowId } from '../../model/names.ts';
import { stackS3Client } from '../../stack/s3.ts';
import { createdCluster } from '../../stack/launch-kubelet.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, S3_SECRET, withOperator } from '../support/operator-harness.ts';
import { untagged } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { connectTestZooKeeper, type TestZooKeeper } from '../support/zookeeper.ts';

const run = promisify(execFile);
/** The Temporal CLI against the stack's server. */
const temporalCli = (...args: string[]) => {
  const { temporal } = stackEndpoints();
  return run(temporal.cli, [...args, '--address', temporal.address, '--namespace', temporal.namespace]);
};

describe.each(['1.20', '2.1'])('a FlinkSession for Flink %s, from create to delete', (flinkVersion) => {
  const namespace = uniqueName('e2e');
  const name = 'orders';
  const neighbour = 'orders-2';
  const bucket = uniqueName('state');
  const env = withOperator({ namespaces: [namespace], operator: { readinessDeadlineSeconds: 240 } });
  let s3: S3Client;
  let zk: TestZooKeeper;
  let spec: FlinkSessionSpec;
  beforeAll(async () => {
    const stack = stackEndpoints();
    s3 = stackS3Client(stack.s3);
    zk = await connectTestZooKeeper(stack.zookeeper.connect);
    spec = {
      image: `example.invalid/flink:${flinkVersion}`,
      flinkVersion,
      sa: 'flink',
      autoClean: true,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: stack.s3.endpoint, bucket, credentialsSecret: { name: S3_SECRET } },
      ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: `/flink-${namespace}` },
    };
  });

  afterAll(() => {
    zk?.close();
    s3?.destroy();
  });

  it(
    'create → Ready, with events, status, and a workflow the Temporal CLI finds',
    async () => {
      const created = await env.sessions.create(name, spec);
      const { stdout } = await run('kubectl', ['wait', '--for=condition=Ready', `fls/${name}`, '-n', namespace, '--timeout=240s'], {
        env: { ...process.env, KUBECONFIG: stackEndpoints().kubernetes.kubeconfig },
      });
      expect(stdout).toContain('condition met');
      const ready = await env.sessions.waitReady(name, 1, REAL_FLINK_READY_MS);
      expect(ready.metadata.finalizers).toContain('flink.session-operator.io/finalizer');
      expect(ready.status).toMatchObject({
        phase: 'Running',
        observedGeneration: 1,
        jobManager: { deployment: name, restService: `${name}-rest` },
        workflow: { id: workflowId(namespace, name) },
      });
      expect(ready.status?.workflow?.url).toContain(stackEndpoints().temporal.uiUrl);
      expect(await env.sessions.eventReasons(name)).toEqual(expect.arrayContaining(['Deploying', 'Launched', 'Ready']));
      const deployment = await env.apps.readNamespacedDeployment({ name, namespace });
      expect(deployment.metadata?.labels).toMatchObject({ app: name, type: 'flink-native-kubernetes', component: 'jobmanager' });
      // The kubelet records a run when Flink's client exits, a moment after the Deployment appeared.
      await eventually('the launch run to be recorded', async () => (env.kubelet.runs.length > 0 ? true : undefined));
      expect(env.kubelet.runs.map((r) => [untagged(r.job), createdCluster(r, name)])).toEqual([[`${name}-launch-g1-0`, true]]);

      const listed = await eventually(
        'the run in `temporal workflow list`',
        async () => {
          const out = await temporalCli(
            'workflow',
            'list',
            '--query',
            `FlinkSessionName="${name}" AND FlinkSessionNamespace="${namespace}"`,
            '--output',
            'json',
          );
          const runs = JSON.parse(out.stdout || '[]') as Array<{ execution: { workflowId: string } }>;
          return runs.length > 0 ? runs : undefined;
        },
        30_000,
      );
      expect(listed[0]!.execution.workflowId).toBe(workflowId(namespace, name));
      expect(created.metadata.generation).toBe(1);
    },
    REAL_FLINK_TEST_MS,
  );

  /** Every object version in the bucket, as `<key> <last modified> <etag>`: an object written again is another entry. */
  async function objects(): Promise<string[]> {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    return (listed.Versions ?? []).map((v) => `${v.Key} ${v.LastModified?.toISOString()} ${v.ETag}`).sort();
  }

  it(
    "an edit redeploys in order (delete → pods gone → clean → launch → ready) and clears only this session's HA data",
    async () => {
      const root = `/flink-${namespace}`;
      // Flink's JobManager wrote its own znodes (its leader latches and addresses) and objects; the test adds a few,
      // and the same under a neighbour session's name.
      const flinkWrote = await zk.created(`${root}/${name}`);
      expect(flinkWrote.some((z) => z.startsWith(`${root}/${name}/leader`))).toBe(true);
      for (const path of [`${root}/${name}/leader/rest_server`, `${root}/${name}/jobs/abc`, `${root}/${neighbour}/leader/rest_server`]) await zk.mkdirp(path);
      for (const key of [
        `${name}/flink/ha/metadata/a`,
        `${name}/flink/checkpoints/c1/_metadata`,
        `${name}/flink/savepoints/sp1`,
        `${neighbour}/flink/ha/metadata/a`,
      ]) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
      }
      const znodesBefore = await zk.created(`${root}/${name}`);
      const objectsBefore = await objects();
      console.log(
        `Flink ${flinkVersion}: under ${root}/${name} before the redeploy:\n  ${znodesBefore.join('\n  ')}\nobjects:\n  ${objectsBefore.join('\n  ')}`,
      );
      const before = await env.sessions.eventReasons(name);
      await env.sessions.patch(name, { spec: { resource: { taskManager: { memory: '2g' } } } });
      const ready = await env.sessions.waitReady(name, 2, REAL_FLINK_READY_MS);
      expect(ready.status?.observedGeneration).toBe(2);

      const steps = (await env.sessions.eventReasons(name)).slice(before.length);
      expect(steps).toEqual(['Redeploying', 'JobManagerDeleted', 'HaCleared', 'S3Purged', 'Launched', 'Ready']);
      // The new JobManager writes znodes and objects of its own under the same names: none of the old ones is left.
      const znodesAfter = await zk.created(`${root}/${name}`);
      expect(znodesAfter.filter((z) => znodesBefore.includes(z))).toEqual([]);
      expect(await zk.exists(`${root}/${neighbour}/leader/rest_server`)).toBe(true);
      const objectsAfter = await objects();
      const keep = [`${neighbour}/flink/ha/metadata/a`, `${name}/flink/savepoints/sp1`];
      expect(objectsAfter.filter((o) => objectsBefore.includes(o)).map((o) => o.split(' ')[0])).toEqual(keep);
      expect(objectsAfter.filter((o) => !objectsBefore.includes(o)).every((o) => o.startsWith(`${name}/flink/ha/`))).toBe(true);

      // Flink writes its ConfigMap right after the Deployment.
      const shipped = await eventually('the new flink-config ConfigMap', async () => {
        const flinkConfig = await env.core.readNamespacedConfigMap({ name: `flink-config-${name}`, namespace });
        const file = flinkConfig.data?.['config.yaml'] ?? flinkConfig.data?.['flink-conf.yaml'];
        return file === undefined ? undefined : (parse(file) as { taskmanager: { memory: { process: { size: string } } } });
      });
      expect(shipped.taskmanager.memory.process.size).toBe('2g');
      const jobs = await env.batch.listNamespacedJob({ namespace });
      expect(jobs.items.map((j) => untagged(j.metadata?.name))).toEqual([`${name}-launch-g2-0`]);
    },
    REAL_FLINK_TEST_MS,
  );

  it(
    'the redeploy signal from the Temporal CLI redeploys an unchanged spec',
    async () => {
      await eventually('the launch of generation 2 to be recorded', async () => (env.kubelet.runs.length === 2 ? true : undefined));
      await temporalCli('workflow', 'signal', '--workflow-id', workflowId(namespace, name), '--name', 'redeploy', '--input', '{"reason":"e2e"}');
      await eventually('a second launch of generation 2', async () =>
        env.kubelet.runs.some((r) => untagged(r.job) === `${name}-launch-g2-1`) ? true : undefined,
      );
      await env.sessions.waitReady(name, 2, REAL_FLINK_READY_MS);
      await eventually('Ready after the forced redeploy', async () => {
        const reasons = await env.sessions.eventReasons(name);
        return reasons.at(-1) === 'Ready' && reasons.filter((r) => r === 'Launched').length === 3 ? true : undefined;
      });
      expect(env.kubelet.runs.map((r) => untagged(r.job))).toEqual([`${name}-launch-g1-0`, `${name}-launch-g2-0`, `${name}-launch-g2-1`]);
      expect(env.kubelet.runs.filter((r) => !createdCluster(r, name)).map((r) => `${r.job}: ${r.output.slice(-1500)}`)).toEqual([]);
    },
    REAL_FLINK_TEST_MS,
  );

  it(
    'changing the redeploy annotation redeploys an unchanged spec too',
    async () => {
      await env.sessions.patch(name, { metadata: { annotations: { 'flink.session-operator.io/redeploy': 'e2e-1' } } });
      await eventually('a third launch of generation 2', async () =>
        env.kubelet.runs.some((r) => untagged(r.job) === `${name}-launch-g2-2`) ? true : undefined,
      );
      await eventually('Ready after the annotation redeploy', async () => {
        const reasons = await env.sessions.eventReasons(name);
        return reasons.at(-1) === 'Ready' && reasons.filter((r) => r === 'Launched').length === 4 ? true : undefined;
      });
      const session = await env.sessions.read(name);
      expect(session?.status?.observedGeneration).toBe(2);
    },
    REAL_FLINK_TEST_MS,
  );

  it(
    'an edit that fails semantic validation changes nothing, says what to fix, and a fixed spec recovers',
    async () => {
      const deployment = await env.apps.readNamespacedDeployment({ name, namespace });
      await env.sessions.patch(name, { spec: { resource: { taskManager: { memory: '1g', managed: { max: '900m' } } } } });
      const refused = await eventually('the refusal in status', async () => {
        const session = await env.sessions.read(name);
        const degraded = session?.status?.conditions?.find((c) => c.type === 'Degraded');
        return degraded?.status === 'True' && session?.status?.observedGeneration === 3 ? session : undefined;
      });
      expect(refused.status?.lastError).toMatch(/spec\.resource\.taskManager\.memory: 1g is smaller than its parts/);
      expect(refused.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect((await env.sessions.eventReasons(name)).at(-1)).toBe('InvalidSpec');
      const still = await env.apps.readNamespacedDeployment({ name, namespace });
      expect(still.metadata?.uid).toBe(deployment.metadata?.uid);

      await env.sessions.patch(name, { spec: { resource: { taskManager: { memory: '3g', managed: { max: '900m' } } } } });
      const recovered = await env.sessions.waitReady(name, 4, REAL_FLINK_READY_MS);
      expect(recovered.status?.conditions?.find((c) => c.type === 'Degraded')?.status).toBe('False');
      expect(recovered.status?.lastError).toBeUndefined();
    },
    REAL_FLINK_TEST_MS,
  );

  it('delete removes the JobManager, its pods, the launch Jobs and the HA data, releases the finalizer, and completes the workflow', async () => {
    await zk.mkdirp(`/flink-${namespace}/${name}/leader/x`);
    await env.sessions.remove(name);
    await eventually('the FlinkSession to be gone', async () => ((await env.sessions.read(name)) === undefined ? true : undefined));
    expect((await env.apps.listNamespacedDeployment({ namespace, labelSelector: `app=${name}` })).items).toEqual([]);
    expect((await env.core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items).toEqual([]);
    expect((await env.batch.listNamespacedJob({ namespace })).items).toEqual([]);
    expect(await zk.exists(`/flink-${namespace}/${name}`)).toBe(false);
    const described = await temporalCli('workflow', 'describe', '--workflow-id', workflowId(namespace, name), '--output', 'json');
    expect(JSON.parse(described.stdout).workflowExecutionInfo.status).toMatch(/COMPLETED/);
  });

  it("replays every run's real history with today's workflow code (determinism)", async () => {
    const { temporal } = stackEndpoints();
    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection, namespace: temporal.namespace });
      const query = `WorkflowId="${workflowId(namespace, name)}"`;
      let replayed = 0;
      for await (const execution of client.workflow.list({ query })) if (execution.workflowId) replayed += 1;
      const histories = client.workflow.list({ query }).intoHistories();
      const results = Worker.runReplayHistories({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)) }, histories);
      const failures: string[] = [];
      let checked = 0;
      for await (const result of results) {
        checked += 1;
        if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
      }
      expect(failures).toEqual([]);
      expect(checked).toBe(replayed);
      expect(checked).toBeGreaterThanOrEqual(1);
    } finally {
      await connection.close();
    }
  });

  it(
    're-creating the same name afterwards works, and without autoClean a redeploy clears nothing',
    async () => {
      await env.sessions.create(name, { ...spec, autoClean: false });
      const ready = await env.sessions.waitReady(name, 1, REAL_FLINK_READY_MS);
      expect(ready.status?.phase).toBe('Running');
      const root = `/flink-${namespace}`;
      await zk.mkdirp(`${root}/${name}/leader/rest_server`);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${name}/flink/ha/metadata/kept`, Body: 'x' }));
      await env.sessions.patch(name, { spec: { resource: { taskManager: { memory: '2g' } } } });
      await env.sessions.waitReady(name, 2, REAL_FLINK_READY_MS);
      const reasons = await env.sessions.eventReasons(name);
      expect(reasons.slice(reasons.lastIndexOf('Redeploying'))).toEqual(['Redeploying', 'JobManagerDeleted', 'Launched', 'Ready']);
      expect(await zk.exists(`${root}/${name}/leader/rest_server`)).toBe(true);
      const kept = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${name}/flink/ha/` }));
      expect((kept.Versions ?? []).map((v) => v.Key)).toContain(`${name}/flink/ha/metadata/kept`);
      await env.sessions.remove(name);
      await eventually('the re-created FlinkSession to be gone', async () => ((await env.sessions.read(name)) === undefined ? true : undefined));
    },
    REAL_FLINK_TEST_MS,
  );
});
