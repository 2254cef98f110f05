// The same job-preserving redeploy done by hand, the way a user without the operator does it, with
// Flink's own CLI and kubectl: a session cluster launched with kubernetes-session.sh (the -D options
// the operator would render for the same spec), two jobs of the sample job run on it with `flink run`;
// then each redeploy is `flink stop --savepointPath s3://…` of each job carried by a savepoint,
// `kubectl delete deployment` and `kubectl wait --for=delete` of its pods, Services and ConfigMaps,
// kubernetes-session.sh with the new TaskManager memory, and `flink run -s <savepoint>` of each of those
// jobs, until all run (a job left to Flink's ZooKeeper HA comes back by itself, with its id).
// The only thing added for the local stack: the label that has the stack's Flink kubelet run the pods
// as local processes (a real node needs none), and the stack's kubeconfig.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FlinkSessionSpec } from '../model/flinksession.ts';
import { renderFlinkOptions, sessionS3Url } from '../model/flink-options.ts';
import { flinkObjectSelector } from '../model/ownership.ts';
import { kubernetesSessionCommand } from '../stack/flink.ts';
import { imageConfigYaml } from '../stack/flink-image-config.ts';
import { checkpointStats, clientVersion, stopWithSavepoint, submitJar } from '../stack/flink-jobs.ts';
import { FLINK_KUBELET_LABEL, FLINK_KUBELET_VALUE } from '../stack/kwok-stages.ts';
import type { StackEndpoints } from '../stack/stack.ts';
import type { FlinkJobsStack } from '../test/support/flink-jobs-stack.ts';
import { eventually } from '../test/support/stack.ts';
import { allRunning, jobManagerOf, newJobManager, timed, type RedeploySplit } from './redeploy-split.ts';

const run = promisify(execFile);

export interface ByHandOptions {
  /** The cluster's name (its kubernetes.cluster-id). */
  name: string;
  /** The spec the operator's session has, so both clusters are configured alike. */
  spec: FlinkSessionSpec;
  flinkVersion: string;
  jobArgs: string[];
  /** How each job is carried, one per job: stopped with a savepoint and run from it, or left to Flink's HA. */
  carries: ReadonlyArray<'savepoint' | 'ha'>;
  /** The TaskManager memory of each redeploy, in order. */
  memories: string[];
  /** Before each redeploy: until the jobs are in a steady state (checkpointing). */
  steady: (rest: string, jobIds: readonly string[]) => Promise<void>;
}

export async function redeploysByHand(jobs: FlinkJobsStack, stack: StackEndpoints, options: ByHandOptions): Promise<RedeploySplit[]> {
  const { name, spec } = options;
  const { namespace, kubelet } = jobs;
  const version = clientVersion(stack.flink, options.flinkVersion);
  const jar = stack.flink.sampleJobs[version]!;
  // The distribution's conf/config.yaml (the image's), as kubernetes-session.sh reads it.
  const confDir = mkdtempSync(join(tmpdir(), 'fso-bench-by-hand-'));
  writeFileSync(join(confDir, 'config.yaml'), imageConfigYaml());
  const launch = async (memory: string): Promise<{ pod: string; rest: string }> => {
    const old = jobManagerOf(kubelet, namespace, name)?.pod;
    const ref = { namespace, name, uid: '', generation: 1 };
    const dynamic = renderFlinkOptions(ref, { ...spec, resource: { ...spec.resource, taskManager: { ...spec.resource?.taskManager, memory } } }).map(
      ([key, value]) => `-D${key}=${value}`,
    );
    const label = `${FLINK_KUBELET_LABEL}:${FLINK_KUBELET_VALUE}`;
    const command = kubernetesSessionCommand(stack.flink, version, [
      `-Dkubernetes.config.file=${stack.kubernetes.kubeconfig}`,
      ...dynamic,
      `-Dkubernetes.jobmanager.labels=${label}`,
      `-Dkubernetes.taskmanager.labels=${label}`,
    ]);
    await run(command.file, command.args, { env: { ...process.env, FLINK_CONF_DIR: confDir }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    return newJobManager(kubelet, namespace, name, old);
  };
  const deleteCluster = async (): Promise<void> => {
    await jobs.kubectl(['delete', 'deployment', name, '--wait=true']);
    await jobs.kubectl(['wait', '--for=delete', 'pod,service,configmap', '-l', flinkObjectSelector(name), '--timeout=300s']).catch((error: unknown) => {
      // kubectl wait names no objects once all are gone.
      if (!(error instanceof Error && /no matching resources found/i.test(error.message))) throw error;
    });
  };

  const [first, ...next] = options.memories;
  let { rest } = await launch(first!);
  let jobIds: string[] = [];
  for (let i = 0; i < options.carries.length; i++) jobIds.push(await submitJar(stack.flink, version, rest, jar, options.jobArgs));
  await allRunning(rest, jobIds);
  const splits: RedeploySplit[] = [];
  try {
    for (const memory of next) {
      await options.steady(rest, jobIds);
      const started = Date.now();
      const [savepoints, savepointMs] = await timed(async () => {
        const paths = new Map<string, string>();
        for (const [i, id] of jobIds.entries()) {
          if (options.carries[i] === 'savepoint')
            paths.set(id, await stopWithSavepoint(stack.flink, version, rest, id, sessionS3Url(spec.s3!.bucket, name, 'savepoints')));
        }
        return paths;
      });
      const [, goneMs] = await timed(deleteCluster);
      const [relaunched, launchMs] = await timed(() => launch(memory));
      rest = relaunched.rest;
      const [restored, restoreMs] = await timed(async () => {
        const ids: string[] = [];
        for (const id of jobIds) {
          const path = savepoints.get(id);
          ids.push(path ? await submitJar(stack.flink, version, rest, jar, options.jobArgs, path) : id);
        }
        await allRunning(rest, ids);
        return ids;
      });
      splits.push({ totalMs: Date.now() - started, savepointMs, goneMs, launchMs, restoreMs, cleanMs: 0, otherStepsMs: 0 });
      // Restored, not started afresh: a job run from a savepoint restored that very one.
      for (const [i, id] of jobIds.entries()) {
        const path = savepoints.get(id);
        const from = (await checkpointStats(rest, restored[i]!)).restoredPath;
        if (path && from !== path.replace(/\/$/, '')) throw new Error(`job ${restored[i]} was restored from ${from ?? 'nothing'}, not ${path}`);
      }
      jobIds = restored;
    }
  } finally {
    await deleteCluster().catch((error: unknown) => console.error(`the cluster ${name} made by hand was not deleted:`, error));
    await eventually(`${name}'s processes to stop`, async () => (jobManagerOf(kubelet, namespace, name) === undefined ? true : undefined), 120_000).catch(
      () => undefined,
    );
  }
  return splits;
}
