// A session and two FlinkSessionJobs in one `kubectl apply -f` on real Flink 2.1, then the session
// (numberOfTaskSlots, a redeploy) and one job (args) edited in the same second by one more apply of
// both: the session's one workflow carries the two changes one after the other, so there is exactly
// one redeploy (the JobManager Deployment is replaced once, one launch Job for the new generation, the
// workflow's redeploy count grows by one), and afterwards both jobs run once each on the new
// JobManager (Flink's REST job list: each job's fixed id of its generation RUNNING, nothing else
// RUNNING, no duplicates). The redeploy carries the jobs across (savepoints before the delete): beta
// runs again under its same id, alpha's new generation starts from alpha's savepoint. Each repetition takes minutes here
// (a real JobManager and TaskManager come up again), so the suite repeats twice; FSO_APPLY_REPETITIONS=5
// runs the five.
import * as k8s from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flinkJobId } from '../../model/flink-job-id.ts';
import { API_VERSION, API_GROUP, FLINKSESSIONJOB_KIND, workflowId } from '../../model/names.ts';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import type { FlinkSessionJobSpec } from '../../model/flinksessionjob.ts';
import { listJobs } from '../../stack/flink-jobs.ts';
import { statusQuery } from '../../workflows/contract.ts';
import { startFlinkJobsStack, type FlinkJobsStack } from '../support/flink-jobs-stack.ts';
import { untagged } from '../support/sessions.ts';
import { eventually, stackEndpoints } from '../support/stack.ts';

/** One Flink version keeps the suite's time down (2.1); FSO_TEST_FLINK_VERSION=1.20 runs the other. */
const FLINK_VERSION = process.env.FSO_TEST_FLINK_VERSION ?? '2.1';
const SESSION = 'both';
const JOBS = ['alpha', 'beta'] as const;
const REPETITIONS = Number(process.env.FSO_APPLY_REPETITIONS ?? 2);

describe(`a session and its jobs applied and edited together (Flink ${FLINK_VERSION})`, () => {
  let stack: FlinkJobsStack;
  let connection: Connection;
  let temporal: Client;

  const manifest = (slots: number, alphaArgs: string[]): string => {
    const session: FlinkSessionSpec = stack.sessionSpec({ numberOfTaskSlots: slots });
    const job = (name: string, spec: FlinkSessionJobSpec) => ({
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: FLINKSESSIONJOB_KIND,
      metadata: { name },
      spec,
    });
    const items = [
      { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: 'FlinkSession', metadata: { name: SESSION }, spec: session },
      job('alpha', { session: SESSION, jar: stack.jar, args: alphaArgs }),
      job('beta', { session: SESSION, jar: stack.jar, args: ['4', '10'] }),
    ];
    return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  };
  const apply = (slots: number, alphaArgs: string[]) => stack.kubectl(['apply', '-f', '-'], manifest(slots, alphaArgs));
  const redeploys = async () => (await temporal.workflow.getHandle(workflowId(stack.namespace, SESSION)).query(statusQuery)).redeploys;
  const jobManagerUid = async () =>
    (await stack.kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ namespace: stack.namespace, name: SESSION })).metadata?.uid;
  /** Each job's fixed Flink id of its generation now; once both are Ready at it and RUNNING on the JobManager, nothing else RUNNING. */
  const bothRunningOnce = () =>
    eventually(
      'both jobs Ready at their generation and RUNNING once each on the JobManager',
      async () => {
        const ids: string[] = [];
        for (const name of JOBS) {
          const job = await stack.jobs.read(name);
          const ready = job?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
          if (!job || !ready || job.status?.observedGeneration !== job.metadata.generation) return undefined;
          ids.push(flinkJobId({ namespace: stack.namespace, name, uid: job.metadata.uid, generation: job.metadata.generation }));
        }
        const listed = await listJobs(stack.rest(SESSION)).catch(() => undefined);
        const running = listed?.filter((j) => j.state === 'RUNNING').map((j) => j.jid);
        return running && [...running].sort().join() === [...ids].sort().join() ? { ids, listed: listed! } : undefined;
      },
      420_000,
    );

  beforeAll(async () => {
    stack = await startFlinkJobsStack('fsj-apply', FLINK_VERSION);
    connection = await Connection.connect({ address: stackEndpoints().temporal.address });
    temporal = new Client({ connection, namespace: stackEndpoints().temporal.namespace });
  });

  afterAll(async () => {
    await stack?.removeSessionAndJobs(SESSION, JOBS);
    await connection?.close();
    await stack?.stop();
  }, 420_000);

  it('one kubectl apply -f of the session and two jobs: the session Ready, both jobs RUNNING once each', async () => {
    const startedAt = Date.now();
    await apply(2, ['4', '20']);
    await stack.sessions.waitReady(SESSION, 1, 300_000);
    const { ids, listed } = await bothRunningOnce();
    expect(new Set(listed.map((j) => j.jid)).size).toBe(listed.length);
    expect(ids).toHaveLength(2);
    console.log(`session and two jobs RUNNING ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the apply`);
  }, 600_000);

  it.each(Array.from({ length: REPETITIONS }, (_, i) => i + 1))(
    'repetition %i: the session and one job edited in one apply → one redeploy, both jobs RUNNING once each afterwards',
    async (repetition) => {
      const before = { uid: await jobManagerUid(), redeploys: await redeploys(), generation: (await stack.sessions.read(SESSION))!.metadata.generation };
      const alphaBefore = (await stack.jobs.read('alpha'))!;
      const startedAt = Date.now();
      await apply(repetition % 2 === 1 ? 3 : 2, ['4', String(20 + repetition)]);
      const generation = before.generation + 1;
      const session = await stack.sessions.waitReady(SESSION, generation, 420_000);
      expect(session.metadata.generation).toBe(generation);
      expect((await stack.jobs.read('alpha'))!.metadata.generation).toBe(alphaBefore.metadata.generation + 1);
      const { listed } = await bothRunningOnce();
      console.log(`repetition ${repetition}: one redeploy and both jobs RUNNING ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the apply`);

      // One redeploy: the JobManager Deployment was replaced once, by one launch Job of the new generation.
      const after = await jobManagerUid();
      expect(after).toBeDefined();
      expect(after).not.toBe(before.uid);
      expect(await redeploys()).toBe(before.redeploys + 1);
      const launches = [...new Set(stack.kubelet.runs.filter((r) => r.job.includes(`-g${generation}-`)).map((r) => untagged(r.job)))];
      expect(launches).toEqual([`${SESSION}-launch-g${generation}-0`]);
      expect(stack.kubelet.flink!.running().filter((p) => p.session === SESSION && p.component === 'jobmanager')).toHaveLength(1);
      // Each job once: no duplicate ids, nothing else RUNNING (the old generation of alpha included).
      expect(new Set(listed.map((j) => j.jid)).size).toBe(listed.length);
      const oldAlpha = flinkJobId({ namespace: stack.namespace, name: 'alpha', uid: alphaBefore.metadata.uid, generation: alphaBefore.metadata.generation });
      expect(listed.find((j) => j.jid === oldAlpha)?.state ?? 'not on this JobManager').not.toBe('RUNNING');
    },
    900_000,
  );
});
