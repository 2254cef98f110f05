// What the job-preserving redeploy benchmark (redeploy-jobs.ts) measures of one redeploy, the
// operator's or the one done by hand (redeploy-by-hand.ts), and how both wait for the finish line:
// every job RUNNING, all its tasks, on the new JobManager.
import { listJobs } from '../stack/flink-jobs.ts';
import type { LaunchKubelet } from '../stack/launch-kubelet.ts';
import { eventually } from '../test/support/stack.ts';

/** One redeploy, in milliseconds. */
export interface RedeploySplit {
  /** From the edit (or the first command by hand) until every job runs again on the new JobManager. */
  totalMs: number;
  /** Flink taking the savepoints (stop-with-savepoint of each job, until it ended with one). */
  savepointMs: number;
  /** The old cluster going: the JobManager Deployment deleted until its pods, Services and ConfigMaps are gone. */
  goneMs: number;
  /** Flink's client launching the new cluster until its REST answers. */
  launchMs: number;
  /** Each job submitted from its savepoint until all its tasks run. */
  restoreMs: number;
  /** autoClean: the HA znodes and the checkpoints cleared (the operator's own step; none by hand). */
  cleanMs: number;
  /** The operator's other steps (API calls, status and Events, listing the jobs); none by hand. */
  otherStepsMs: number;
}

/** The operator's own overhead: what is left of the total once Flink's and Kubernetes' parts are taken out (the clean-up stays in it). */
export const ownMs = (s: RedeploySplit): number => s.totalMs - s.savepointMs - s.goneMs - s.launchMs - s.restoreMs;

/** The session's JobManager process, its pod and REST, once one runs. */
export function jobManagerOf(kubelet: LaunchKubelet, namespace: string, session: string): { pod: string; rest: string } | undefined {
  const jm = kubelet.flink?.running().findLast((p) => p.namespace === namespace && p.session === session && p.component === 'jobmanager' && p.ports);
  return jm ? { pod: jm.pod, rest: `http://127.0.0.1:${jm.ports!.rest}` } : undefined;
}

/** A JobManager of the session other than `oldPod`, once its REST answers. */
export function newJobManager(kubelet: LaunchKubelet, namespace: string, session: string, oldPod: string | undefined): Promise<{ pod: string; rest: string }> {
  return eventually(
    `a new JobManager of ${namespace}/${session} answering`,
    async () => {
      const jm = jobManagerOf(kubelet, namespace, session);
      if (!jm || jm.pod === oldPod) return undefined;
      const answers = await fetch(`${jm.rest}/v1/overview`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      );
      return answers ? jm : undefined;
    },
    600_000,
  );
}

/** Until Flink's /jobs/overview says every one of `jobIds` is RUNNING with all its tasks running. */
export function allRunning(rest: string, jobIds: readonly string[]): Promise<true> {
  return eventually(
    `jobs ${jobIds.join(', ')} RUNNING at ${rest}`,
    async () => {
      const jobs = await listJobs(rest).catch(() => []);
      const running = (id: string) => jobs.some((j) => j.jid === id && j.state === 'RUNNING' && j.tasks !== undefined && j.tasks.running === j.tasks.total);
      return jobIds.every(running) ? true : undefined;
    },
    600_000,
  );
}

/** Milliseconds `run` takes, and what it answered. */
export async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await run();
  return [result, Date.now() - started];
}
