// SIGKILL the worker at each step boundary of a redeploy, start a new one: the redeploy completes,
// with exactly one launch Job per generation. The worker kills itself at the boundary
// (FSO_FAULT_SIGKILL, worker/fault-injection.ts): the step before is recorded in Temporal, the next is not.
// submitLaunchJob is a local activity: killed in it, the worker leaves its workflow task to time out,
// and the next worker runs that task's local activities again (the Job, already there, is the same launch).
// The session's JobManager is Flink's own process (stack/flink-kubelet.ts): each redeploy is Ready only
// once the new JobManager's REST answers.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { REAL_FLINK_READY_MS, S3_SECRET, withOperator } from '../support/operator-harness.ts';
import { untagged } from '../support/sessions.ts';
import { eventually, stackEndpoints, uniqueName } from '../support/stack.ts';

describe('crash safety: the worker is SIGKILLed at every step boundary of a redeploy', () => {
  const namespace = uniqueName('crash');
  const name = 'ledger';
  const env = withOperator({ namespaces: [namespace], operator: { readinessDeadlineSeconds: 240 } });
  let generation = 1;

  beforeAll(async () => {
    const stack = stackEndpoints();
    const spec: FlinkSessionSpec = {
      image: 'example.invalid/flink:1.20',
      sa: 'flink',
      autoClean: true,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } },
      s3: { endPoint: stack.s3.endpoint, bucket: uniqueName('crash'), credentialsSecret: { name: S3_SECRET } },
      ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: `/crash-${namespace}` },
    };
    await env.sessions.create(name, spec);
    await env.sessions.waitReady(name, 1, REAL_FLINK_READY_MS);
  });

  it.each([
    ['after the JobManager is deleted', 'before:waitForFlinkClusterGone'],
    ['after the ZooKeeper clear', 'before:purgeS3Prefixes'],
    ['after the S3 purge', 'before:submitLaunchJob'],
    ['after the launch Job is created, before its local activity is recorded', 'after:submitLaunchJob'],
    ['after the launch Job is submitted', 'before:waitForJobManagerReady'],
    ['during the readiness poll', 'during:waitForJobManagerReady:300'],
  ])(
    'SIGKILL %s: a new worker completes the redeploy with one launch Job for the generation',
    async (_boundary, fault) => {
      await env.operator.worker.stop();
      const doomed = await env.operator.startWorker({ FSO_FAULT_SIGKILL: fault });
      generation += 1;
      await env.sessions.patch(name, { spec: { numberOfTaskSlots: generation } });
      expect(await doomed.exited).toBe('SIGKILL');
      expect(readFileSync(doomed.logFile, 'utf8')).toContain('fault injection: SIGKILL');
      await env.operator.startWorker();
      const ready = await env.sessions.waitReady(name, generation, REAL_FLINK_READY_MS);
      expect(ready.status?.observedGeneration).toBe(generation);
      // Ready means Flink's own REST answered: the one JobManager process running is this generation's.
      const jobManagers = env.jobManagers(name);
      expect(jobManagers).toHaveLength(1);
      const overview = (await (await fetch(`${env.restUrl(name)}/v1/overview`)).json()) as { 'flink-version': string };
      expect(overview['flink-version']).toMatch(/^1\.20\./);
      await eventually('the launch of this generation to be recorded', async () =>
        env.kubelet.runs.some((r) => r.job.includes(`-g${generation}-`)) ? true : undefined,
      );
      // Pods the Job retried (a client that failed) are runs of the same Job.
      const launches = [...new Set(env.kubelet.runs.filter((r) => r.job.includes(`-g${generation}-`)).map((r) => r.job))];
      expect(launches.map((job) => untagged(job))).toEqual([`${name}-launch-g${generation}-0`]);
      const jobs = await env.batch.listNamespacedJob({ namespace });
      expect(jobs.items.map((j) => untagged(j.metadata?.name))).toEqual([`${name}-launch-g${generation}-0`]);
    },
    300_000,
  );
});
