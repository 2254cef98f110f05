import type { FlinkClientEndpoints } from './flink.ts';

// What the stack adds to every Flink JVM it starts (JobManagers and TaskManagers of the Flink kubelet,
// Flink's client in launch Jobs, Flink's CLI in tests). On two cores a JVM's start is mostly class
// loading and JIT compiling:
// - the client compiler only: without C2 a JobManager is serving its REST on 35 % less CPU (measured:
//   2.5 s against 4.0 s, Flink 2.1), and the jobs the tests run are too small to need C2's code;
// - Flink's classes mapped from the class data sharing archive that provisioning trained
//   (scripts/flink-class-data.sh), not loaded and verified one by one: a JobManager 0.2-0.7 s less
//   CPU, a launch's client 0.4-0.5 s. A JVM that cannot use the archive ignores it.
// Flink itself runs unchanged.
export function stackJvmOptions(flink: Pick<FlinkClientEndpoints, 'classData'>, version: string): string[] {
  const archive = flink.classData[version];
  return ['-XX:TieredStopAtLevel=1', ...(archive ? [`-XX:SharedArchiveFile=${archive}`] : [])];
}
