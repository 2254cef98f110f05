// The status a kubelet writes for a pod whose process it runs (the stack's process kubelets): kwok
// leaves these pods' ends to them, and the Job controller and the operator read what they write.
import * as k8s from '@kubernetes/client-node';
import { pollUntil } from './poll.ts';

const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** What a kubelet keeps of a failed container's log as its termination message (FallbackToLogsOnError). */
export function terminationMessage(output: string): string {
  const lines = output.trimEnd().split('\n').slice(-80).join('\n');
  const bytes = Buffer.from(lines, 'utf8');
  return bytes.length <= 2048 ? lines : bytes.subarray(bytes.length - 2048).toString('utf8');
}

/**
 * Ends a pod as its one container exited: Succeeded (exit 0) or Failed, with the exit code and, on
 * failure, the output's tail. Waits until the pod is Running first (kwok starts it), since a pod
 * that ended is never started again.
 */
export async function finishPod(core: k8s.CoreV1Api, namespace: string, name: string, exitCode: number, output: string): Promise<void> {
  const pod = await pollUntil(`pod ${namespace}/${name} to be Running`, async () => {
    const current = await core.readNamespacedPod({ name, namespace });
    return current.status?.phase === 'Running' ? current : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  const now = new Date().toISOString();
  const succeeded = exitCode === 0;
  const container = pod.spec!.containers[0]!;
  await core.patchNamespacedPodStatus({
    name, namespace,
    body: {
      status: {
        phase: succeeded ? 'Succeeded' : 'Failed',
        conditions: (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now } : c)),
        containerStatuses: [{
          name: container.name,
          image: container.image ?? '',
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: {
            terminated: {
              exitCode: exitCode < 0 ? 128 : exitCode,
              reason: succeeded ? 'Completed' : 'Error',
              ...(succeeded ? {} : { message: terminationMessage(output) }),
              startedAt: pod.status?.startTime ?? now,
              finishedAt: now,
            },
          },
        }],
      },
    },
  }, MERGE_PATCH);
}
