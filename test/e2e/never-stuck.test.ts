// Never stuck, never silent (on the real stack): a refused value is refused before anything goes down,
// a step that keeps failing shows in kubectl, every wait ends, a delete always ends (and says what it
// left behind), a namespace with a FlinkSession in it goes away, a new workflow run adopts instead of
// redeploying, an ended application is not relaunched, and a retried step records its Event once.
// The sessions run Flink's own JobManagers (stack/flink-kubelet.ts): Ready means the JobManager's REST
// answered, an adopted JobManager is the process that ran before, and the application's JobManager
// runs the sample job: once its job is cancelled, Flink ends the application and removes its own
// Deployment. A session is deleted once no later test needs it.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSession, FlinkSessionSpec } from '../../model/flinksession.ts';
import {
  DEPLOYED_GENERATION_ANNOTATION,
  DEPLOYED_UID_ANNOTATION,
  FINGERPRINT_ANNOTATION,
  FLINK_LABEL_APP,
  FLINK_LABEL_TYPE,
  FLINK_TYPE_NATIVE,
  REDEPLOY_ANNOTATION,
  SKIP_CLEANUP_ANNOTATION,
  workflowId,
} from '../../model/names.ts';
import { listJobs } from '../../stack/flink-jobs.ts';
import { IMAGE_SAMPLE_JOB_JAR } from '../../stack/flink-pod-config.ts';
import { sessionApi } from '../support/sessions.ts';
import { REAL_FLINK_READY_MS, REAL_FLINK_TEST_MS, withOperator } from '../support/operator-harness.ts';
import type { OperatorProcesses } from '../support/operator.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';
import { tcpProxy } from '../support/tcp-proxy.ts';

const run = promisify(execFile);
const CLEANUP_DEADLINE_SECONDS = 30;
const CLUSTER_GONE_DEADLINE_SECONDS = 10;
const HOLD = 'example.com/hold';

// Each test waits for a JobManager or two to start, tens of seconds each on 2 loaded cores.
describe('never stuck, never silent', { timeout: REAL_FLINK_TEST_MS }, () => {
  const namespace = uniqueName('stuck');
  const doomedNamespace = uniqueName('doomed');
  // The readiness deadline is the real-Flink one: no test here lets it expire, and a JobManager's
  // start-up on 2 loaded cores takes tens of seconds.
  const env = withOperator({
    namespaces: [namespace, doomedNamespace],
    s3Secret: false,
    operator: {
      readinessDeadlineSeconds: REAL_FLINK_READY_MS / 1000,
      env: { FSO_CLEANUP_DEADLINE_SECONDS: String(CLEANUP_DEADLINE_SECONDS), FSO_CLUSTER_GONE_DEADLINE_SECONDS: String(CLUSTER_GONE_DEADLINE_SECONDS) },
    },
  });
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;
  let base: FlinkSessionSpec;

  const condition = (session: FlinkSession | undefined, type: string) => session?.status?.conditions?.find((c) => c.type === type);
  const events = async (name: string, ns = namespace) =>
    (await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name},involvedObject.kind=FlinkSession` })).items;
  const launchesOf = (name: string) => env.runs().filter((r) => r.job.startsWith(`${name}-`));
  /** The kubelet records a launch when Flink's client exits, a moment after the JobManager is there. */
  const launchesRecorded = (name: string, count: number) =>
    eventually(`${count} launches of ${name} recorded`, async () => (launchesOf(name).length >= count ? launchesOf(name).map((r) => r.job) : undefined));
  const jobManagerUid = async (name: string) => (await apps.readNamespacedDeployment({ name, namespace })).metadata?.uid;
  /** The pods of the session's running JobManager processes (one, once it is Ready). */
  const jobManagerPods = (name: string, ns = namespace) => env.jobManagers(name, ns).map((p) => p.pod);
  /** Ready at this generation, and Flink's REST answers from the session's one JobManager process. */
  const waitReady = async (name: string, generation: number, ns = namespace, timeoutMs = REAL_FLINK_READY_MS) => {
    const { ready, flinkVersion } = await env.waitServing(name, generation, { namespace: ns, timeoutMs });
    expect(flinkVersion).toMatch(/^1\.20\./);
    return ready;
  };
  /** Deletes a session no later test needs (its JobManager would only take memory and CPU), and waits until it is gone. */
  const retire = async (name: string) => {
    await sessions.remove(name);
    await gone(name, 60_000);
  };
  const gone = (name: string, timeoutMs: number) =>
    eventually(`${namespace}/${name} to be gone`, async () => ((await sessions.read(name)) === undefined ? true : undefined), timeoutMs);
  const temporalCli = (...args: string[]) => {
    const { temporal } = stackEndpoints();
    return run(temporal.cli, [...args, '--address', temporal.address, '--namespace', temporal.namespace]);
  };
  const s3Secret = async (name: string) => {
    const { s3 } = stackEndpoints();
    await core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { accessKey: s3.accessKeyId, secretKey: s3.secretAccessKey } } });
  };

  beforeAll(async () => {
    ({ kc, core, apps, operator, sessions } = env);
    base = { image: 'example.invalid/flink:1.20', sa: 'flink', resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } } };
    await sessions.create('web', base);
    await waitReady('web', 1);
  }, REAL_FLINK_TEST_MS);

  it('a value the API server refuses (sa "Flink") is refused in validation, and the running JobManager stays', async () => {
    const uid = await jobManagerUid('web');
    const pods = jobManagerPods('web');
    const patched = await sessions.patch('web', { spec: { sa: 'Flink' } });
    const refused = await eventually('the edit to be refused', async () => {
      const session = await sessions.read('web');
      return session?.status?.observedGeneration === patched.metadata.generation && session.status.lastError ? session : undefined;
    });
    expect(refused.status?.phase).toBe('Running');
    expect(refused.status?.lastError).toMatch(/serviceAccountName: Invalid value: "Flink"/);
    expect(condition(refused, 'Ready')?.status).toBe('True');
    expect(condition(refused, 'Degraded')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect((await events('web')).map((e) => e.reason)).toContain('InvalidSpec');
    expect(await jobManagerUid('web')).toBe(uid);
    expect(jobManagerPods('web')).toEqual(pods);
    const jobs = await kc.makeApiClient(k8s.BatchV1Api).listNamespacedJob({ namespace });
    expect(jobs.items.map((j) => j.metadata?.name).filter((n) => n?.includes(`-g${patched.metadata.generation}-`))).toEqual([]);
    // Undone: the spec is the one the JobManager runs with, so it is kept, not redeployed.
    const fixed = await sessions.patch('web', { spec: { sa: 'flink' } });
    const kept = await waitReady('web', fixed.metadata.generation);
    expect(condition(kept, 'Degraded')?.status).toBe('False');
    expect(kept.status?.lastError).toBeUndefined();
    expect((await events('web')).map((e) => e.reason)).toContain('SpecUnchanged');
    expect(await jobManagerUid('web')).toBe(uid);
    expect(jobManagerPods('web')).toEqual(pods);
    const deployed = await apps.readNamespacedDeployment({ name: 'web', namespace });
    expect(deployed.metadata?.annotations?.[DEPLOYED_GENERATION_ANNOTATION]).toBe(String(fixed.metadata.generation));
    expect(launchesOf('web').filter((run) => run.job.includes(`-g${fixed.metadata.generation}-`))).toEqual([]);
  });

  it('a step that keeps failing shows in status and a few Events, and a delete cancels the deploy', async () => {
    await s3Secret('nowhere-s3');
    await sessions.create('nowhere', { ...base, s3: { endPoint: '127.0.0.1:1', bucket: 'never', credentialsSecret: { name: 'nowhere-s3' } } });
    const degraded = await eventually(
      'the retrying step to show as Degraded',
      async () => {
        const session = await sessions.read('nowhere');
        return condition(session, 'Degraded')?.status === 'True' ? session : undefined;
      },
      90_000,
    );
    expect(degraded.status?.lastError).toMatch(/^step ensureBucket failed \(attempt \d+\), retrying: /);
    expect(condition(degraded, 'Progressing')).toMatchObject({ status: 'True', reason: 'StepRetrying' });
    expect(condition(degraded, 'Degraded')?.reason).toBe('StepRetrying');
    const attempt = Number(/attempt (\d+)/.exec(degraded.status!.lastError!)![1]);
    expect(attempt).toBeGreaterThanOrEqual(5);
    const retryEvents = (await events('nowhere')).filter((e) => e.reason === 'StepRetrying');
    expect(retryEvents.length).toBeGreaterThanOrEqual(1);
    expect(retryEvents.length).toBeLessThan(attempt); // rate-limited, not one per retry
    expect(retryEvents[0]!.message).toMatch(/step ensureBucket failed \(attempt 1\), retrying: /);

    const deleting = Date.now();
    await sessions.remove('nowhere');
    await gone('nowhere', 30_000);
    expect(Date.now() - deleting).toBeLessThan(CLEANUP_DEADLINE_SECONDS * 1000);
    expect(launchesOf('nowhere')).toEqual([]);
  });

  it('pods stuck Terminating end the wait (ClusterNotGone), and the redeploy annotation retries the failed generation', async () => {
    const stuck = `web-stuck-${uniqueName('p').slice(2)}`;
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: stuck, labels: { [FLINK_LABEL_APP]: 'web', [FLINK_LABEL_TYPE]: FLINK_TYPE_NATIVE }, finalizers: [HOLD] },
        // On a node nobody runs: like a pod on a dead node, it stays Terminating.
        spec: { nodeName: 'node-that-is-gone', containers: [{ name: 'c', image: 'example.invalid/none' }] },
      },
    });
    await core.deleteNamespacedPod({ name: stuck, namespace });
    const before = (await sessions.read('web'))!;
    await sessions.patch('web', { metadata: { annotations: { [REDEPLOY_ANNOTATION]: 'stuck-1' } } });
    const failed = await eventually(
      'the redeploy to fail on the stuck pod',
      async () => {
        const session = await sessions.read('web');
        return session?.status?.phase === 'Failed' ? session : undefined;
      },
      60_000,
    );
    expect(condition(failed, 'Degraded')?.reason).toBe('ClusterNotGone');
    expect(failed.status?.lastError).toContain(`pod/${stuck}`);
    expect((await events('web')).map((e) => e.reason)).toContain('ClusterNotGone');

    await core.patchNamespacedPod(
      { name: stuck, namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    // No kubelet confirms the pod's end on a node that is gone: force it, as an admin would.
    await core.deleteNamespacedPod({ name: stuck, namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
    await eventually('the stuck pod to go', async () =>
      (await core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${stuck}` })).items.length === 0 ? true : undefined,
    );
    const launches = launchesOf('web').length;
    await sessions.patch('web', { metadata: { annotations: { [REDEPLOY_ANNOTATION]: 'stuck-2' } } });
    await eventually('a launch for the retry', async () => (launchesOf('web').length > launches ? true : undefined));
    const ready = await waitReady('web', before.metadata.generation);
    expect(ready.status?.lastError).toBeUndefined();
  });

  it('a new workflow run adopts the running JobManager instead of redeploying it; its launches get new names', async () => {
    const uid = await jobManagerUid('web');
    const pods = jobManagerPods('web');
    // web's launches so far: its create, and the retry after the stuck pods (the undone refusal launched nothing).
    const launches = await launchesRecorded('web', 2);
    await temporalCli('workflow', 'terminate', '--workflow-id', workflowId(namespace, 'web'), '--reason', 'test: a run terminated by hand');
    // A restarted watcher signals every object once more: the new run finds the JobManager Deployment.
    await operator.watcher.stop();
    await operator.startWatcher();
    await eventually('the Adopted event', async () => ((await events('web')).some((e) => e.reason === 'Adopted') ? true : undefined));
    // The Event comes first, then the status people wait on.
    const adopted = await eventually('the adopted status', async () => {
      const session = await sessions.read('web');
      return /adopted the running JobManager/.test(condition(session, 'Ready')?.message ?? '') ? session : undefined;
    });
    expect(adopted.status?.phase).toBe('Running');
    expect(condition(adopted, 'Ready')?.status).toBe('True');
    expect(await jobManagerUid('web')).toBe(uid);
    expect(jobManagerPods('web')).toEqual(pods);
    expect(launchesOf('web').map((r) => r.job)).toEqual(launches);

    const edited = await sessions.patch('web', { spec: { numberOfTaskSlots: 2 } });
    await waitReady('web', edited.metadata.generation);
    const names = await launchesRecorded('web', launches.length + 1);
    expect(names).toHaveLength(launches.length + 1);
    expect(new Set(names).size).toBe(names.length);
  });

  it("a JobManager without the fingerprint (as the earlier Go operator left one) is adopted when Flink's own config matches", async () => {
    const uid = await jobManagerUid('web');
    const pods = jobManagerPods('web');
    const launches = launchesOf('web').length;
    const adoptedBefore = (await events('web')).filter((e) => e.reason === 'Adopted').length;
    await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: { metadata: { annotations: { [FINGERPRINT_ANNOTATION]: null, [DEPLOYED_UID_ANNOTATION]: null, [DEPLOYED_GENERATION_ANNOTATION]: null } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await temporalCli('workflow', 'terminate', '--workflow-id', workflowId(namespace, 'web'), '--reason', 'test: taken over from another operator');
    await operator.watcher.stop();
    await operator.startWatcher();
    const adopted = await eventually('a second Adopted event', async () => {
      const found = (await events('web')).filter((e) => e.reason === 'Adopted');
      return found.length > adoptedBefore ? found : undefined;
    });
    expect(adopted.map((e) => e.message)).toContainEqual(expect.stringMatching(/runs this spec's configuration, as Flink's ConfigMap flink-config-web shows/));
    expect(await jobManagerUid('web')).toBe(uid);
    expect(jobManagerPods('web')).toEqual(pods);
    expect(launchesOf('web')).toHaveLength(launches);
    // Adopted, it is marked as the operator's own.
    await eventually('the fingerprint on the adopted JobManager', async () =>
      (await apps.readNamespacedDeployment({ name: 'web', namespace })).metadata?.annotations?.[FINGERPRINT_ANNOTATION] ? true : undefined,
    );
    await retire('web');
  });

  it('an application whose JobManager Flink removed is reported Finished, not relaunched', async () => {
    await sessions.create('app', { ...base, applicationConfig: { jarPath: IMAGE_SAMPLE_JOB_JAR, args: ['4', '4'] } });
    await waitReady('app', 1);
    await launchesRecorded('app', 1);
    // The sample job never ends on its own: cancelled (as `flink cancel` does), the application ends, and
    // Flink shuts its cluster down, deleting its own JobManager Deployment.
    const rest = env.restUrl('app')!;
    const job = await eventually("the application's job", async () => (await listJobs(rest)).find((j) => j.name === 'keyed-counter'));
    const cancelled = await fetch(`${rest}/jobs/${job.jid}?mode=cancel`, { method: 'PATCH' });
    expect(cancelled.status).toBe(202);
    const finished = await eventually('the application to be Finished', async () => {
      const session = await sessions.read('app');
      return session?.status?.phase === 'Finished' ? session : undefined;
    });
    expect(condition(finished, 'Ready')).toMatchObject({ status: 'False', reason: 'ApplicationEnded' });
    expect((await events('app')).map((e) => e.reason)).toContain('ApplicationEnded');
    await expect(apps.readNamespacedDeployment({ name: 'app', namespace })).rejects.toMatchObject({ code: 404 });
    await eventually("the application's JobManager process to end", async () => (jobManagerPods('app').length === 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(launchesOf('app')).toHaveLength(1);
    expect(jobManagerPods('app')).toEqual([]);
    expect((await sessions.read('app'))?.status?.phase).toBe('Finished');
  });

  it('a step retried after the worker died right after it recorded its Event records that Event once', async () => {
    await operator.worker.stop();
    const doomed = await operator.startWorker({ FSO_FAULT_SIGKILL: 'after:recordEvent' });
    await sessions.create('once', base);
    expect(await doomed.exited).toBe('SIGKILL');
    await operator.startWorker();
    await waitReady('once', 1);
    const reasons = (await events('once')).map((e) => e.reason);
    expect(reasons.filter((r) => r === 'Deploying')).toEqual(['Deploying']);
    expect(reasons.filter((r) => r === 'Ready')).toEqual(['Ready']);
    await retire('once');
  });

  it('a delete whose clean-up cannot succeed ends after the deadline, with a Warning that names what was left', async () => {
    const { s3 } = stackEndpoints();
    const bucket = uniqueName('orphan');
    await s3Secret('orphan-s3');
    await sessions.create('orphan', { ...base, autoClean: true, s3: { endPoint: s3.endpoint, bucket, credentialsSecret: { name: 'orphan-s3' } } });
    await waitReady('orphan', 1);
    // Deleted together, as `kubectl delete -f` of a file with both does: the purge cannot read its credentials.
    const deleting = Date.now();
    await Promise.all([core.deleteNamespacedSecret({ name: 'orphan-s3', namespace }), sessions.remove('orphan')]);
    await eventually(
      'a retrying clean-up step in status',
      async () => ((await sessions.read('orphan'))?.status?.lastError?.includes('purgeS3Prefixes') ? true : undefined),
      30_000,
    );
    await gone('orphan', (CLEANUP_DEADLINE_SECONDS + 60) * 1000);
    // Retried (1 + 2 + 4 + 8 s of backoff) until the next retry would fall past the deadline.
    const took = Date.now() - deleting;
    expect(took).toBeGreaterThanOrEqual(14_000);
    expect(took).toBeLessThan((CLEANUP_DEADLINE_SECONDS + 30) * 1000);
    const warning = (await events('orphan')).find((e) => e.reason === 'CleanupIncomplete');
    expect(warning?.type).toBe('Warning');
    expect(warning?.message).toContain(`s3://${bucket}/orphan/flink/ha/`);
    expect(warning?.message).toContain(`s3://${bucket}/orphan/flink/checkpoints/`);
    expect(warning?.message).toContain('secrets "orphan-s3" not found');
    expect((await events('orphan')).map((e) => e.reason)).toContain('StepRetrying');
    await expect(apps.readNamespacedDeployment({ name: 'orphan', namespace })).rejects.toMatchObject({ code: 404 });
    expect(jobManagerPods('orphan')).toEqual([]);
  });

  // Hung before the fix: the redeploy retried clearing the old quorum, where nothing answers any more, for ever.
  it(
    'a redeploy that moves HA off a ZooKeeper that is gone ends: the old znodes are left behind with a Warning, the new generation runs',
    { timeout: 2 * REAL_FLINK_TEST_MS },
    async () => {
      const { s3, zookeeper } = stackEndpoints();
      const retired = await tcpProxy(new URL(`http://${zookeeper.connect}`));
      try {
        const retiredQuorum = `127.0.0.1:${new URL(retired.url).port}`;
        const bucket = uniqueName('moved');
        await s3Secret('moved-s3');
        const spec: FlinkSessionSpec = {
          ...base,
          autoClean: true,
          // A root of this run's own: the stack's ZooKeeper may hold other sessions named `moved` (refused as shared).
          ha: { type: 'zookeeper', quorum: retiredQuorum, path: `/${namespace}` },
          s3: { endPoint: s3.endpoint, bucket, credentialsSecret: { name: 'moved-s3' } },
        };
        await sessions.create('moved', spec);
        await waitReady('moved', 1);
        await retired.cut();
        await sessions.patch('moved', { spec: { ha: { quorum: zookeeper.connect } } });
        // The old quorum's clear gives up at the clean-up deadline; then the new JobManager starts.
        await waitReady('moved', 2, namespace, CLEANUP_DEADLINE_SECONDS * 1000 + REAL_FLINK_READY_MS);
        const reasons = await sessions.eventReasons('moved');
        // The bucket is where the new generation looks too: purged as in every autoClean redeploy.
        expect(reasons).toContain('S3Purged');
        const warning = (await events('moved')).find((e) => e.reason === 'CleanupIncomplete');
        expect(warning?.type).toBe('Warning');
        expect(warning?.message).toContain(`the znodes under /${namespace}/moved on ${retiredQuorum}`);
        await retire('moved');
      } finally {
        await retired.close();
      }
    },
  );

  it('the skip-cleanup annotation releases the finalizer at once', async () => {
    const { s3 } = stackEndpoints();
    const bucket = uniqueName('skip');
    await s3Secret('skip-s3');
    await sessions.create('skip', { ...base, autoClean: true, s3: { endPoint: s3.endpoint, bucket, credentialsSecret: { name: 'skip-s3' } } });
    await waitReady('skip', 1);
    await Promise.all([core.deleteNamespacedSecret({ name: 'skip-s3', namespace }), sessions.remove('skip')]);
    await eventually(
      'a retrying clean-up step in status',
      async () => ((await sessions.read('skip'))?.status?.lastError?.includes('purgeS3Prefixes') ? true : undefined),
      30_000,
    );
    const annotated = Date.now();
    await sessions.patch('skip', { metadata: { annotations: { [SKIP_CLEANUP_ANNOTATION]: 'true' } } });
    await gone('skip', 20_000);
    expect(Date.now() - annotated).toBeLessThan((CLEANUP_DEADLINE_SECONDS * 1000) / 2);
    const warning = (await events('skip')).find((e) => e.reason === 'CleanupIncomplete');
    expect(warning?.message).toMatch(/s3:\/\/.*skipped: annotation/);
  });

  it('kubectl delete namespace with a FlinkSession in it finishes', async () => {
    const doomed = sessionApi(kc, doomedNamespace);
    await doomed.create('tmp', base);
    await waitReady('tmp', 1, doomedNamespace);
    const started = Date.now();
    await core.deleteNamespace({ name: doomedNamespace });
    await eventually(
      `namespace ${doomedNamespace} to go`,
      async () => {
        try {
          await core.readNamespace({ name: doomedNamespace });
          return undefined;
        } catch (error: unknown) {
          return error instanceof k8s.ApiException && error.code === 404 ? true : undefined;
        }
      },
      120_000,
    );
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(jobManagerPods('tmp', doomedNamespace)).toEqual([]);
  });
});
