import type { FlinkClientEndpoints } from './flink.ts';
import { trainedClassData, type FlinkJvmKind, type TrainedClassData } from './trained-class-data.ts';

// What the stack adds to every Flink JVM it starts (JobManagers and TaskManagers of the Flink kubelet,
// Flink's client in launch Jobs, Flink's CLI in tests). On two cores a JVM's start is mostly class
// loading and JIT compiling:
// - the client compiler only: without C2 a JobManager is serving its REST on 35 % less CPU (measured:
//   2.5 s against 4.0 s, Flink 2.1), and the jobs the tests run are too small to need C2's code;
// - Flink's classes mapped from class data sharing archives, not loaded and verified one by one: the
//   one provisioning trained (scripts/flink-class-data.sh; a JobManager 0.2-0.7 s less CPU, a launch's
//   client 0.4-0.5 s), and on top of it the layer the first JVM of each kind wrote in this stack
//   (stack/trained-class-data.ts). A JVM that cannot use an archive ignores it.
// Flink itself runs unchanged.
export const CLIENT_COMPILER_ONLY = '-XX:TieredStopAtLevel=1';

/** The stack's options for a Flink JVM of `kind` with `classpath`; call `exited` with how it ended. */
export async function stackJvm(
  flink: Pick<FlinkClientEndpoints, 'java' | 'classData' | 'classDataLayers'>,
  version: string,
  kind: FlinkJvmKind,
  classpath: string,
): Promise<TrainedClassData> {
  const classData = await trainedClassData({ dir: flink.classDataLayers, java: flink.java, base: flink.classData[version], classpath, version, kind });
  return { options: [CLIENT_COMPILER_ONLY, ...classData.options], exited: classData.exited };
}

/** How a process run by execFile ended, from its error: `exit code N`, or the signal that killed it. */
export function exitReason(error: unknown): string {
  if (error instanceof Error && 'signal' in error && typeof error.signal === 'string') return error.signal;
  if (error instanceof Error && 'code' in error && typeof error.code === 'number') return `exit code ${error.code}`;
  return 'not started';
}
