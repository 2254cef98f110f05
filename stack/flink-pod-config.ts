// A Flink pod's config.yaml (what Flink wrote into flink-config-<name>) with what a laptop needs
// changed: 127.0.0.1 instead of Service names, free ports instead of 6123/6124/8081, the stack's
// kubeconfig, small memory. Pure: no I/O.
import { parse, stringify } from 'yaml';

/** Flink's config.yaml, nested or flat, as flat `key: value` options. */
export function flattenFlinkConfig(text: string): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}.${key}` : key);
    } else if (prefix) {
      flat[prefix] = value;
    }
  };
  walk(parse(text) ?? {}, '');
  return flat;
}

/**
 * The file with `overrides` applied, in the flat form Flink's YAML parser reads too. A process size
 * the stack sets replaces that component's whole memory layout: the spec's parts of it (say, a
 * managed size of 900m) need not fit the stack's small size, and Flink refuses a layout that does
 * not add up ("TaskManager memory configuration failed"), so they go with it.
 */
export function withOverrides(text: string, overrides: Record<string, string>): string {
  const resized = ['jobmanager', 'taskmanager'].filter((component) => `${component}.memory.process.size` in overrides);
  const kept = Object.entries(flattenFlinkConfig(text)).filter(([key]) => !resized.some((component) => key.startsWith(`${component}.memory.`)));
  return stringify({ ...Object.fromEntries(kept), ...overrides });
}

export interface JobManagerPorts {
  rpc: number;
  blob: number;
  rest: number;
}

/**
 * For the stack's S3 server (versitygw, posix backend): S3A deletes the parent "directory" markers
 * after every write in one bulk delete, which versitygw refuses per key (ErrDirectoryNotEmpty), and
 * S3A retries that for minutes, so a JobManager's first HA blob write took longer than a job
 * submission waits. Kept markers are never deleted.
 */
const LOCAL_S3 = { 's3.directory.marker.retention': 'keep' };

/** What the stack changes in a JobManager's configuration. */
export function jobManagerOverrides(ports: JobManagerPorts, kubeconfig: string): Record<string, string> {
  return {
    ...LOCAL_S3,
    'jobmanager.rpc.address': '127.0.0.1',
    'jobmanager.bind-host': '127.0.0.1',
    'jobmanager.rpc.port': String(ports.rpc),
    // With HA, Flink's client sets this to the RPC port (6123) and the JobManager binds it instead of
    // jobmanager.rpc.port: two JobManagers on one machine would fight over 6123.
    'high-availability.jobmanager.port': String(ports.rpc),
    'blob.server.port': String(ports.blob),
    'rest.address': '127.0.0.1',
    'rest.bind-address': '127.0.0.1',
    'rest.port': String(ports.rest),
    'rest.bind-port': String(ports.rest),
    'kubernetes.config.file': kubeconfig,
    'jobmanager.memory.process.size': '768m',
    // The TaskManager pods the JobManager asks for carry these sizes in their arguments.
    'taskmanager.memory.process.size': '1024m',
  };
}

/**
 * The one jar the stack's Flink "image" holds besides Flink: the sample job (stack/sample-job), as an
 * application names it (spec.applicationConfig.jarPath). The JobManager's Flink is this machine's
 * client classpath, so its `local://` path is the cache's jar of the JobManager's Flink version.
 */
export const IMAGE_SAMPLE_JOB_JAR = 'local:///opt/flink/usrlib/keyed-counter.jar';

/**
 * An application JobManager's `pipeline.jars` with the image's sample job at its place on this machine
 * (`sampleJob`); nothing when the configuration names no such jar. Any other `local://` jar stays, and
 * fails as a jar missing from the image does.
 */
export function imageJarOverrides(config: Record<string, unknown>, sampleJob: string): Record<string, string> {
  const jars = config['pipeline.jars'];
  const listed = Array.isArray(jars) ? jars.map(String) : typeof jars === 'string' ? jars.split(';') : [];
  if (!listed.includes(IMAGE_SAMPLE_JOB_JAR)) return {};
  return { 'pipeline.jars': listed.map((jar) => (jar === IMAGE_SAMPLE_JOB_JAR ? `local://${sampleJob}` : jar)).join(';') };
}

/** What the stack changes in a TaskManager's configuration (non-HA: the JobManager at its local RPC port). */
export function taskManagerOverrides(rpcPort: number, jobManager: JobManagerPorts | undefined, kubeconfig: string): Record<string, string> {
  return {
    ...LOCAL_S3,
    'taskmanager.host': '127.0.0.1',
    'taskmanager.bind-host': '127.0.0.1',
    'taskmanager.rpc.port': String(rpcPort),
    'taskmanager.data.port': '0',
    'kubernetes.config.file': kubeconfig,
    ...(jobManager
      ? { 'jobmanager.rpc.address': '127.0.0.1', 'jobmanager.rpc.port': String(jobManager.rpc), 'blob.server.port': String(jobManager.blob) }
      : {}),
  };
}

/**
 * The JVM options a Flink image's scripts (bin/config.sh, flink-console.sh) start a JobManager or
 * TaskManager with, from its config.yaml: env.java.default-opts.all, env.java.opts.all (or the
 * older env.java.opts), then the component's env.java.default-opts.<component> and
 * env.java.opts.<component>. A key set replaces the image's value: the Java 17 opens a Flink image
 * ships are env.java.opts.all, so a config that sets that key to something else starts Flink without them.
 */
export function flinkJavaOptions(config: Record<string, unknown>, component: 'jobmanager' | 'taskmanager'): string[] {
  const text = (key: string): string | undefined => {
    const value = config[key];
    return value === undefined || value === null || value === '' ? undefined : String(value).replace(/^"|"$/g, '');
  };
  return [
    text('env.java.default-opts.all'),
    text('env.java.opts.all') ?? text('env.java.opts'),
    text(`env.java.default-opts.${component}`),
    text(`env.java.opts.${component}`),
  ].flatMap((value) => value?.split(/\s+/).filter(Boolean) ?? []);
}
