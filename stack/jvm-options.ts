// What the stack adds to every Flink JVM it starts (JobManagers and TaskManagers of the Flink kubelet,
// Flink's client in launch Jobs, Flink's CLI in tests): the client compiler only. On two cores a JVM's
// start is mostly class loading and JIT compiling; without C2 a JobManager is serving its REST on
// 35 % less CPU (measured: 2.5 s against 4.0 s, Flink 2.1), and the jobs the tests run are too small
// to need C2's code. Flink itself runs unchanged.
export const STACK_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1'];
