// SIGKILL the worker at each step boundary of a redeploy, start a new one: the redeploy completes,
// with exactly one launch Job per generation. The worker kills itself at the boundary
// (FSO_FAULT_SIGKILL, worker/fault-injection.ts): the step before is recorded in Temporal, the next is not.
// The session's JobManager is Flink's own process (stack/flink-kubelet.ts): each redeploy is Ready only
// once the new JobManager's REST answers.
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestProxy, type FlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { sessionApi, untagged } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

describe('crash safety: the worker is SIGKILLed at every step boundary of a redeploy', () => {
  const namespace = uniqueName('crash');
  const name = 'ledger';
  let kc: k8s.KubeConfig;
  let proxy: FlinkRestProxy;
  let kubelet: LaunchKubelet;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;
  let generation = 1;

  beforeAll(async () => {
    const stack = stackEndpoints();
    kc = kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 's3' }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey } },
    });
    kubelet = startLaunchKubelet(kc, stack, namespace, { flinkPods: 'process' });
    proxy = await startFlinkRestProxy((ns, session) => kubelet.flink!.restUrl(ns, session));
    operator = await startOperator({ stack, namespace, taskQueue: uniqueName('fso'), restUrlTemplate: proxy.urlTemplate, readinessDeadlineSeconds: 240 });
    sessions = sessionApi(kc, namespace);
    const spec: FlinkSessionSpec = {
      image: 'example.invalid/flink:1.20',
      sa: 'flink',
      autoClean: true,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '2g' } },
      s3: { endPoint: stack.s3.endpoint, bucket: uniqueName('crash'), credentialsSecret: { name: 's3' } },
      ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: `/crash-${namespace}` },
    };
    await sessions.create(name, spec);
    await sessions.waitReady(name, 1, 240_000);
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await proxy?.close();
  });

  it.each([
    ['after the JobManager is deleted', 'before:waitForFlinkClusterGone'],
    ['after the ZooKeeper clear', 'before:purgeS3Prefixes'],
    ['after the S3 purge', 'before:submitLaunchJob'],
    ['after the launch Job is submitted', 'before:waitForJobManagerReady'],
    ['during the readiness poll', 'during:waitForJobManagerReady:300'],
  ])(
    'SIGKILL %s: a new worker completes the redeploy with one launch Job for the generation',
    async (_boundary, fault) => {
      await operator.worker.stop();
      const doomed = await operator.startWorker({ FSO_FAULT_SIGKILL: fault });
      generation += 1;
      await sessions.patch(name, { spec: { numberOfTaskSlots: generation } });
      expect(await doomed.exited).toBe('SIGKILL');
      expect(readFileSync(doomed.logFile, 'utf8')).toContain('fault injection: SIGKILL');
      await operator.startWorker();
      const ready = await sessions.waitReady(name, generation, 240_000);
      expect(ready.status?.observedGeneration).toBe(generation);
      // Ready means Flink's own REST answered: the one JobManager process running is this generation's.
      const jobManagers = kubelet.flink!.running().filter((p) => p.session === name && p.component === 'jobmanager');
      expect(jobManagers).toHaveLength(1);
      const overview = (await (await fetch(`${kubelet.flink!.restUrl(namespace, name)}/v1/overview`)).json()) as { 'flink-version': string };
      expect(overview['flink-version']).toMatch(/^1\.20\./);
      await eventually('the launch of this generation to be recorded', async () =>
        kubelet.runs.some((r) => r.job.includes(`-g${generation}-`)) ? true : undefined,
      );
      // Pods the Job retried (a client that failed) are runs of the same Job.
      const launches = [...new Set(kubelet.runs.filter((r) => r.job.includes(`-g${generation}-`)).map((r) => r.job))];
      expect(launches.map((job) => untagged(job))).toEqual([`${name}-launch-g${generation}-0`]);
      const jobs = await kc.makeApiClient(k8s.BatchV1Api).listNamespacedJob({ namespace });
      expect(jobs.items.map((j) => untagged(j.metadata?.name))).toEqual([`${name}-launch-g${generation}-0`]);
    },
    300_000,
  );
});
