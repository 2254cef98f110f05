import { describe, expect, it } from 'vitest';
import { CRASH_LOOP_RESTARTS, jobManagerPodFailure, type PodShape } from './jobmanager-pod-failure.ts';

const pod = (container: NonNullable<NonNullable<PodShape['status']>['containerStatuses']>[number]): PodShape => ({
  metadata: { name: 'orders-7d9f-abcde' },
  status: { containerStatuses: [container] },
});

const JVM_REFUSED = [
  'Starting kubernetes-session as a console application on host orders-7d9f-abcde.',
  "Unrecognized VM option 'NoSuchVmOptionAnywhere'",
  'Error: Could not create the Java Virtual Machine.',
  'Error: A fatal exception has occurred. Program will exit.',
].join('\n');

describe('jobManagerPodFailure', () => {
  it(`a container in CrashLoopBackOff after ${CRASH_LOOP_RESTARTS} restarts: what it last said, and the command that shows its log`, () => {
    const failure = jobManagerPodFailure(
      [
        pod({
          name: 'flink-main-container',
          restartCount: CRASH_LOOP_RESTARTS,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', message: JVM_REFUSED } },
        }),
      ],
      'team-a',
    );
    expect(failure).toEqual({
      reason: 'JobManagerCrashLooping',
      message:
        'the JobManager container of pod orders-7d9f-abcde exited 3 times and is in CrashLoopBackOff (last exit code 1: ' +
        "Unrecognized VM option 'NoSuchVmOptionAnywhere' | Error: Could not create the Java Virtual Machine. | " +
        'Error: A fatal exception has occurred. Program will exit.); read its log: kubectl -n team-a logs pod/orders-7d9f-abcde --previous',
    });
  });

  it('fewer restarts, a container that runs, or one starting again are waited for', () => {
    const crashing = { name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } };
    expect(jobManagerPodFailure([pod({ ...crashing, restartCount: CRASH_LOOP_RESTARTS - 1 })], 'ns')).toBeUndefined();
    expect(jobManagerPodFailure([pod({ name: 'c', restartCount: 5, state: {} })], 'ns')).toBeUndefined();
    expect(jobManagerPodFailure([pod({ name: 'c', restartCount: 5, state: { waiting: { reason: 'ContainerCreating' } } })], 'ns')).toBeUndefined();
    expect(jobManagerPodFailure([{ metadata: { name: 'p' } }, { status: {} }], 'ns')).toBeUndefined();
    expect(jobManagerPodFailure([], 'ns')).toBeUndefined();
  });

  it('an image that cannot be pulled fails at once, naming the image', () => {
    for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']) {
      const failure = jobManagerPodFailure(
        [pod({ name: 'c', image: 'registry.invalid/flink:1.20', restartCount: 0, state: { waiting: { reason, message: 'not found' } } })],
        'ns',
      );
      expect(failure?.reason).toBe('ImagePullFailed');
      expect(failure?.message).toBe(
        `the JobManager pod orders-7d9f-abcde cannot pull its image registry.invalid/flink:1.20 (${reason}: not found); ` +
          'fix spec.image, or spec.imageSecret: kubectl -n ns describe pod orders-7d9f-abcde',
      );
    }
  });

  it('a long termination message is cut to its last lines', () => {
    const failure = jobManagerPodFailure(
      [
        pod({
          name: 'c',
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 2, message: `${'x'.repeat(2_000)}\n\nlast words` } },
        }),
      ],
      'ns',
    );
    expect(failure?.message).toContain('(last exit code 2: …');
    expect(failure?.message).toContain('x | last words); read its log');
    expect(failure!.message.length).toBeLessThan(900);
  });
});
