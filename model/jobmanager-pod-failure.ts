// What a JobManager pod's container statuses say about a start that waiting will not fix: a container
// that keeps exiting (CrashLoopBackOff, e.g. a JVM option Java does not know, a config Flink refuses)
// or an image the node cannot pull. The readiness wait ends with this at once, instead of at its
// deadline, and says what the pod said. Pure: it reads V1Pod-shaped data only.

/** The container restarts after which a CrashLoopBackOff is taken as final (the kubelet backs off 10 s, 20 s, 40 s). */
export const CRASH_LOOP_RESTARTS = 3;

/** Waiting reasons of a container whose image cannot be had: no restart changes them, only a new spec.image. */
const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

export interface PodShape {
  metadata?: { name?: string };
  status?: {
    containerStatuses?: Array<{
      name: string;
      image?: string;
      restartCount?: number;
      state?: { waiting?: { reason?: string; message?: string } };
      lastState?: { terminated?: { exitCode?: number; reason?: string; message?: string } };
    }>;
  };
}

export interface JobManagerPodFailure {
  /** The failure's type: JobManagerCrashLooping or ImagePullFailed. */
  reason: 'JobManagerCrashLooping' | 'ImagePullFailed';
  message: string;
}

/** The first JobManager pod whose start has failed for good, as a failure that names the pod and what to read; else undefined. */
export function jobManagerPodFailure(pods: readonly PodShape[], namespace: string): JobManagerPodFailure | undefined {
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?';
    for (const container of pod.status?.containerStatuses ?? []) {
      const waiting = container.state?.waiting;
      if (waiting?.reason && IMAGE_REASONS.has(waiting.reason)) {
        return {
          reason: 'ImagePullFailed',
          message:
            `the JobManager pod ${name} cannot pull its image ${container.image ?? ''} (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}); ` +
            `fix spec.image, or spec.imageSecret: kubectl -n ${namespace} describe pod ${name}`,
        };
      }
      const restarts = container.restartCount ?? 0;
      if (waiting?.reason === 'CrashLoopBackOff' && restarts >= CRASH_LOOP_RESTARTS) {
        const last = container.lastState?.terminated;
        const exit = last ? `exit code ${last.exitCode ?? '?'}${last.message ? `: ${oneLine(last.message)}` : ''}` : 'no exit recorded';
        return {
          reason: 'JobManagerCrashLooping',
          message:
            `the JobManager container of pod ${name} exited ${restarts} times and is in CrashLoopBackOff (last ${exit}); ` +
            `read its log: kubectl -n ${namespace} logs pod/${name} --previous`,
        };
      }
    }
  }
  return undefined;
}

/** A termination message's last lines, on one line: the kubelet keeps up to 4 KB of a log's tail there. */
function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const tail = lines.slice(-3).join(' | ');
  return tail.length > 600 ? `…${tail.slice(-600)}` : tail;
}
