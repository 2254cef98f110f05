import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './errors.ts';

/** Versions, read from the one file that scripts/provision.sh also reads. */
export interface StackVersions {
  temporal: string;
  /** Temporal's time-skipping test server (Java), for the workflow tests; not part of the stack. */
  temporalTestServer: string;
  kubernetes: string;
  etcd: string;
  kwok: string;
  versitygw: string;
  helm: string;
  /** Prometheus' Go module version (v0.3xx.y for Prometheus 3.x), of which promtool is built. */
  prometheusModule: string;
  flink: string[];
  /** Flink versions whose dashboard (flink-runtime-web) is provisioned: those Maven Central serves. */
  flinkRuntimeWeb: string[];
}

export function parseVersionsEnv(text: string): StackVersions {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=("?)(.*)\2\s*$/.exec(line.trim());
    if (match) values.set(match[1]!, match[3]!);
  }
  const get = (key: string): string => {
    const value = values.get(key);
    if (!value) throw new Error(`stack/versions.env has no ${key}`);
    return value;
  };
  return {
    temporal: get('TEMPORAL_VERSION'),
    kubernetes: get('KUBE_VERSION'),
    etcd: get('ETCD_VERSION'),
    kwok: get('KWOK_VERSION'),
    versitygw: get('VERSITYGW_VERSION'),
    helm: get('HELM_VERSION'),
    prometheusModule: get('PROMETHEUS_MODULE_VERSION'),
    flink: get('FLINK_VERSIONS').split(/\s+/).filter(Boolean),
    flinkRuntimeWeb: (values.get('FLINK_RUNTIME_WEB_VERSIONS') ?? '').split(/\s+/).filter(Boolean),
    temporalTestServer: get('TEMPORAL_TEST_SERVER_VERSION'),
  };
}

export function readVersions(): StackVersions {
  return parseVersionsEnv(readFileSync(new URL('./versions.env', import.meta.url), 'utf8'));
}

/** Where the stack's programs are: every path resolved once, at start. */
export interface StackBinaries {
  temporal: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  kwokStages: string;
  versitygw: string;
  java: string;
  zookeeperClasspath: string;
  /** Flink version → classpath of its client (flink-kubernetes with its dependencies). */
  flinkClasspaths: Record<string, string>;
  /** Flink version → the sample job's jar (stack/sample-job), compiled against that client. */
  flinkSampleJobs: Record<string, string>;
  /** Flink version → the class data sharing archive provisioning trained for its client's JVMs. */
  flinkClassData: Record<string, string>;
  /** Flink version → a plugins folder (FLINK_PLUGINS_DIR) with Flink's S3 file system. */
  flinkPlugins: Record<string, string>;
  /** Flink version → the jar of Flink's dashboard (flink-runtime-web), for the versions it is provisioned for. */
  flinkRuntimeWeb: Record<string, string>;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const PROVISION_HINT = 'run `npm run provision` (scripts/provision.sh) to build it into the cache';

/** Programs the local stack or a test needs are missing: an expected error, printed as its message alone. */
export class MissingProgramsError extends StackError {
  readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    super(`The local stack is missing programs:\n  - ${missing.join('\n  - ')}`);
    this.missing = missing;
    this.name = 'MissingProgramsError';
  }
}

const cacheDir = (env: Env): string => env.FSO_CACHE ?? join(homedir(), '.cache', 'flink-session-operator');

/** The env var the user set, then PATH, then the cache; a problem is added to `missing`. */
function locate(env: Env, envVar: string, name: string, cached: string, missing: string[]): string {
  const named = env[envVar];
  if (named) {
    if (!isExecutable(named)) missing.push(`${envVar}=${named} is not an executable file`);
    return named;
  }
  const found = onPath(name, env) ?? (isExecutable(cached) ? cached : undefined);
  if (!found) missing.push(`${name}: not in $${envVar}, on PATH, or at ${cached}; ${PROVISION_HINT}`);
  return found ?? cached;
}

/** Tools only some tests use (the chart's and the alert rules'), found like the stack's programs. */
const TEST_TOOLS = {
  helm: { envVar: 'FSO_HELM_BIN', dir: (v: StackVersions) => `helm-${v.helm}` },
  promtool: { envVar: 'FSO_PROMTOOL_BIN', dir: (v: StackVersions) => `promtool-${v.prometheusModule}` },
  /** Temporal's time-skipping test server (the wrapper provisioning writes), for the workflow tests. */
  'temporal-test-server': { envVar: 'FSO_TEMPORAL_TEST_SERVER_BIN', dir: (v: StackVersions) => `temporal-test-server-${v.temporalTestServer}` },
} as const;

export type TestTool = keyof typeof TEST_TOOLS;

/** Debian's chromium (provisioning installs it with apt), headless, for the Temporal UI test and the README's screenshots. */
export function resolveChromium(env: Env): string {
  const missing: string[] = [];
  const path = locate(env, 'FSO_CHROMIUM_BIN', 'chromium', '/usr/bin/chromium', missing);
  if (missing.length > 0) throw new MissingProgramsError(missing);
  return path;
}

export function resolveTestTool(tool: TestTool, env: Env, versions: StackVersions = readVersions()): string {
  const missing: string[] = [];
  const { envVar, dir } = TEST_TOOLS[tool];
  const path = locate(env, envVar, tool, join(cacheDir(env), dir(versions), tool), missing);
  if (missing.length > 0) throw new MissingProgramsError(missing);
  return path;
}

/** Temporal's time-skipping test server, started as `<program> <port>` the way @temporalio/testing does. */
export const resolveTemporalTestServer = (env: Env, versions: StackVersions = readVersions()): string => resolveTestTool('temporal-test-server', env, versions);

/** Java runs ZooKeeper and Flink's client; it is not built by provisioning. */
function findJava(env: Env, missing: string[]): string {
  const named = env.FSO_JAVA_BIN;
  if (named) return locate(env, 'FSO_JAVA_BIN', 'java', named, missing);
  const found = onPath('java', env);
  if (!found)
    missing.push(
      "java: not in $FSO_JAVA_BIN or on PATH; install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless), it runs ZooKeeper and Flink's client",
    );
  return found ?? 'java';
}

/**
 * Finds each program the way scripts/provision.sh expects it: the env var the user set, then PATH,
 * then the cache folder keyed by version. Throws one error listing everything that is missing.
 */
export function resolveBinaries(env: Env, versions: StackVersions = readVersions()): StackBinaries {
  const cache = cacheDir(env);
  const missing: string[] = [];
  const find = (envVar: string, name: string, cached: string): string => locate(env, envVar, name, cached, missing);
  const kube = join(cache, `kubernetes-${versions.kubernetes}`);
  const kwokDir = join(cache, `kwok-${versions.kwok}`);
  const kwokStages = env.FSO_KWOK_STAGES ?? join(kwokDir, 'stage');
  if (!existsSync(kwokStages)) missing.push(`kwok stages: no folder ${kwokStages}; ${PROVISION_HINT}`);
  const zookeeperJar = env.FSO_ZOOKEEPER_JAR ?? '/usr/share/java/zookeeper.jar';
  if (!existsSync(zookeeperJar)) missing.push(`ZooKeeper: no ${zookeeperJar}; ${PROVISION_HINT} (apt package zookeeper)`);
  const flinkClasspaths: Record<string, string> = {};
  const flinkSampleJobs: Record<string, string> = {};
  const flinkClassData: Record<string, string> = {};
  const flinkPlugins: Record<string, string> = {};
  const flinkRuntimeWeb: Record<string, string> = {};
  for (const version of versions.flinkRuntimeWeb) {
    const jar = flinkRuntimeWebJar(cache, version);
    if (!existsSync(jar)) missing.push(`Flink ${version} dashboard: no ${jar}; ${PROVISION_HINT}`);
    flinkRuntimeWeb[version] = jar;
  }
  for (const version of versions.flink) {
    const dir = join(cache, `flink-client-${version}`);
    if (!existsSync(join(dir, '.complete'))) missing.push(`Flink ${version} client: no ${dir}; ${PROVISION_HINT}`);
    flinkClasspaths[version] = join(dir, 'lib', '*');
    const { sampleJob, s3Plugin, classData } = flinkExtras(cache, version);
    for (const [what, file] of [
      ['sample job', sampleJob],
      ['S3 plugin', s3Plugin],
      ['class data archive', classData],
    ] as const) {
      if (!existsSync(file)) missing.push(`Flink ${version} ${what}: no ${file}; ${PROVISION_HINT}`);
    }
    flinkSampleJobs[version] = sampleJob;
    flinkClassData[version] = classData;
    flinkPlugins[version] = join(dir, 'plugins');
  }
  const binaries: StackBinaries = {
    temporal: find('FSO_TEMPORAL_BIN', 'temporal', join(cache, `temporal-${versions.temporal}`, 'temporal')),
    etcd: find('FSO_ETCD_BIN', 'etcd', join(cache, `etcd-${versions.etcd}`, 'etcd')),
    kubeApiserver: find('FSO_KUBE_APISERVER_BIN', 'kube-apiserver', join(kube, 'kube-apiserver')),
    kubeControllerManager: find('FSO_KUBE_CONTROLLER_MANAGER_BIN', 'kube-controller-manager', join(kube, 'kube-controller-manager')),
    kubeScheduler: find('FSO_KUBE_SCHEDULER_BIN', 'kube-scheduler', join(kube, 'kube-scheduler')),
    kwok: find('FSO_KWOK_BIN', 'kwok', join(kwokDir, 'kwok')),
    kwokStages,
    versitygw: find('FSO_VERSITYGW_BIN', 'versitygw', join(cache, `versitygw-${versions.versitygw}`, 'versitygw')),
    java: findJava(env, missing),
    zookeeperClasspath: [zookeeperJar, '/usr/share/java/slf4j-simple.jar'].join(delimiter),
    flinkClasspaths,
    flinkSampleJobs,
    flinkClassData,
    flinkPlugins,
    flinkRuntimeWeb,
  };
  if (missing.length > 0) throw new MissingProgramsError(missing);
  return binaries;
}

const SAMPLE_JOB_SOURCE = fileURLToPath(new URL('sample-job/src/io/sessionoperator/sample/KeyedCounter.java', import.meta.url));
const CLASS_DATA_SCRIPT = fileURLToPath(new URL('../scripts/flink-class-data.sh', import.meta.url));

const sha12 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

/**
 * Where scripts/provision.sh puts a client's sample job (keyed by its source's hash), S3 plugin and
 * class data archive (keyed by the hash of the script that trains it).
 */
export function flinkExtras(cache: string, version: string): { sampleJob: string; s3Plugin: string; classData: string } {
  const dir = join(cache, `flink-client-${version}`);
  return {
    sampleJob: join(dir, 'sample-job', `keyed-counter-${sha12(SAMPLE_JOB_SOURCE)}.jar`),
    s3Plugin: join(dir, 'plugins', 's3-fs-hadoop', `flink-s3-fs-hadoop-${version}.jar`),
    classData: join(dir, 'class-data', `flink-${sha12(CLASS_DATA_SCRIPT)}.jsa`),
  };
}

/** Where scripts/provision.sh puts Flink's dashboard (flink-runtime-web) of a version, by version. */
export const flinkRuntimeWebJar = (cache: string, version: string): string => join(cache, `flink-runtime-web-${version}`, `flink-runtime-web-${version}.jar`);
