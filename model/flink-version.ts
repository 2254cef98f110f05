// Which option keys and config file each Flink version reads. Checked against Flink's own option
// classes for the versions the tests have jars for (test/flink-options).

export interface FlinkVersion {
  major: number;
  minor: number;
}

/** The versions the operator renders for; anything else is refused before a redeploy touches the cluster. */
export const SUPPORTED_FLINK_VERSIONS = ['1.14', '1.15', '1.16', '1.17', '1.18', '1.19', '1.20', '2.0', '2.1', '2.2'] as const;
export const DEFAULT_FLINK_VERSION = '1.20';

export function parseFlinkVersion(text: string): FlinkVersion | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(text);
  if (!match || !(SUPPORTED_FLINK_VERSIONS as readonly string[]).includes(text)) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

const atLeast = (v: FlinkVersion, major: number, minor: number): boolean => v.major > major || (v.major === major && v.minor >= minor);

/** Option keys whose name depends on the Flink version. */
export interface VersionedKeys {
  containerImage: string;
  jobManagerCpu: string;
  taskManagerCpu: string;
  haType: string;
  stateBackend: string;
  incrementalCheckpoints: string;
  checkpointsDir: string;
  savepointsDir: string;
  javaOpts: string;
  /** Older keys a user's config file may still use for the same option (so the user's value wins). */
  javaOptsAliases: readonly string[];
  /** The config file the image's Flink reads from its conf dir. */
  configFile: 'flink-conf.yaml' | 'config.yaml';
  /** HA services value for Kubernetes HA (a factory class before 1.16). */
  kubernetesHaValue: string;
}

export function versionedKeys(v: FlinkVersion): VersionedKeys {
  const since117 = atLeast(v, 1, 17);
  // Flink 1.20 moved checkpoint settings under execution.checkpointing.* (the old keys still work, deprecated).
  const since120 = atLeast(v, 1, 20);
  const since119 = atLeast(v, 1, 19);
  return {
    containerImage: since117 ? 'kubernetes.container.image.ref' : 'kubernetes.container.image',
    jobManagerCpu: since117 ? 'kubernetes.jobmanager.cpu.amount' : 'kubernetes.jobmanager.cpu',
    taskManagerCpu: since117 ? 'kubernetes.taskmanager.cpu.amount' : 'kubernetes.taskmanager.cpu',
    haType: since117 ? 'high-availability.type' : 'high-availability',
    stateBackend: since117 ? 'state.backend.type' : 'state.backend',
    incrementalCheckpoints: since120 ? 'execution.checkpointing.incremental' : 'state.backend.incremental',
    checkpointsDir: since120 ? 'execution.checkpointing.dir' : 'state.checkpoints.dir',
    savepointsDir: since120 ? 'execution.checkpointing.savepoint-dir' : 'state.savepoints.dir',
    // 1.19 added env.java.default-opts.all, prepended to env.java.opts.all: the operator's default goes
    // there, so the Java 17 opens a Flink image sets in env.java.opts.all (its config.yaml) stay.
    javaOpts: since119 ? 'env.java.default-opts.all' : since117 ? 'env.java.opts.all' : 'env.java.opts',
    javaOptsAliases: since119 ? ['env.java.default-opts.all'] : ['env.java.opts', 'env.java.opts.all'],
    configFile: since119 ? 'config.yaml' : 'flink-conf.yaml',
    kubernetesHaValue: atLeast(v, 1, 16) ? 'kubernetes' : 'org.apache.flink.kubernetes.highavailability.KubernetesHaServicesFactory',
  };
}
