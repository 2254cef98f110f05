// FlinkSessionJobs on real Flink: the JobManager and TaskManagers run as Flink's own processes
// (stack/flink-kubelet.ts, with flink-runtime-web as in a real image), the jar is the sample job served
// from the stack's S3, and the operator (watcher and worker processes) does the rest: a job applied
// before its session waits; once the session is Ready the workflow streams the jar to /jars/upload,
// runs it with its fixed job id and checks it RUNNING; a delete stops it with a savepoint (or cancels
// it, stateless) and releases the finalizer; a change of args is carried by upgradeMode (savepoint: the
// counts go on from the savepoint; stateless: from zero; last-state: from the checkpoint its cancel
// retained); a suspend stops it with a savepoint and a resume restores from it; a job Flink fails later
// (its TaskManager gone, no restarts left) is reported with Flink's root cause; a jar that is not
// there ends Degraded.
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as k8s from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowId } from '../../model/names.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestProxy, type FlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { stackS3Client } from '../../stack/s3.ts';
import { checkpointStats, clientVersion, highestCount, listJobs } from '../../stack/flink-jobs.ts';
import { historySteps } from '../support/history-steps.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { sessionJobApi } from '../support/session-jobs.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

const execFileAsync = promisify(execFile);

describe.each(['1.20', '2.1'])('FlinkSessionJobs on a session of Flink %s', (flinkVersion) => {
  const namespace = uniqueName('fsj');
  const session = 'jobs';
  const bucket = uniqueName('fsj-state');
  const jarKey = 'jars/keyed-counter.jar';
  let kc: k8s.KubeConfig;
  let kubelet: LaunchKubelet;
  let proxy: FlinkRestProxy;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;
  let jobs: ReturnType<typeof sessionJobApi>;
  let s3: S3Client;
  let counterJobId = '';

  const rest = (): string => proxy.urlTemplate.replace('{namespace}', namespace).replace('{name}', session);
  const restJson = async <T>(path: string): Promise<T> => (await (await fetch(`${rest()}${path}`)).json()) as T;
  const kubectl = (args: string[]) =>
    execFileAsync('kubectl', [...args, '--namespace', namespace], { env: { ...process.env, KUBECONFIG: stackEndpoints().kubernetes.kubeconfig } });

  beforeAll(async () => {
    const stack = stackEndpoints();
    kc = kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 's3' }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey } },
    });
    // Jar credentials of the jobs' own (jarCredentialsSecret): the right keys under other names, and wrong ones.
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'jar-reader' }, stringData: { id: stack.s3.accessKeyId, key: stack.s3.secretAccessKey } },
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'jar-bad-keys' }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: 'not-the-key' } },
    });
    s3 = stackS3Client(stack.s3);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const version = clientVersion(stack.flink, flinkVersion);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: jarKey, Body: readFileSync(stack.flink.sampleJobs[version]!) }));
    kubelet = startLaunchKubelet(kc, stack, namespace, { flinkPods: 'process' });
    proxy = await startFlinkRestProxy((ns, name) => kubelet.flink!.restUrl(ns, name));
    operator = await startOperator({ stack, namespace, taskQueue: uniqueName('fso'), restUrlTemplate: proxy.urlTemplate, readinessDeadlineSeconds: 240 });
    sessions = sessionApi(kc, namespace);
    jobs = sessionJobApi(kc, namespace);
  });

  afterAll(async () => {
    for (const name of ['counter', 'stateless', 'laststate', 'missing-jar', 'bad-keys', 'not-a-job']) await jobs?.remove(name).catch(() => undefined);
    await sessions?.remove(session).catch(() => undefined);
    await eventually(`${session} to be gone`, async () => ((await sessions.read(session)) === undefined ? true : undefined), 180_000).catch(() => undefined);
    await operator?.stop();
    await kubelet?.stop();
    await proxy?.close();
    s3?.destroy();
  });

  it('a job applied before its session waits for it, then runs with its fixed job id (kubectl wait --for=condition=Ready flsj/counter)', async () => {
    const stack = stackEndpoints();
    await jobs.create('counter', {
      session,
      jar: `s3://${bucket}/${jarKey}`,
      args: ['4', '20'],
      jarCredentialsSecret: { name: 'jar-reader', accessKeyKey: 'id', secretKeyKey: 'key' },
    });
    const waiting = await jobs.waitCondition('counter', 'Progressing', 'True', 60_000, 'WaitingForSession');
    expect(waiting.metadata.finalizers).toContain('flink.session-operator.io/job-finalizer');
    expect(waiting.status?.conditions?.find((c) => c.type === 'Progressing')?.message).toContain(`FlinkSession ${namespace}/${session} does not run (yet)`);

    await sessions.create(session, {
      image: `example.invalid/flink:${flinkVersion}`,
      flinkVersion,
      numberOfTaskSlots: 2,
      s3: { endPoint: stack.s3.endpoint, bucket, credentialsSecret: { name: 's3' } },
    });
    await sessions.waitReady(session, 1, 300_000);
    const sessionReadyAt = Date.now();
    const waited = kubectl(['wait', '--for=condition=Ready', 'flsj/counter', '--timeout=240s']);
    const { stdout } = await waited;
    expect(stdout).toContain('flinksessionjob.flink.session-operator.io/counter condition met');
    console.log(`Flink ${flinkVersion}: FlinkSessionJob Ready ${((Date.now() - sessionReadyAt) / 1000).toFixed(1)} s after its session`);

    const ready = (await jobs.read('counter'))!;
    counterJobId = ready.status!.jobId!;
    expect(counterJobId).toMatch(/^[0-9a-f]{32}$/);
    expect(ready.status).toMatchObject({ jobState: 'RUNNING', observedGeneration: 1 });
    expect(ready.status?.conditions?.find((c) => c.type === 'Degraded')?.status).toBe('False');
    // Flink runs exactly this one job, under the fixed id, and it counts.
    const listed = await listJobs(rest());
    expect(listed.map((j) => [j.jid, j.state])).toEqual([[counterJobId, 'RUNNING']]);
    const count = await eventually(
      'the job to count',
      async () => {
        const value = await highestCount(rest(), counterJobId).catch(() => undefined);
        return value !== undefined && value > 0 ? value : undefined;
      },
      120_000,
    );
    expect(count).toBeGreaterThan(0);
    // The upload was removed once the job ran: nothing of the submission is left behind in Flink.
    expect((await restJson<{ files: unknown[] }>('/jars')).files).toEqual([]);
    expect(await jobs.eventReasons('counter')).toEqual(expect.arrayContaining(['Submitted', 'Running']));
    // The Temporal history shows the steps: the check, the upload and run, the wait until it runs.
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const history = await new Client({ connection, namespace: stack.temporal.namespace }).workflow.getHandle(workflowId(namespace, session)).fetchHistory();
      const activities = historySteps(history.events ?? []).map((step) => step.type);
      const submitted = activities.indexOf('submitFlinkJob');
      expect(submitted).toBeGreaterThan(activities.indexOf('waitForJobManagerReady'));
      expect(activities.slice(submitted - 2, submitted + 4)).toEqual([
        'checkSessionJob',
        'reportJobStatus',
        'submitFlinkJob',
        'recordJobEvent',
        'reportJobStatus',
        'waitForFlinkJobRunning',
      ]);
    } finally {
      await connection.close();
    }
  }, 600_000);

  it("kubectl get flsj shows the session, Flink's state and the job id", async () => {
    const { stdout } = await kubectl(['get', 'flsj', 'counter']);
    const row = stdout.trim().split('\n')[1]!.split(/\s+/);
    expect(row.slice(0, 4)).toEqual(['counter', session, 'RUNNING', counterJobId]);
  });

  it('a change of args (upgradeMode savepoint): stopped with a savepoint, resubmitted from it under a new id, its counts go on', async () => {
    const before = await eventually(
      'the counter to pass 20',
      async () => {
        const value = await highestCount(rest(), counterJobId).catch(() => undefined);
        return value !== undefined && value > 20 ? value : undefined;
      },
      120_000,
    );
    const patched = await jobs.patch('counter', { spec: { args: ['4', '40'] } });
    expect(patched.metadata.generation).toBe(2);
    const ready = await jobs.waitCondition('counter', 'Ready', 'True', 240_000);
    const newJobId = ready.status!.jobId!;
    expect(newJobId).not.toBe(counterJobId);
    expect(ready.status?.lastSavepoint?.path).toMatch(new RegExp(`/${session}/flink/savepoints/savepoint-${counterJobId.slice(0, 6)}-`));
    expect(ready.status?.lastSavepoint?.reason).toBe('upgrade');
    const listed = await listJobs(rest());
    expect(listed.filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toEqual([newJobId]);
    expect(listed.find((j) => j.jid === counterJobId)?.state).toBe('FINISHED');
    // Restored from the savepoint: each key's count goes on from where it was, so the highest is at least what it was.
    const after = await eventually(
      'the new job to count',
      async () => {
        const value = await highestCount(rest(), newJobId).catch(() => undefined);
        return value !== undefined && value > 0 ? value : undefined;
      },
      120_000,
    );
    expect(after).toBeGreaterThanOrEqual(before);
    expect((await checkpointStats(rest(), newJobId)).restoredId).toBeDefined();
    counterJobId = newJobId;
  }, 600_000);

  it('delete (upgradeMode savepoint): the job stops with a savepoint under <session>/flink/savepoints/, then the finalizer goes', async () => {
    await jobs.remove('counter');
    await jobs.waitGone('counter', 240_000);
    const job = await restJson<{ state: string }>(`/jobs/${counterJobId}`);
    expect(job.state).toBe('FINISHED');
    const savepoints = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${session}/flink/savepoints/` }))).Contents ?? [];
    expect(savepoints.map((o) => o.Key)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${session}/flink/savepoints/savepoint-${counterJobId.slice(0, 6)}-[0-9a-f]+/_metadata$`))]),
    );
    expect(await jobs.eventReasons('counter')).toEqual(expect.arrayContaining(['SavepointTaken']));
  }, 300_000);

  it('upgradeMode stateless: a change cancels the job and starts afresh; a delete cancels it, then the finalizer goes', async () => {
    await jobs.create('stateless', { session, jar: `s3://${bucket}/${jarKey}`, upgradeMode: 'stateless' });
    const first = (await jobs.waitCondition('stateless', 'Ready', 'True', 240_000)).status!.jobId!;
    const before = await eventually(
      'the counter to pass 40',
      async () => {
        const value = await highestCount(rest(), first).catch(() => undefined);
        return value !== undefined && value > 40 ? value : undefined;
      },
      120_000,
    );
    // A change of a stateless job: cancelled, and the new one starts from zero (slower, one number a
    // second per key, so its counts stay below the old ones for the old ones' 40 s).
    await jobs.patch('stateless', { spec: { args: ['4', '4'] } });
    const ready = await jobs.waitCondition('stateless', 'Ready', 'True', 240_000);
    const jobId = ready.status!.jobId!;
    expect(jobId).not.toBe(first);
    expect((await restJson<{ state: string }>(`/jobs/${first}`)).state).toBe('CANCELED');
    const after = await eventually(
      'the new job to count',
      async () => {
        const value = await highestCount(rest(), jobId).catch(() => undefined);
        return value !== undefined && value > 0 ? value : undefined;
      },
      120_000,
    );
    expect(after).toBeLessThan(before);
    expect((await checkpointStats(rest(), jobId)).restoredId).toBeUndefined();
    await jobs.remove('stateless');
    await jobs.waitGone('stateless', 240_000);
    expect((await restJson<{ state: string }>(`/jobs/${jobId}`)).state).toBe('CANCELED');
  }, 600_000);

  /** The job's highest count once it passed `above`, and a checkpoint completed after it was read (what a restore starts from). */
  const countedAndCheckpointed = async (jobId: string, above: number): Promise<number> => {
    const count = await eventually(
      `the counter to pass ${above}`,
      async () => {
        const value = await highestCount(rest(), jobId).catch(() => undefined);
        return value !== undefined && value > above ? value : undefined;
      },
      120_000,
    );
    const completed = (await checkpointStats(rest(), jobId)).completed;
    await eventually('a checkpoint after it', async () => ((await checkpointStats(rest(), jobId)).completed > completed + 1 ? true : undefined), 60_000);
    return count;
  };
  const countsFrom = (jobId: string) =>
    eventually(
      'the new job to count',
      async () => {
        const value = await highestCount(rest(), jobId).catch(() => undefined);
        return value !== undefined && value > 0 ? value : undefined;
      },
      120_000,
    );
  let lastStateJobId = '';

  it('upgradeMode last-state: a change cancels the job and resubmits it from its latest retained checkpoint; its counts go on', async () => {
    await jobs.create('laststate', { session, jar: `s3://${bucket}/${jarKey}`, upgradeMode: 'last-state' });
    const first = (await jobs.waitCondition('laststate', 'Ready', 'True', 240_000)).status!.jobId!;
    const before = await countedAndCheckpointed(first, 20);
    await jobs.patch('laststate', { spec: { args: ['4', '40'] } });
    const ready = await jobs.waitCondition('laststate', 'Ready', 'True', 240_000);
    lastStateJobId = ready.status!.jobId!;
    expect(lastStateJobId).not.toBe(first);
    // Cancelled, not stopped with a savepoint; restored from the checkpoint its cancel retained.
    expect((await restJson<{ state: string }>(`/jobs/${first}`)).state).toBe('CANCELED');
    expect(ready.status?.lastSavepoint).toBeUndefined();
    const restored = await checkpointStats(rest(), lastStateJobId);
    expect(restored.restoredPath).toMatch(new RegExp(`^s3://${bucket}/${session}/flink/checkpoints/${first}/chk-\\d+$`));
    expect(await countsFrom(lastStateJobId)).toBeGreaterThanOrEqual(before);
    expect((await listJobs(rest())).filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toContain(lastStateJobId);
  }, 600_000);

  it('state: suspended stops the job with a savepoint and runs nothing; state: running resumes it from that savepoint, its counts going on', async () => {
    const before = await countedAndCheckpointed(lastStateJobId, 0);
    await jobs.patch('laststate', { spec: { state: 'suspended' } });
    const suspended = await jobs.waitCondition('laststate', 'Ready', 'False', 240_000, 'Suspended');
    expect(suspended.status?.lastSavepoint).toMatchObject({ reason: 'suspend', path: expect.stringContaining(`/${session}/flink/savepoints/savepoint-`) });
    expect(suspended.status?.conditions?.find((c) => c.type === 'Degraded')?.status).toBe('False');
    expect((await restJson<{ state: string }>(`/jobs/${lastStateJobId}`)).state).toBe('FINISHED');
    expect((await listJobs(rest())).filter((j) => j.state === 'RUNNING')).toEqual([]);
    expect(await jobs.eventReasons('laststate')).toEqual(expect.arrayContaining(['SavepointTaken', 'Suspended']));
    const savepoint = suspended.status!.lastSavepoint!.path!;

    // The resume: a job that Flink fails once it fails (restart-strategy none), for the next test.
    await jobs.patch('laststate', { spec: { state: 'running', flinkConfiguration: { 'restart-strategy.type': 'none' } } });
    const resumed = await jobs.waitCondition('laststate', 'Ready', 'True', 240_000);
    const resumedId = resumed.status!.jobId!;
    expect(resumedId).not.toBe(lastStateJobId);
    expect((await checkpointStats(rest(), resumedId)).restoredPath).toBe(savepoint.replace(/\/$/, ''));
    expect(await countsFrom(resumedId)).toBeGreaterThanOrEqual(before);
    lastStateJobId = resumedId;
  }, 600_000);

  it("a job Flink fails later (its TaskManager lost, no restarts left) is Degraded with Flink's root cause, and is not resubmitted", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const taskManagers = kubelet.flink!.running().filter((p) => p.namespace === namespace && p.session === session && p.component === 'taskmanager');
    expect(taskManagers.length).toBeGreaterThan(0);
    for (const tm of taskManagers) await core.deleteNamespacedPod({ namespace, name: tm.pod, gracePeriodSeconds: 0 });
    const failed = await jobs.waitCondition('laststate', 'Degraded', 'True', 180_000);
    expect(failed.status).toMatchObject({ jobId: lastStateJobId, jobState: 'FAILED' });
    expect(failed.status?.conditions?.find((c) => c.type === 'Degraded')?.reason).toBe('JobFailed');
    if (!failed.status?.rootCause)
      console.log('Flink answered /exceptions with', JSON.stringify(await restJson(`/jobs/${lastStateJobId}/exceptions`)).slice(0, 2000));
    expect(failed.status?.rootCause).toBeTruthy();
    expect(failed.status?.lastError).toContain('not submitted again until the FlinkSessionJob changes');
    expect(await jobs.eventReasons('laststate')).toContain('JobFailed');
    // Not resubmitted blindly: a while later Flink still runs nothing of it.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await listJobs(rest())).filter((j) => j.state === 'RUNNING')).toEqual([]);
    await jobs.remove('laststate');
    await jobs.waitGone('laststate', 120_000);
  }, 300_000);

  it('a jar URL that is not there ends Degraded with a message naming it; nothing is submitted or left uploaded', async () => {
    const jar = `s3://${bucket}/jars/missing.jar`;
    const before = (await listJobs(rest())).map((j) => j.jid).sort();
    await jobs.create('missing-jar', { session, jar });
    const degraded = await jobs.waitCondition('missing-jar', 'Degraded', 'True', 120_000);
    const condition = degraded.status?.conditions?.find((c) => c.type === 'Degraded');
    expect(condition?.reason).toBe('JarNotFound');
    expect(condition?.message).toContain(jar);
    expect(degraded.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(degraded.status?.jobId).toBeUndefined();
    expect((await listJobs(rest())).map((j) => j.jid).sort()).toEqual(before);
    expect((await restJson<{ files: unknown[] }>('/jars')).files).toEqual([]);
    await jobs.remove('missing-jar');
    await jobs.waitGone('missing-jar', 120_000);
  }, 300_000);

  it('a jar its jarCredentialsSecret may not read ends Degraded (JarNotReadable), naming the Secret; nothing is submitted', async () => {
    await jobs.create('bad-keys', { session, jar: `s3://${bucket}/${jarKey}`, jarCredentialsSecret: { name: 'jar-bad-keys' } });
    const degraded = await jobs.waitCondition('bad-keys', 'Degraded', 'True', 120_000);
    const condition = degraded.status?.conditions?.find((c) => c.type === 'Degraded');
    expect(condition?.reason).toBe('JarNotReadable');
    expect(condition?.message).toContain(`jarCredentialsSecret (Secret ${namespace}/jar-bad-keys) may not read the jar s3://${bucket}/${jarKey}`);
    expect(degraded.status?.jobId).toBeUndefined();
    await jobs.remove('bad-keys');
    await jobs.waitGone('bad-keys', 120_000);
  }, 300_000);

  it("a jar that is not a Flink job ends Degraded (JobRunFailed) with Flink's reason; nothing is left uploaded", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'jars/not-a-job.jar', Body: 'this is no jar' }));
    await jobs.create('not-a-job', { session, jar: `s3://${bucket}/jars/not-a-job.jar`, upgradeMode: 'stateless' });
    const degraded = await jobs.waitCondition('not-a-job', 'Degraded', 'True', 120_000);
    const condition = degraded.status?.conditions?.find((c) => c.type === 'Degraded');
    expect(condition?.reason).toBe('JobRunFailed');
    expect(condition?.message).toContain(`Flink could not run the jar s3://${bucket}/jars/not-a-job.jar`);
    expect((await listJobs(rest())).filter((j) => j.state === 'RUNNING')).toEqual([]);
    expect((await restJson<{ files: unknown[] }>('/jars')).files).toEqual([]);
    await jobs.remove('not-a-job');
    await jobs.waitGone('not-a-job', 120_000);
  }, 300_000);

  it("replays every run of the session's workflow, job steps included, with today's workflow code (determinism)", async () => {
    const { temporal } = stackEndpoints();
    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection, namespace: temporal.namespace });
      const histories = client.workflow.list({ query: `WorkflowId="${workflowId(namespace, session)}"` }).intoHistories();
      const failures: string[] = [];
      let checked = 0;
      for await (const result of Worker.runReplayHistories({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)) }, histories)) {
        checked += 1;
        if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
      }
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThanOrEqual(1);
    } finally {
      await connection.close();
    }
  }, 120_000);
});
