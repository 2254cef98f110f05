import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Versions, read from the one file that scripts/provision.sh also reads. */
export interface StackVersions {
  temporal: string;
  kubernetes: string;
  etcd: string;
  kwok: string;
  versitygw: string;
  flink: string[];
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
    flink: get('FLINK_VERSIONS').split(/\s+/).filter(Boolean),
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

/**
 * Finds each program the way scripts/provision.sh expects it: the env var the user set, then PATH,
 * then the cache folder keyed by version. Throws one error listing everything that is missing.
 */
export function resolveBinaries(env: Env, versions: StackVersions = readVersions()): StackBinaries {
  const cache = env.FSO_CACHE ?? join(homedir(), '.cache', 'flink-session-operator');
  const missing: string[] = [];
  const find = (envVar: string, name: string, cached: string): string => {
    const named = env[envVar];
    if (named) {
      if (!isExecutable(named)) missing.push(`${envVar}=${named} is not an executable file`);
      return named;
    }
    const found = onPath(name, env) ?? (isExecutable(cached) ? cached : undefined);
    if (!found) missing.push(`${name}: not in $${envVar}, on PATH, or at ${cached}; ${PROVISION_HINT}`);
    return found ?? cached;
  };
  const kube = join(cache, `kubernetes-${versions.kubernetes}`);
  const kwokDir = join(cache, `kwok-${versions.kwok}`);
  const kwokStages = env.FSO_KWOK_STAGES ?? join(kwokDir, 'stage');
  if (!existsSync(kwokStages)) missing.push(`kwok stages: no folder ${kwokStages}; ${PROVISION_HINT}`);
  const zookeeperJar = env.FSO_ZOOKEEPER_JAR ?? '/usr/share/java/zookeeper.jar';
  if (!existsSync(zookeeperJar)) missing.push(`ZooKeeper: no ${zookeeperJar}; ${PROVISION_HINT} (apt package zookeeper)`);
  const flinkClasspaths: Record<string, string> = {};
  for (const version of versions.flink) {
    const dir = join(cache, `flink-client-${version}`);
    if (!existsSync(join(dir, '.complete'))) missing.push(`Flink ${version} client: no ${dir}; ${PROVISION_HINT}`);
    flinkClasspaths[version] = join(dir, 'lib', '*');
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
    java: find('FSO_JAVA_BIN', 'java', '/usr/bin/java'),
    zookeeperClasspath: [zookeeperJar, '/usr/share/java/slf4j-simple.jar'].join(delimiter),
    flinkClasspaths,
  };
  if (missing.length > 0) {
    throw new Error(`The local stack is missing programs:\n  - ${missing.join('\n  - ')}`);
  }
  return binaries;
}
