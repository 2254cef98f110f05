// Plays the kubelet for launch Jobs (in one namespace, or all) on the local stack, in tests and in dev
// mode: every launch Job the operator creates is run once with Flink's real client (launch-runner.ts),
// so the JobManager the operator waits for is one Flink itself created. kwok marks the Job's pod complete.
import * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABEL_MANAGED_BY, OPERATOR_NAME } from '../model/names.ts';
import type { StackEndpoints } from './stack.ts';
import { runLaunchJob, type LaunchRun } from './launch-runner.ts';

/**
 * Whether Flink's client accepted the launch and created the session cluster. Under heavy load Flink
 * 1.20's client has (once in several full runs) exited 1 afterwards, failing to read back the rest
 * endpoint of the cluster it had just created; the exit code alone is checked in test/launch.
 */
export function createdCluster(run: LaunchRun, session: string): boolean {
  return run.output.includes(`Create flink session cluster ${session} successfully`);
}

export interface LaunchKubelet {
  runs: Array<LaunchRun & { namespace: string; job: string }>;
  stop(): void;
}

/** `namespace` undefined: launch Jobs of every namespace. */
export function startLaunchKubelet(kc: k8s.KubeConfig, stack: StackEndpoints, namespace?: string): LaunchKubelet {
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const labelSelector = `${LABEL_MANAGED_BY}=${OPERATOR_NAME}`;
  const informer = namespace === undefined
    ? k8s.makeInformer(kc, '/apis/batch/v1/jobs', () => batch.listJobForAllNamespaces({ labelSelector }), labelSelector)
    : k8s.makeInformer(kc, `/apis/batch/v1/namespaces/${namespace}/jobs`, () => batch.listNamespacedJob({ namespace, labelSelector }), labelSelector);
  const seen = new Set<string>();
  let stopped = false;
  const kubelet: LaunchKubelet = {
    runs: [],
    stop: () => {
      stopped = true;
      void informer.stop();
    },
  };
  let queue = Promise.resolve();
  informer.on('add', (job) => {
    const name = job.metadata?.name;
    const uid = job.metadata?.uid;
    const jobNamespace = job.metadata?.namespace;
    if (!name || !uid || !jobNamespace || seen.has(uid)) return;
    seen.add(uid);
    queue = queue.then(async () => {
      const run = await runLaunchJob(kc, stack, jobNamespace, name).catch((error: unknown) => ({
        exitCode: -1, output: error instanceof Error ? error.message : String(error), jobArgv: [],
      }));
      // Flink's own output, for whoever reads a failed run: <logDir>/launch-<namespace>-<job>.log
      writeFileSync(join(stack.logDir, `launch-${jobNamespace}-${name}.log`), `exit ${run.exitCode}\n${run.jobArgv.join(' ')}\n\n${run.output}`);
      kubelet.runs.push({ ...run, namespace: jobNamespace, job: name });
    });
  });
  // Stopping ends the watch with an error too: a stopped kubelet must not start watching again.
  informer.on('error', () => setTimeout(() => {
    if (!stopped) void informer.start();
  }, 1_000));
  void informer.start();
  return kubelet;
}
