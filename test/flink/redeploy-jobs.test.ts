// Jobs across a session redeploy on real Flink (issue 14): a session with ZooKeeper HA and state in S3
// runs two FlinkSessionJobs of the sample stateful job (upgradeMode savepoint and last-state) and one
// job submitted by hand with Flink's own client. An edit of the TaskManager memory redeploys it once;
// before the old JobManager goes, each job is carried, and afterwards both FlinkSessionJobs run again
// with the same fixed job id, their counters going on from before (read from the job's keyed state).
// - autoClean: true (HA and checkpoints purged): both are stopped with savepoints and restored from them;
//   the hand-submitted job's savepoint path is in status.carriedJobs.
// - autoClean: false (HA kept): the savepoint job likewise; the last-state job and the hand-submitted
//   one are left running, and Flink's HA recovers them on the new JobManager (checked, same job ids).
// Then a job whose savepoint cannot be taken (its TaskManager gone, the job waiting to restart) holds a
// redeploy: nothing deleted, the JobManager Deployment's uid unchanged, Degraded naming the job; the
// force-redeploy annotation (the watcher sends the redeploy signal with force) goes on. One Flink
// version keeps the suite's time down (2.1); FSO_TEST_FLINK_VERSION=1.20 runs the other.
import * as k8s from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { FORCE_REDEPLOY_ANNOTATION, workflowId } from '../../model/names.ts';
import { checkpointStats, clientVersion, listJobs, submitJar } from '../../stack/flink-jobs.ts';
import { statusQuery } from '../../workflows/contract.ts';
import { countPast, startFlinkJobsStack, type FlinkJobsStack } from '../support/flink-jobs-stack.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';

const FLINK_VERSION = process.env.FSO_TEST_FLINK_VERSION ?? '2.1';

describe(`jobs across a session redeploy (Flink ${FLINK_VERSION})`, () => {
  let stack: FlinkJobsStack;
  let connection: Connection;
  let temporal: Client;

  beforeAll(async () => {
    stack = await startFlinkJobsStack('redeploy-jobs', FLINK_VERSION);
    connection = await Connection.connect({ address: stackEndpoints().temporal.address });
    temporal = new Client({ connection, namespace: stackEndpoints().temporal.namespace });
  }, 120_000);

  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
  });

  const rest = (session: string) => stack.rest(session);
  const jobManagerUid = async (session: string) =>
    (await stack.kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ namespace: stack.namespace, name: session })).metadata?.uid;
  const redeploys = async (session: string) => (await temporal.workflow.getHandle(workflowId(stack.namespace, session)).query(statusQuery)).redeploys;
  /** The job's highest count once it passes `above`, with two checkpoints completed after it was read. */
  const countedAndCheckpointed = async (session: string, jobId: string, above: number): Promise<number> => {
    const count = await countPast(rest(session), jobId, above);
    const completed = (await checkpointStats(rest(session), jobId)).completed;
    await eventually(
      `job ${jobId} to checkpoint after it`,
      async () => ((await checkpointStats(rest(session), jobId)).completed > completed + 1 ? true : undefined),
      90_000,
    );
    return count;
  };
  const countsFrom = (session: string, jobId: string) => countPast(rest(session), jobId, 0);
  const carriedJobs = async (session: string) => (await stack.sessions.read(session))?.status?.carriedJobs ?? [];
  /** Until every carried job has an outcome after the launch (or `done` says so). */
  const carriedSettled = (session: string, count: number) =>
    eventually(
      `${session}: all ${count} carried jobs settled on the new JobManager`,
      async () => {
        const jobs = await carriedJobs(session);
        return jobs.length === count &&
          jobs.every((j) => ['Restored', 'Recovered', 'Stopped', 'Cancelled', 'NotRecovered', 'NotRestored'].includes(j.outcome ?? '')) &&
          jobs.some((j) => j.outcome === 'Restored' || j.outcome === 'Recovered')
          ? jobs
          : undefined;
      },
      480_000,
    );

  const sessionWithJobs = async (session: string, extra: Partial<FlinkSessionSpec>) => {
    const spec = stack.sessionSpec({
      numberOfTaskSlots: 4,
      ha: { type: 'zookeeper', quorum: stackEndpoints().zookeeper.connect, path: `/${uniqueName('fso')}` },
      resource: { taskManager: { memory: '1600m' } },
      ...extra,
    });
    await stack.sessions.create(session, spec);
    await stack.sessions.waitReady(session, 1, 300_000);
    const saver = `${session}-saver`;
    const keeper = `${session}-keeper`;
    await stack.jobs.create(saver, { session, jar: stack.jar, upgradeMode: 'savepoint', args: ['4', '20'] });
    await stack.jobs.create(keeper, { session, jar: stack.jar, upgradeMode: 'last-state', args: ['4', '20'] });
    const saverId = (await stack.jobs.waitCondition(saver, 'Ready', 'True', 240_000)).status!.jobId!;
    const keeperId = (await stack.jobs.waitCondition(keeper, 'Ready', 'True', 240_000)).status!.jobId!;
    const flink = stackEndpoints().flink;
    const version = clientVersion(flink, FLINK_VERSION);
    const byHandId = await submitJar(flink, version, stack.kubelet.flink!.restUrl(stack.namespace, session)!, flink.sampleJobs[version]!, ['4', '20']);
    return { spec, saver, keeper, saverId, keeperId, byHandId };
  };

  /** The TaskManager memory edited (kubectl edit): one redeploy; the counts before it of each job. */
  const editMemory = async (session: string, ids: string[]) => {
    const before = new Map<string, number>();
    for (const id of ids) before.set(id, await countedAndCheckpointed(session, id, 20));
    const uid = await jobManagerUid(session);
    const redeploysBefore = await redeploys(session);
    const edited = await stack.sessions.patch(session, { spec: { resource: { taskManager: { memory: '1700m' } } } });
    expect(edited.metadata.generation).toBe(2);
    return { before, uid, redeploysBefore };
  };

  it(
    'autoClean: true — both FlinkSessionJobs stopped with savepoints and restored from them, ' +
      'counts going on; the hand-submitted job’s savepoint path in status',
    async () => {
      const session = 'purged';
      const { saver, keeper, saverId, keeperId, byHandId } = await sessionWithJobs(session, { autoClean: true });
      const { before, uid, redeploysBefore } = await editMemory(session, [saverId, keeperId, byHandId]);

      const carried = await carriedSettled(session, 3);
      expect(await jobManagerUid(session)).not.toBe(uid);
      expect(await redeploys(session)).toBe(redeploysBefore + 1);
      const by = (id: string) => carried.find((c) => c.jobId === id)!;
      expect(by(saverId)).toMatchObject({ sessionJob: saver, action: 'savepoint', outcome: 'Restored' });
      expect(by(keeperId)).toMatchObject({ sessionJob: keeper, action: 'savepoint', outcome: 'Restored' });
      expect(by(byHandId)).toMatchObject({ action: 'savepoint', outcome: 'Stopped', path: expect.stringContaining(`/${session}/flink/savepoints/`) });
      expect(by(byHandId).sessionJob).toBeUndefined();
      expect(await stack.sessions.eventReasons(session)).toEqual(expect.arrayContaining(['JobCarried', 'Ready']));

      // Same fixed ids (the FlinkSessionJobs did not change), restored from the savepoints, counts going on.
      const running = (await listJobs(rest(session))).filter((j) => j.state === 'RUNNING').map((j) => j.jid);
      expect(running.sort()).toEqual([saverId, keeperId].sort());
      for (const id of [saverId, keeperId]) {
        expect((await checkpointStats(rest(session), id)).restoredPath).toBe(by(id).path!.replace(/\/$/, ''));
        expect(await countsFrom(session, id)).toBeGreaterThanOrEqual(before.get(id)!);
      }
      for (const name of [saver, keeper]) expect((await stack.jobs.read(name))?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    },
    1_200_000,
  );

  it(
    'autoClean: false — the savepoint job restored from its savepoint; ' +
      "the last-state and the hand-submitted job recovered by Flink's HA, same ids, counts going on",
    async () => {
      const session = 'kept';
      const { saver, keeper, saverId, keeperId, byHandId } = await sessionWithJobs(session, {});
      const { before, uid } = await editMemory(session, [saverId, keeperId, byHandId]);

      const carried = await eventually(
        'the two jobs left to HA recovered and the savepoint job restored',
        async () => {
          const jobs = await carriedSettled(session, 3);
          return jobs.filter((j) => j.outcome === 'Recovered' || j.outcome === 'Restored').length === 3 ? jobs : undefined;
        },
        480_000,
      );
      expect(await jobManagerUid(session)).not.toBe(uid);
      const by = (id: string) => carried.find((c) => c.jobId === id)!;
      expect(by(saverId)).toMatchObject({ sessionJob: saver, action: 'savepoint', outcome: 'Restored' });
      expect(by(keeperId)).toMatchObject({ sessionJob: keeper, action: 'ha', outcome: 'Recovered', path: expect.stringContaining('/chk-') });
      expect(by(byHandId)).toMatchObject({ action: 'ha', outcome: 'Recovered' });
      const running = (await listJobs(rest(session))).filter((j) => j.state === 'RUNNING').map((j) => j.jid);
      expect(running.sort()).toEqual([saverId, keeperId, byHandId].sort());
      expect((await checkpointStats(rest(session), saverId)).restoredPath).toBe(by(saverId).path!.replace(/\/$/, ''));
      expect((await checkpointStats(rest(session), keeperId)).restoredPath).toMatch(/\/checkpoints\/[0-9a-f]{32}\/chk-\d+$/);
      for (const id of [saverId, keeperId, byHandId]) expect(await countsFrom(session, id)).toBeGreaterThanOrEqual(before.get(id)!);
      expect(await stack.sessions.eventReasons(session)).toEqual(expect.arrayContaining(['LeftToHa', 'JobRecovered']));
    },
    1_200_000,
  );

  it(
    'a savepoint that cannot be taken (the job waits to restart, its TaskManager gone) ' +
      'holds the redeploy: nothing deleted, the JobManager uid unchanged; force goes on',
    async () => {
      const session = 'held';
      const failing = `${session}-failing`;
      await stack.sessions.create(session, stack.sessionSpec({ resource: { taskManager: { memory: '1600m' } } }));
      await stack.sessions.waitReady(session, 1, 300_000);
      // Restarts far apart: once its TaskManager is gone, the job waits in RESTARTING, where no savepoint can be taken.
      await stack.jobs.create(failing, {
        session,
        jar: stack.jar,
        upgradeMode: 'savepoint',
        flinkConfiguration: {
          'restart-strategy.type': 'fixed-delay',
          'restart-strategy.fixed-delay.attempts': '100',
          'restart-strategy.fixed-delay.delay': '20 min',
        },
      });
      const failingId = (await stack.jobs.waitCondition(failing, 'Ready', 'True', 240_000)).status!.jobId!;
      const core = stack.kc.makeApiClient(k8s.CoreV1Api);
      const taskManagers = stack.kubelet
        .flink!.running()
        .filter((p) => p.namespace === stack.namespace && p.session === session && p.component === 'taskmanager');
      for (const tm of taskManagers) await core.deleteNamespacedPod({ namespace: stack.namespace, name: tm.pod, gracePeriodSeconds: 0 });
      await eventually(
        `job ${failingId} to wait to restart`,
        async () => ((await listJobs(rest(session))).find((j) => j.jid === failingId)?.state === 'RESTARTING' ? true : undefined),
        120_000,
      );
      const uid = await jobManagerUid(session);
      await stack.sessions.patch(session, { spec: { resource: { taskManager: { memory: '1700m' } } } });
      const held = await eventually(
        'the redeploy held',
        async () => {
          const current = await stack.sessions.read(session);
          const degraded = current?.status?.conditions?.find((c) => c.type === 'Degraded');
          return degraded?.status === 'True' && current?.status?.observedGeneration === 2 ? current : undefined;
        },
        300_000,
      );
      expect(held.status?.phase).toBe('Running');
      expect(held.status?.lastError).toContain(`FlinkSessionJob ${failing}`);
      expect(held.status?.lastError).toContain('nothing was deleted');
      expect(await jobManagerUid(session)).toBe(uid);
      expect(await stack.sessions.eventReasons(session)).toContain('SavepointFailed');

      // Forced by the annotation the message names (the redeploy signal with force, sent by the watcher):
      // the job is cancelled instead, the redeploy goes on, and the job runs again afresh.
      expect(held.status?.lastError).toContain(FORCE_REDEPLOY_ANNOTATION);
      await stack.sessions.patch(session, { metadata: { annotations: { [FORCE_REDEPLOY_ANNOTATION]: 'the-failing-job-may-lose-its-state' } } });
      const cancelled = await eventually(
        'the failing job cancelled by the forced redeploy',
        async () => (await carriedJobs(session)).find((c) => c.jobId === failingId && c.action === 'cancel'),
        300_000,
      );
      expect(cancelled.message).toContain('savepoint failed');
      await eventually('the JobManager replaced', async () => ((await jobManagerUid(session)) !== uid ? true : undefined), 300_000);
      await stack.jobs.waitCondition(failing, 'Ready', 'True', 300_000, 'JobRunning');
      expect((await listJobs(rest(session))).filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toEqual([failingId]);
      expect((await checkpointStats(rest(session), failingId)).restoredPath).toBeUndefined();
    },
    1_200_000,
  );
});
