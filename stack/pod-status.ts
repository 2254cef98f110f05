// The status a kubelet writes for a pod whose process it runs (the stack's process kubelets): kwok
// leaves these pods' ends to them, and the Job controller and the operator read what they write.
import * as k8s from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../kube/errors.ts';
import { MERGE_PATCH } from '../kube/resource-writes.ts';
import { pollUntil } from './poll.ts';

/** What a kubelet keeps of a failed container's log as its termination message (FallbackToLogsOnError). */
function terminationMessage(output: string): string {
  const lines = output.trimEnd().split('\n').slice(-80).join('\n');
  const bytes = Buffer.from(lines, 'utf8');
  return bytes.length <= 2048 ? lines : bytes.subarray(bytes.length - 2048).toString('utf8');
}

/** Writes a pod's status as its kubelet does (a merge patch of the status subresource). */
async function patchPodStatus(core: k8s.CoreV1Api, namespace: string, name: string, status: object): Promise<void> {
  await core.patchNamespacedPodStatus({ name, namespace, body: { status } }, MERGE_PATCH);
}

/** How a container that exited before ended, and how often it was started again since its pod began (restartPolicy Always). */
export interface Restarts {
  count: number;
  lastTerminated?: { exitCode: number; reason: string; message: string; startedAt: string; finishedAt: string };
}

const NO_RESTARTS: Restarts = { count: 0 };

/** A container's status as these kubelets report it: no image is pulled; a restarted one keeps its last end in lastState. */
function containerStatus(container: k8s.V1Container, ready: boolean, started: boolean, state: object, restarts: Restarts = NO_RESTARTS): object {
  return {
    name: container.name,
    image: container.image ?? '',
    imageID: '',
    ready,
    restartCount: restarts.count,
    started,
    state,
    ...(restarts.lastTerminated ? { lastState: { terminated: restarts.lastTerminated } } : {}),
  };
}

/** What a container that exited leaves as its termination (reason Error, its log's tail as the message). */
export function terminated(exitCode: number, output: string, startedAt: string): NonNullable<Restarts['lastTerminated']> {
  return { exitCode, reason: 'Error', message: terminationMessage(output), startedAt, finishedAt: new Date().toISOString() };
}

/** Marks a pod Running (its process started), Ready once `ready`; its pod IP is this machine's. */
export async function runPod(core: k8s.CoreV1Api, pod: k8s.V1Pod, ready: boolean, startedAt: string, restarts: Restarts = NO_RESTARTS): Promise<void> {
  const now = new Date().toISOString();
  const readiness = ready ? 'True' : 'False';
  await patchPodStatus(core, pod.metadata!.namespace!, pod.metadata!.name!, {
    phase: 'Running',
    startTime: startedAt,
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: startedAt },
      { type: 'Initialized', status: 'True', lastTransitionTime: startedAt },
      { type: 'ContainersReady', status: readiness, lastTransitionTime: now },
      { type: 'Ready', status: readiness, lastTransitionTime: now },
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => containerStatus(c, ready, true, { running: { startedAt } }, restarts)),
  });
}

/**
 * A pod whose container exited and is started again after a back-off (restartPolicy Always, as a
 * Deployment's pods have): Running but not Ready, its container waiting in CrashLoopBackOff with the
 * end it came to in lastState, as a kubelet reports a container that keeps exiting.
 */
export async function backOffPod(core: k8s.CoreV1Api, pod: k8s.V1Pod, restarts: Restarts, backOffSeconds: number): Promise<void> {
  const now = new Date().toISOString();
  const waiting = { reason: 'CrashLoopBackOff', message: `back-off ${backOffSeconds}s restarting failed container=${pod.spec?.containers[0]?.name ?? ''}` };
  await patchPodStatus(core, pod.metadata!.namespace!, pod.metadata!.name!, {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Initialized', status: 'True' },
      { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: now },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: now },
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => containerStatus(c, false, false, { waiting }, restarts)),
  });
}

/** Ends a long-running pod whose process died: Failed, with the exit and its log's tail. */
export async function failPod(core: k8s.CoreV1Api, pod: k8s.V1Pod, exitCode: number, output: string, startedAt: string): Promise<void> {
  const now = new Date().toISOString();
  const ended = terminated(exitCode, output, startedAt);
  await patchPodStatus(core, pod.metadata!.namespace!, pod.metadata!.name!, {
    phase: 'Failed',
    conditions: [
      { type: 'ContainersReady', status: 'False', reason: 'PodFailed', lastTransitionTime: now },
      { type: 'Ready', status: 'False', reason: 'PodFailed', lastTransitionTime: now },
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => containerStatus(c, false, false, { terminated: ended })),
  });
}

/**
 * Ends a pod as its one container exited: Succeeded (exit 0) or Failed, with the exit code and, on
 * failure, the output's tail. Waits until the pod is Running first (kwok starts it), since a pod
 * that ended is never started again.
 */
export async function finishPod(core: k8s.CoreV1Api, namespace: string, name: string, exitCode: number, output: string): Promise<void> {
  const pod = await pollUntil(
    `pod ${namespace}/${name} to be Running`,
    async () => {
      const current = await core.readNamespacedPod({ name, namespace });
      return current.status?.phase === 'Running' ? current : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  const now = new Date().toISOString();
  const succeeded = exitCode === 0;
  const container = pod.spec!.containers[0]!;
  const terminated = {
    exitCode: exitCode < 0 ? 128 : exitCode,
    reason: succeeded ? 'Completed' : 'Error',
    ...(succeeded ? {} : { message: terminationMessage(output) }),
    startedAt: pod.status?.startTime ?? now,
    finishedAt: now,
  };
  await patchPodStatus(core, namespace, name, {
    phase: succeeded ? 'Succeeded' : 'Failed',
    conditions: (pod.status?.conditions ?? []).map((c) =>
      c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now } : c,
    ),
    containerStatuses: [containerStatus(container, false, false, { terminated })],
  });
}

/**
 * Removes a deleted pod once its process has ended, as a kubelet does (the pod stays Terminating until
 * then, so "the pods are gone" means the processes are too). A pod already gone, or replaced by another
 * of its name, is left alone; finalizers still hold it.
 */
export async function removePod(core: k8s.CoreV1Api, pod: k8s.V1Pod): Promise<void> {
  try {
    await core.deleteNamespacedPod({
      name: pod.metadata!.name!,
      namespace: pod.metadata!.namespace!,
      gracePeriodSeconds: 0,
      body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid! } },
    });
  } catch (error: unknown) {
    if (!(isNotFound(error) || isConflict(error))) throw error;
  }
}
