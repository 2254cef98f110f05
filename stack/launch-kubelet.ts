// Plays the kubelet for launch Jobs (in one namespace, or all) on the local stack, in tests and in dev
// mode: every pod of a launch Job the operator creates is run once with Flink's real client
// (launch-runner.ts), a few side by side, and stopped (SIGTERM) when its pod is deleted, so the
// JobManager the operator waits for is one Flink itself created. kwok makes
// the pod Running and leaves its end to this kubelet (stack/kwok-stages.ts): the pod ends Succeeded
// or Failed as the client exited, with the tail of its output as the termination message (what a
// kubelet does for terminationMessagePolicy FallbackToLogsOnError), so a failed client fails the Job.
import * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABEL_MANAGED_BY, OPERATOR_NAME } from '../model/names.ts';
import type { StackEndpoints } from './stack.ts';
import { runLaunchPod, type LaunchRun } from './launch-runner.ts';
import { finishPod } from './pod-status.ts';
import { Semaphore } from '../concurrency/limit.ts';
import { startFlinkKubelet, type FlinkKubelet } from './flink-kubelet.ts';
import { FLINK_KUBELET_LABEL, FLINK_KUBELET_VALUE } from './kwok-stages.ts';
import { watchPods } from './pod-informer.ts';

/**
 * Whether Flink's client accepted the launch and created the session cluster. The client goes on for
 * seconds after that (it reads the rest endpoint back, twice), so a redeploy or a delete that removes
 * the launch Jobs may stop it (exit 143) once the cluster serves; the exit code alone is checked in
 * test/launch. (Before the operator removed the launch Jobs first, such a client, left running, failed
 * with "Could not get the rest endpoint" when the cluster was deleted under it.)
 */
export function createdCluster(run: LaunchRun, session: string): boolean {
  return run.output.includes(`Create flink session cluster ${session} successfully`);
}

/** Launch pods run at once: enough that one slow client never holds up another session's launch. */
const LAUNCH_PODS_AT_ONCE = 3;

export interface LaunchKubeletOptions {
  /**
   * `process`: the Flink clusters these Jobs launch run as local processes (flink-kubelet.ts), in the
   * namespace watched; `fake` (default): kwok marks their pods Ready and nothing runs.
   */
  flinkPods?: 'process' | 'fake';
}

export interface LaunchKubelet {
  /** One per pod run, in the order they ended (a Job retries a failed pod: several runs of one Job). */
  runs: Array<LaunchRun & { namespace: string; job: string; pod: string }>;
  /** The pods whose client runs now. */
  running(): string[];
  /** With flinkPods `process`: the kubelet of the Flink clusters' pods. */
  flink?: FlinkKubelet;
  stop(): Promise<void>;
}

/** `namespace` undefined: launch Jobs of every namespace. */
export function startLaunchKubelet(kc: k8s.KubeConfig, stack: StackEndpoints, namespace?: string, options: LaunchKubeletOptions = {}): LaunchKubelet {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const seen = new Set<string>();
  let stopped = false;
  const flink = options.flinkPods === 'process' ? startFlinkKubelet(kc, stack, namespace) : undefined;
  const launchOptions = flink ? { podLabels: { [FLINK_KUBELET_LABEL]: FLINK_KUBELET_VALUE } } : {};
  /** Pods taken on (by uid), waiting for a slot or running; `deleted` is aborted when the pod is deleted. */
  const taken = new Map<string, { pod: string; deleted: AbortController; started: boolean }>();
  const kubelet: LaunchKubelet = {
    runs: [],
    running: () => [...taken.values()].filter((t) => t.started).map((t) => t.pod),
    ...(flink ? { flink } : {}),
    stop: async () => {
      stopped = true;
      void pods.stop();
      for (const { deleted } of taken.values()) deleted.abort();
      await flink?.stop();
    },
  };
  // Pods run side by side, as on a node, a few at a time (each is a JVM); a deleted pod's client is stopped.
  const slots = new Semaphore(LAUNCH_PODS_AT_ONCE);
  const schedule = (pod: k8s.V1Pod): void => {
    const { name, uid, namespace: podNamespace, deletionTimestamp } = pod.metadata ?? {};
    const job = pod.metadata?.ownerReferences?.find((o) => o.kind === 'Job')?.name;
    const phase = pod.status?.phase;
    if (uid && deletionTimestamp) taken.get(uid)?.deleted.abort();
    if (!name || !uid || !podNamespace || !job || deletionTimestamp || !pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed' || seen.has(uid))
      return;
    seen.add(uid);
    const deleted = new AbortController();
    const entry = { pod: name, deleted, started: false };
    taken.set(uid, entry);
    void slots
      .run(async () => {
        if (stopped || deleted.signal.aborted) return;
        entry.started = true;
        const run = await runLaunchPod(kc, stack, podNamespace, `launch pod ${podNamespace}/${name}`, pod.spec, pod.metadata?.labels ?? {}, {
          ...launchOptions,
          signal: deleted.signal,
        }).catch((error: unknown) => ({
          exitCode: -1,
          output: error instanceof Error ? error.message : String(error),
          jobArgv: [],
        }));
        // Flink's own output, for whoever reads a failed run: <logDir>/launch-<namespace>-<pod>.log
        writeFileSync(join(stack.logDir, `launch-${podNamespace}-${name}.log`), `exit ${run.exitCode}\n${run.jobArgv.join(' ')}\n\n${run.output}`);
        kubelet.runs.push({ ...run, namespace: podNamespace, job, pod: name });
        if (!deleted.signal.aborted) await finishPod(core, podNamespace, name, run.exitCode, run.output).catch(() => undefined);
      })
      .finally(() => taken.delete(uid));
  };
  const pods = watchPods(kc, namespace, `${LABEL_MANAGED_BY}=${OPERATOR_NAME}`, {
    changed: schedule,
    deleted: (pod) => {
      if (pod.metadata?.uid) taken.get(pod.metadata.uid)?.deleted.abort();
    },
  });
  return kubelet;
}
