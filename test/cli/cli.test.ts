// The command line against the real stack and a running operator: `plan` counts what a redeploy would
// delete and changes nothing, `status` shows the workflow's status query, `redeploy` redeploys, and the
// worker's /metrics then shows the redeploy counted with its step durations. The session runs Flink's own
// JobManager (stack/flink-kubelet.ts), so what is counted and deleted includes the HA data it wrote.
import { ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedeployPlan } from '../../cli/plan.ts';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { stackS3Client } from '../../stack/s3.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, S3_SECRET, withOperator } from '../support/operator-harness.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { connectTestZooKeeper, type TestZooKeeper } from '../support/zookeeper.ts';

const PROGRAM = fileURLToPath(new URL('../../bin/flink-session-operator.ts', import.meta.url));
/** `npm run dev`: the local stack's program, not a command of the operator's. */
const DEV_PROGRAM = fileURLToPath(new URL('../../stack/dev-command.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}, program = PROGRAM): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [program, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** One Prometheus sample's value, by name and labels it must carry (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('the flink-session-operator command line on a running operator', () => {
  const namespace = uniqueName('cli');
  const name = 'orders';
  const bucket = uniqueName('cli-bucket');
  const zkRoot = `/flink-${namespace}`;
  const env = withOperator({
    namespaces: [namespace],
    serviceAccount: false,
    operator: { taskQueue: uniqueName('fso-cli'), readinessDeadlineSeconds: REAL_FLINK_READY_MS / 1000 },
  });
  let s3: S3Client;
  let zk: TestZooKeeper;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    const stack = stackEndpoints();
    s3 = stackS3Client(stack.s3);
    zk = await connectTestZooKeeper(stack.zookeeper.connect);
    cliEnv = {
      KUBECONFIG: stack.kubernetes.kubeconfig,
      TEMPORAL_ADDRESS: stack.temporal.address,
      TEMPORAL_NAMESPACE: stack.temporal.namespace,
      TEMPORAL_UI_URL: stack.temporal.uiUrl,
    };
    const spec: FlinkSessionSpec = {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      autoClean: true,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: stack.s3.endpoint, bucket, credentialsSecret: { name: S3_SECRET } },
      ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: zkRoot },
    };
    await env.sessions.create(name, spec);
    await env.sessions.waitReady(name, 1, REAL_FLINK_READY_MS);
    await eventually('the kubelet to record the first launch', async () => (env.kubelet.runs.length === 1 ? true : undefined));
  }, REAL_FLINK_TEST_MS);

  afterAll(() => {
    zk?.close();
    s3?.destroy();
  });

  /** Everything a redeploy of this session would touch, counted. */
  async function world() {
    const deployment = await env.apps.readNamespacedDeployment({ namespace, name });
    const pods = await env.core.listNamespacedPod({ namespace, labelSelector: `app=${name}` });
    const znodes = await zk.created(`${zkRoot}/${name}`);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const cleared = (key: string | undefined) => [`${name}/flink/ha/`, `${name}/flink/checkpoints/`].some((prefix) => key?.startsWith(prefix));
    const clearedVersions = (versions.Versions ?? []).filter((v) => cleared(v.Key));
    return {
      deploymentUid: deployment.metadata?.uid,
      pods: pods.items.map((p) => p.metadata?.name).sort(),
      /** Every znode under the session's root, with its creation (a JobManager's ephemeral ones marked). */
      znodeList: znodes,
      znodes: znodes.length,
      // With its time: versitygw gives a "directory" object (a key ending in /, as Flink's job-result-store/<name>/) version
      // null even in a versioned bucket, so one written again has the same key and version.
      s3: [
        ...(versions.Versions ?? []).map((v) => `${v.Key}@${v.VersionId} ${v.LastModified?.toISOString()}`),
        ...(versions.DeleteMarkers ?? []).map((m) => `marker ${m.Key}`),
      ].sort(),
      /** What a redeploy's S3 purge would delete, counted as the plan and the metrics count it. */
      s3Cleared: {
        objects: clearedVersions.filter((v) => v.IsLatest).length,
        versions: clearedVersions.length,
        deleteMarkers: (versions.DeleteMarkers ?? []).filter((m) => cleared(m.Key)).length,
        bytes: clearedVersions.reduce((sum, v) => sum + (v.Size ?? 0), 0),
      },
      events: (await env.sessions.eventReasons(name)).length,
      launches: env.kubelet.runs.length,
    };
  }

  it('plan lists what a redeploy would delete, with counts, and changes nothing', async () => {
    for (const path of [`${zkRoot}/${name}/leader/rest_server`, `${zkRoot}/${name}/jobs/abc`]) await zk.mkdirp(path);
    // The operator created the bucket; versioned, as HA buckets often are, an overwrite keeps the old version.
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const [key, body] of [
      [`${name}/flink/ha/metadata/a`, 'aaaa'],
      [`${name}/flink/checkpoints/c1/_metadata`, 'v1'],
      [`${name}/flink/checkpoints/c1/_metadata`, 'v2-longer'],
      [`${name}/flink/savepoints/sp1`, 'keep me'],
    ] as const) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
    const before = await world();
    console.log(`under ${zkRoot}/${name}:\n  ${before.znodeList.join('\n  ')}\nin the bucket:\n  ${before.s3.join('\n  ')}`);
    // The 5 znodes the test made (orders, leader, leader/rest_server, jobs, jobs/abc) and those Flink's JobManager wrote;
    // the 3 object versions the test wrote and any Flink did.
    expect(before.znodes).toBeGreaterThan(5);
    const { objects, versions, deleteMarkers, bytes } = before.s3Cleared;
    expect(versions).toBeGreaterThanOrEqual(3);
    const text = await cli(['plan', `${namespace}/${name}`], cliEnv);
    const json = await cli(['plan', `${namespace}/${name}`, '--json'], cliEnv);
    const after = await world();

    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain(`redeploy plan for FlinkSession ${namespace}/${name} (generation 1); nothing has been changed`);
    expect(text.stdout).toContain(`deployment/${name}`);
    expect(text.stdout).toContain(`ZooKeeper HA: ${before.znodes} znodes under ${zkRoot}/${name}`);
    expect(text.stdout).toContain(
      `S3: ${objects} objects, ${versions} object versions and ${deleteMarkers} delete markers (${bytes} bytes) under s3://${bucket}/${name}/flink/ha/ ` +
        `and s3://${bucket}/${name}/flink/checkpoints/`,
    );
    expect(text.stdout).toMatch(new RegExp(`the old launch Jobs: ${name}-launch-g1-[a-z0-9]{6}-0`));
    const plan = JSON.parse(json.stdout) as RedeployPlan;
    expect(plan.flinkCluster).toEqual(expect.arrayContaining([`deployment/${name}`, ...before.pods.map((p) => `pod/${p}`)]));
    expect(plan.zookeeper).toEqual({ quorum: stackEndpoints().zookeeper.connect, path: `${zkRoot}/${name}`, znodes: before.znodes });
    expect(plan.s3?.counts).toEqual(before.s3Cleared);

    expect(after).toEqual(before);
  });

  it("status shows the workflow's phase and generations; a session without a workflow is an error that says what to check", async () => {
    const shown = await cli(['status', `${namespace}/${name}`], cliEnv);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`workflow:            flinksession/${namespace}/${name}`);
    expect(shown.stdout).toContain('phase:               Running');
    expect(shown.stdout).toContain('deployed generation: 1');
    expect(shown.stdout).toContain(
      `Temporal UI:         ${stackEndpoints().temporal.uiUrl}/namespaces/default/workflows/flinksession%2F${namespace}%2F${name}`,
    );

    const missing = await cli(['status', `${namespace}/nothing-here`], cliEnv);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`no workflow flinksession/${namespace}/nothing-here in Temporal namespace "default"`);
  });

  it('--help of every command says what it does and lists its flags with their variables', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['run', 'watcher', 'worker', 'status', 'redeploy', 'plan']) expect(top.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const flagsOf = {
      run: ['--watch-namespaces', '--readiness-deadline-seconds', '--metrics-port'],
      watcher: ['--watch-namespaces', '--drift-policy'],
      worker: ['--readiness-deadline-seconds', '--rest-url-template'],
      status: ['--json', '--temporal-address'],
      redeploy: ['--reason', '--temporal-address'],
      plan: ['--json', '--kubeconfig'],
    };
    for (const [command, flags] of Object.entries(flagsOf)) {
      const help = await cli([command, '--help']);
      expect(help.code, command).toBe(0);
      for (const flag of flags) expect(help.stdout, `${command} ${flag}`).toContain(flag);
    }
    expect((await cli(['watcher', '--help'])).stdout.replace(/\s+/g, ' ')).toContain('(env FSO_DRIFT_POLICY; default redeploy)');
    const dev = await cli(['--help'], {}, DEV_PROGRAM);
    expect(dev.code, dev.stderr).toBe(0);
    for (const flag of ['--state-dir', '--fresh', '--no-example']) expect(dev.stdout, `dev ${flag}`).toContain(flag);
    expect((await cli(['--no-such-flag'], {}, DEV_PROGRAM)).code).toBe(2);
    expect((await cli(['dev'])).stderr).toContain("unknown command 'dev'");
    const unknown = await cli(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deploy'");
    const missing = await cli(['status']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'namespace/name'");
  });

  it('bad settings and arguments stop with exit code 2 and a message naming what to fix', async () => {
    const badAddress = await cli(['status', `${namespace}/${name}`, '--temporal-address', 'http://temporal'], cliEnv);
    expect(badAddress.code).toBe(2);
    expect(badAddress.stderr).toContain('TEMPORAL_ADDRESS must be host:port');
    const badTarget = await cli(['redeploy', name], cliEnv);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toContain(`"${name}" is not <namespace>/<name> of a FlinkSession`);
    const badKubeconfig = await cli(['plan', `${namespace}/${name}`, '--kubeconfig', '/nonexistent/kubeconfig'], cliEnv);
    expect(badKubeconfig.code).toBe(2);
    expect(badKubeconfig.stderr).toContain('KUBECONFIG: cannot read /nonexistent/kubeconfig (ENOENT)');
    const missingTls = await cli(
      ['status', `${namespace}/${name}`, '--temporal-tls-cert', '/nonexistent/client.pem', '--temporal-tls-key', '/nonexistent/client.key'],
      cliEnv,
    );
    expect(missingTls.code).toBe(2);
    expect(missingTls.stderr).toContain('TEMPORAL_TLS_CERT: cannot read the Temporal TLS client certificate /nonexistent/client.pem');
    const notPem = await cli(['status', `${namespace}/${name}`, '--temporal-tls-ca', PROGRAM], cliEnv);
    expect(notPem.code).toBe(2);
    expect(notPem.stderr).toContain(`TEMPORAL_TLS_CA: ${PROGRAM} is not a PEM file`);
    const badWorker = await cli(['worker', '--metrics-port', 'http', '--poll-interval-ms', '0'], cliEnv);
    expect(badWorker.code).toBe(2);
    expect(badWorker.stderr).toContain('invalid worker configuration');
    expect(badWorker.stderr).toContain('FSO_POLL_INTERVAL_MS must be a positive whole number (got "0")');
    expect(badWorker.stderr).toContain('FSO_METRICS_PORT must be a port number');
    const busy = createServer().listen(0, '0.0.0.0');
    await once(busy, 'listening');
    const busyPort = (busy.address() as AddressInfo).port;
    const portTaken = await cli(['worker', '--metrics-port', String(busyPort)], cliEnv).finally(() => busy.close());
    expect(portTaken.code).toBe(2);
    expect(portTaken.stderr).toContain(`FSO_METRICS_PORT: cannot serve /metrics, /healthz and /readyz on port ${busyPort} (listen EADDRINUSE`);
    const unreachable = await cli(['redeploy', `${namespace}/${name}`, '--temporal-address', '127.0.0.1:1'], cliEnv);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot connect to Temporal at 127.0.0.1:1');
  });

  it(
    "redeploy redeploys the unchanged spec; the worker's /metrics then counts it, with its step durations and what autoClean deleted",
    async () => {
      const before = await world();
      const requested = await cli(['redeploy', `${namespace}/${name}`, '--reason', 'cli test'], cliEnv);
      expect(requested.code).toBe(0);
      expect(requested.stdout).toContain(`redeploy of ${namespace}/${name} requested (cli test)`);
      await eventually(
        'the redeploy to finish',
        async () => {
          const reasons = (await env.sessions.eventReasons(name)).slice(before.events);
          return reasons.at(-1) === 'Ready' ? reasons : undefined;
        },
        REAL_FLINK_READY_MS,
      ).then((reasons) => expect(reasons).toEqual(['Redeploying', 'JobManagerDeleted', 'HaCleared', 'S3Purged', 'Launched', 'Ready']));
      const after = await world();
      expect(after.deploymentUid).not.toBe(before.deploymentUid);
      // The new JobManager writes znodes and objects of its own: of the old ones only the savepoints are left.
      expect(after.znodeList.filter((z) => before.znodeList.includes(z))).toEqual([]);
      expect(after.s3.filter((v) => before.s3.includes(v))).toEqual(before.s3.filter((v) => v.startsWith(`${name}/flink/savepoints/`)));

      const metrics = await (await fetch(`http://127.0.0.1:${env.operator.worker.metricsPort}/metrics`)).text();
      expect(sample(metrics, 'fso_redeploys_total', { kind: 'redeploy', outcome: 'ready' })).toBe(1);
      expect(sample(metrics, 'fso_redeploys_total', { kind: 'deploy', outcome: 'ready' })).toBe(1);
      expect(sample(metrics, 'fso_redeploy_duration_seconds_count', { kind: 'redeploy', outcome: 'ready' })).toBe(1);
      expect(sample(metrics, 'fso_redeploy_duration_seconds_sum', { kind: 'redeploy', outcome: 'ready' })).toBeGreaterThan(0);
      for (const step of [
        'deleteJobManagerDeployment',
        'waitForFlinkClusterGone',
        'clearZooKeeperHa',
        'purgeS3Prefixes',
        'submitLaunchJob',
        'waitForJobManagerReady',
      ]) {
        expect(sample(metrics, 'fso_step_duration_seconds_count', { activityType: step, outcome: 'ok' }), step).toBeGreaterThanOrEqual(1);
      }
      expect(sample(metrics, 'fso_step_duration_seconds_bucket', { activityType: 'waitForJobManagerReady', outcome: 'ok', le: '+Inf' })).toBeGreaterThanOrEqual(
        2,
      );
      // The clear deletes what is there once the old JobManager is gone: a JobManager that stops removes its own leader
      // entries under leader/ first (measured: 13 znodes before, 6 deleted), one killed leaves them to the clear.
      const deletedZnodes = sample(metrics, 'fso_znodes_deleted_total', {});
      expect(deletedZnodes).toBeGreaterThanOrEqual(before.znodeList.filter((z) => !z.startsWith(`${zkRoot}/${name}/leader/`)).length);
      expect(deletedZnodes).toBeLessThanOrEqual(before.znodes);
      expect(sample(metrics, 'fso_s3_objects_deleted_total', {})).toBe(before.s3Cleared.versions + before.s3Cleared.deleteMarkers);
      expect(sample(metrics, 'fso_s3_bytes_deleted_total', {})).toBe(before.s3Cleared.bytes);
      expect(metrics).toMatch(/^temporal_worker_task_slots_available\{/m);
      // What deploy/monitoring's FlinkSessionOperatorNoWorkerPolling alert reads, with the labels it selects on.
      expect(sample(metrics, 'temporal_num_pollers', { poller_type: 'workflow_task', task_queue: env.taskQueue })).toBeGreaterThan(0);

      // The workflow emits the Ready event before it writes the Ready status, and the watcher's informer sees that status a
      // moment later: its gauge is read once it has.
      const watcherMetrics = await eventually(
        "the watcher's informer to see the Ready status",
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${env.operator.watcher.metricsPort}/metrics`)).text();
          return sample(text, 'fso_session_condition', { namespace, name, condition: 'Ready' }) === 1 ? text : undefined;
        },
        10_000,
      );
      expect(sample(watcherMetrics, 'fso_watcher_signals_sent_total', { signal: 'specChanged', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(sample(watcherMetrics, 'fso_watcher_sessions', {})).toBe(1);
      expect(sample(watcherMetrics, 'fso_session_condition', { namespace, name, condition: 'Degraded' })).toBe(0);
      expect(watcherMetrics).toContain(`fso_session_condition{namespace="${namespace}",name="${name}",condition="Degraded"} 0`);
      for (const port of [env.operator.worker.metricsPort, env.operator.watcher.metricsPort]) {
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(`${ready.status} ${await ready.text()}`).toBe('200 ok\n');
      }
    },
    REAL_FLINK_TEST_MS,
  );
});
