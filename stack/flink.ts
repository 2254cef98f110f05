import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FlinkClientEndpoints {
  java: string;
  /** Flink version → java classpath of its client (flink-kubernetes with its dependencies). */
  classpaths: Record<string, string>;
  /** A conf dir with an empty config.yaml, so Flink's client finds a configuration to load. */
  confDir: string;
  /** Flink version → the sample job's jar (a keyed counter over datagen, checkpointing every second). */
  sampleJobs: Record<string, string>;
  /** Flink version → FLINK_PLUGINS_DIR with the S3 file system. */
  plugins: Record<string, string>;
  /** Flink version → the jar of Flink's dashboard (flink-runtime-web), where it is provisioned; the JobManagers the stack runs serve it. */
  runtimeWeb: Record<string, string>;
  /** Flink version → the class data sharing archive of its client's classes (stack/jvm-options.ts). */
  classData: Record<string, string>;
  /** The folder of the class data layers the stack's first JVMs of each kind write (stack/trained-class-data.ts). */
  classDataLayers: string;
}

/** The class behind the image's `bin/flink` (e.g. `flink run-application --target kubernetes-application`). */
export const FLINK_CLI_FRONTEND = 'org.apache.flink.client.cli.CliFrontend';
/** The main class of Flink's `kubernetes-session.sh`. */
export const KUBERNETES_SESSION_CLI = 'org.apache.flink.kubernetes.cli.KubernetesSessionCli';

/** Flink's client needs no server: prepare its conf dir and hand out the classpaths. */
export function prepareFlinkClient(
  java: string,
  classpaths: Record<string, string>,
  stateDir: string,
  extras: Pick<FlinkClientEndpoints, 'sampleJobs' | 'plugins' | 'runtimeWeb' | 'classData'>,
): FlinkClientEndpoints {
  const confDir = join(stateDir, 'flink-conf');
  mkdirSync(confDir, { recursive: true });
  writeFileSync(join(confDir, 'config.yaml'), '# empty: every option comes as -D on the command line\n');
  return { java, classpaths, confDir, classDataLayers: join(stateDir, 'class-data'), ...extras };
}

export interface FlinkCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** How to run Flink's `kubernetes-session.sh` (its main class) with the given arguments. */
export function kubernetesSessionCommand(client: FlinkClientEndpoints, flinkVersion: string, args: readonly string[]): FlinkCommand {
  const classpath = client.classpaths[flinkVersion];
  if (!classpath) {
    throw new Error(
      `no Flink client for version ${flinkVersion}; the stack has ${Object.keys(client.classpaths).join(', ')} (stack/versions.env FLINK_VERSIONS)`,
    );
  }
  return { file: client.java, args: ['-cp', classpath, KUBERNETES_SESSION_CLI, ...args], env: { FLINK_CONF_DIR: client.confDir } };
}
