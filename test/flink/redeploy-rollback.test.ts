// A redeploy whose new generation never comes up is rolled back, on real Flink 2.1 (issue 14): a
// session runs a FlinkSessionJob of the sample stateful job; an edit gives the JobManager a JVM option
// Java does not know (its process exits at once, and its pod goes into CrashLoopBackOff), so the new
// JobManager is never Ready. After its third restart, well before the readiness deadline (120 s here),
// the readiness wait ends with what the container said; the workflow deletes the failed cluster,
// launches the generation that ran before again, and restores
// the job there from the savepoint it took before the delete, its counter going on; the session is
// Running with RolledBack (Event, Degraded naming the failed generation), and the failed generation is
// not retried. The session has approval: manual: the edit first waits (AwaitingApproval with the plan,
// nothing stopped or deleted) until the approve annotation names its generation.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_ANNOTATION } from '../../model/names.ts';
import { checkpointStats, listJobs } from '../../stack/flink-jobs.ts';
import { imageConfigYaml } from '../../stack/flink-image-config.ts';
import { countPast, startFlinkJobsStack, type FlinkJobsStack } from '../support/flink-jobs-stack.ts';
import { eventually } from '../support/stack.ts';

const SESSION = 'rollback';
const JOB = 'counter';

describe('a redeploy, approved, whose JobManager never comes up is rolled back (Flink 2.1)', () => {
  let stack: FlinkJobsStack;

  beforeAll(async () => {
    stack = await startFlinkJobsStack('rollback', '2.1', { readinessDeadlineSeconds: 120 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const count = (jobId: string, above: number) => countPast(stack.rest(SESSION), jobId, above);
  const jobManagerUid = async () =>
    (await stack.kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ namespace: stack.namespace, name: SESSION })).metadata?.uid;

  it('rolled back to the generation that ran, the job restored from its savepoint with its counts going on; RolledBack, not retried', async () => {
    await stack.sessions.create(SESSION, stack.sessionSpec({ approval: 'manual' }));
    await stack.sessions.waitReady(SESSION, 1, 300_000);
    await stack.jobs.create(JOB, { session: SESSION, jar: stack.jar, upgradeMode: 'savepoint' });
    const jobId = (await stack.jobs.waitCondition(JOB, 'Ready', 'True', 240_000)).status!.jobId!;
    const before = await count(jobId, 20);
    const firstUid = await jobManagerUid();

    // The image's own config.yaml, with a JVM option no Java knows for the JobManager.
    const broken = `${imageConfigYaml()}env.java.opts.jobmanager: -XX:+NoSuchVmOptionAnywhere\n`;
    await stack.sessions.patch(SESSION, { spec: { config: { 'flink-conf.yaml': broken } } });

    // approval: manual: the redeploy waits with its plan; nothing is stopped or deleted meanwhile.
    const waiting = await eventually(
      'the redeploy to wait for approval',
      async () => (await stack.sessions.read(SESSION))?.status?.conditions?.find((c) => c.reason === 'AwaitingApproval'),
      120_000,
    );
    expect(waiting.message).toContain(`FlinkSessionJob ${JOB} (job ${jobId}): a savepoint into`);
    expect(waiting.message).toContain(`${APPROVE_ANNOTATION}=2`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(await jobManagerUid()).toBe(firstUid);
    expect((await listJobs(stack.rest(SESSION))).filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toEqual([jobId]);
    await stack.sessions.patch(SESSION, { metadata: { annotations: { [APPROVE_ANNOTATION]: '2' } } });
    const rolledBack = await eventually(
      'the session rolled back',
      async () => {
        const session = await stack.sessions.read(SESSION);
        const degraded = session?.status?.conditions?.find((c) => c.type === 'Degraded');
        return degraded?.reason === 'RolledBack' ? session : undefined;
      },
      600_000,
    );
    expect(rolledBack.status).toMatchObject({ phase: 'Running', observedGeneration: 2 });
    expect(rolledBack.status?.lastError).toContain('generation 2 was rolled back to generation 1');
    // The container's own words, not the readiness deadline.
    expect(rolledBack.status?.lastError).toContain('JobManagerCrashLooping');
    expect(rolledBack.status?.lastError).toContain(
      "exited 3 times and is in CrashLoopBackOff (last exit code 1: Unrecognized VM option 'NoSuchVmOptionAnywhere'",
    );
    expect(rolledBack.status?.lastError).not.toContain('ReadinessTimeout');
    expect(rolledBack.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(await stack.sessions.eventReasons(SESSION)).toEqual(
      expect.arrayContaining(['AwaitingApproval', 'Approved', 'JobCarried', 'RollingBack', 'RolledBack']),
    );
    expect(await jobManagerUid()).not.toBe(firstUid);

    // The job runs again on the rolled-back JobManager: the same fixed id, from its savepoint, counting on.
    const carried = await eventually(
      'the job restored',
      async () => (await stack.sessions.read(SESSION))?.status?.carriedJobs?.find((c) => c.jobId === jobId && c.outcome === 'Restored'),
      300_000,
    );
    expect(carried).toMatchObject({ sessionJob: JOB, action: 'savepoint', path: expect.stringContaining(`/${SESSION}/flink/savepoints/`) });
    expect((await listJobs(stack.rest(SESSION))).filter((j) => j.state === 'RUNNING').map((j) => j.jid)).toEqual([jobId]);
    expect((await checkpointStats(stack.rest(SESSION), jobId)).restoredPath).toBe(carried.path!.replace(/\/$/, ''));
    expect(await count(jobId, before - 1)).toBeGreaterThanOrEqual(before);

    // Not retried: a while later the same JobManager still runs, and no launch of generation 2 is left.
    const uid = await jobManagerUid();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(await jobManagerUid()).toBe(uid);
    const launches = await stack.kc.makeApiClient(k8s.BatchV1Api).listNamespacedJob({ namespace: stack.namespace });
    expect(launches.items.map((j) => j.metadata!.name!).filter((n) => n.includes('-g2-'))).toEqual([]);
    await stack.jobs.remove(JOB);
    await stack.jobs.waitGone(JOB, 240_000);
    await stack.sessions.remove(SESSION);
  }, 1_200_000);
});
