import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBinaries, type Env } from './binaries.ts';
import { StackError } from './errors.ts';
import { prepareFlinkClient, type FlinkClientEndpoints } from './flink.ts';
import { startKubernetes, type KubernetesEndpoints } from './kubernetes.ts';
import { isAlive, killGroup, type ManagedProcess } from './processes.ts';
import { startS3, type S3Endpoints } from './s3.ts';
import { startTemporal, type TemporalEndpoints } from './temporal.ts';
import { startZooKeeper, type ZooKeeperEndpoints } from './zookeeper.ts';

/** Everything a test (or a person) needs to reach the stack; plain data, passed to test workers. */
export interface StackEndpoints {
  stateDir: string;
  logDir: string;
  temporal: TemporalEndpoints;
  kubernetes: KubernetesEndpoints;
  s3: S3Endpoints;
  zookeeper: ZooKeeperEndpoints;
  flink: FlinkClientEndpoints;
}

export interface Stack {
  endpoints: StackEndpoints;
  processes: readonly ManagedProcess[];
  stop(): Promise<void>;
}

/** What `stack:down` reads to stop a stack started by another process. */
export interface StackStateFile {
  /** The process that started the stack (it stops the servers when it gets SIGTERM). */
  ownerPid: number;
  pids: Record<string, number>;
  endpoints: StackEndpoints;
}

export const STATE_FILE = 'stack.json';

export interface StartStackOptions {
  stateDir: string;
  env: Env;
  /** Remove the state of an earlier run first (tests start clean; a person's stack keeps its history). */
  fresh?: boolean;
}

/**
 * Before a stack starts in `stateDir`: refuses when one is running from there, and stops what a stack
 * that died (its owner killed) left running.
 */
export function claimStateDir(stateDir: string): void {
  const stateFile = join(stateDir, STATE_FILE);
  if (!existsSync(stateFile)) return;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StackStateFile;
  if (isAlive(state.ownerPid)) {
    throw new StackError(
      `a stack is already running from ${stateDir} (pid ${state.ownerPid}); ` +
        `stop it with \`npm run stack:down -- --state-dir ${stateDir}\` or use another --state-dir`,
    );
  }
  stopRecorded(state);
}

/** Stops the processes a state file names (their whole groups), owner first. */
export function stopRecorded(state: StackStateFile): void {
  if (isAlive(state.ownerPid)) process.kill(state.ownerPid, 'SIGTERM');
  for (const pid of Object.values(state.pids)) killGroup(pid, 'SIGKILL');
}

/** Starts every server, healthy, on free 127.0.0.1 ports; on any failure stops what it started. */
export async function startStack(options: StartStackOptions): Promise<Stack> {
  const binaries = resolveBinaries(options.env);
  if (options.fresh) rmSync(options.stateDir, { recursive: true, force: true });
  const logDir = join(options.stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(
      started
        .splice(0)
        .reverse()
        .map((p) => p.stop()),
    );
  };
  const track = <T extends { process: ManagedProcess }>(result: T): T => {
    started.push(result.process);
    return result;
  };
  const common = { stateDir: options.stateDir, logDir };
  const temporal = startTemporal({ binary: binaries.temporal, ...common }).then(track);
  const s3 = startS3({ binary: binaries.versitygw, ...common }).then(track);
  const zookeeper = startZooKeeper({ java: binaries.java, classpath: binaries.zookeeperClasspath, ...common }).then(track);
  const kubernetes = startKubernetes({
    etcd: binaries.etcd,
    kubeApiserver: binaries.kubeApiserver,
    kubeControllerManager: binaries.kubeControllerManager,
    kubeScheduler: binaries.kubeScheduler,
    kwok: binaries.kwok,
    kwokStages: binaries.kwokStages,
    ...common,
  }).then((result) => {
    started.push(...result.processes);
    return result;
  });
  const failures = (await Promise.allSettled([temporal, s3, zookeeper, kubernetes])).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await stopAll();
    const reasons = failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)));
    throw new StackError(`the local stack did not start:\n${reasons.join('\n\n')}`);
  }
  const endpoints: StackEndpoints = {
    stateDir: options.stateDir,
    logDir,
    temporal: (await temporal).endpoints,
    kubernetes: (await kubernetes).endpoints,
    s3: (await s3).endpoints,
    zookeeper: (await zookeeper).endpoints,
    flink: prepareFlinkClient(binaries.java, binaries.flinkClasspaths, options.stateDir, {
      sampleJobs: binaries.flinkSampleJobs,
      plugins: binaries.flinkPlugins,
      runtimeWeb: binaries.flinkRuntimeWeb,
      classData: binaries.flinkClassData,
    }),
  };
  const state: StackStateFile = {
    ownerPid: process.pid,
    pids: Object.fromEntries(started.map((p) => [p.name, p.pid])),
    endpoints,
  };
  writeFileSync(join(options.stateDir, STATE_FILE), JSON.stringify(state, null, 2));
  const processes = [...started];
  return {
    endpoints,
    processes,
    async stop() {
      await stopAll();
      rmSync(join(options.stateDir, STATE_FILE), { force: true });
    },
  };
}
