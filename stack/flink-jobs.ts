// The sample job (stack/sample-job) on a real session cluster (tests, dev mode): submit it with Flink's CLI, and
// through Flink's REST read its state, and read its counter (the gauge highestCount), which goes on from the last
// checkpoint when Flink restores the job.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IMAGE_JAVA_OPTS } from './flink-image-config.ts';
import { FLINK_CLI_FRONTEND, type FlinkClientEndpoints } from './flink.ts';
import { exitReason, stackJvm } from './jvm-options.ts';

const run = promisify(execFile);

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 2000)}`);
  return JSON.parse(text) as T;
}

/** The stack's full Flink version (e.g. 1.20.1) of a minor one (1.20). */
export function clientVersion(flink: FlinkClientEndpoints, minor: string): string {
  const version = Object.keys(flink.sampleJobs).find((v) => v.startsWith(`${minor}.`));
  if (!version) throw new Error(`no Flink ${minor} in the stack (it has ${Object.keys(flink.sampleJobs).join(', ')})`);
  return version;
}

/**
 * Runs Flink's CLI (`bin/flink <args>`) the way a person does by hand, with the Java 17 opens the
 * image's config.yaml gives every Flink process (bin/flink included). Its output, stdout and stderr.
 */
export async function flinkCli(flink: FlinkClientEndpoints, version: string, args: readonly string[]): Promise<string> {
  const classpath = flink.classpaths[version]!;
  const jvm = await stackJvm(flink, version, 'cli', classpath);
  try {
    const { stdout, stderr } = await run(flink.java, [...jvm.options, ...IMAGE_JAVA_OPTS.split(' '), '-cp', classpath, FLINK_CLI_FRONTEND, ...args], {
      env: { ...process.env, FLINK_CONF_DIR: flink.confDir },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    jvm.exited('exit code 0');
    return stdout + stderr;
  } catch (error: unknown) {
    jvm.exited(exitReason(error));
    throw error;
  }
}

/**
 * Submits a jar, detached, with Flink's CLI (`flink run -d -m <JobManager REST> [-s <savepoint>]`),
 * the way a person does by hand (FlinkSessionJobs go through the REST jar upload instead). The job's id.
 */
export async function submitJar(
  flink: FlinkClientEndpoints,
  version: string,
  rest: string,
  jar: string,
  programArgs: string[] = [],
  fromSavepoint?: string,
): Promise<string> {
  const { host } = new URL(rest);
  const output = await flinkCli(flink, version, ['run', '-d', '-m', host, ...(fromSavepoint ? ['-s', fromSavepoint] : []), jar, ...programArgs]);
  const id = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(output)?.[1];
  if (!id) throw new Error(`flink run printed no job id:\n${output}`);
  return id;
}

/** Stops a job with a savepoint into `directory` (`flink stop --savepointPath <directory> <jobId>`). The savepoint's path. */
export async function stopWithSavepoint(flink: FlinkClientEndpoints, version: string, rest: string, jobId: string, directory: string): Promise<string> {
  const { host } = new URL(rest);
  const output = await flinkCli(flink, version, ['stop', '-m', host, '--savepointPath', directory, jobId]);
  const path = /Savepoint completed\. Path: (\S+)/.exec(output)?.[1];
  if (!path) throw new Error(`flink stop printed no savepoint path:\n${output}`);
  return path;
}

export interface JobOverview {
  jid: string;
  name: string;
  state: string;
  /** How many of its tasks there are, and run. */
  tasks?: { total: number; running: number };
}

export async function listJobs(rest: string): Promise<JobOverview[]> {
  return (await json<{ jobs: JobOverview[] }>(await fetch(`${rest}/jobs/overview`), 'list jobs')).jobs;
}

/** The job's highestCount gauge (the highest count of any key, in keyed state), once its tasks report it. */
export async function highestCount(rest: string, jobId: string): Promise<number | undefined> {
  const job = await json<{ vertices: Array<{ id: string; name: string }> }>(await fetch(`${rest}/jobs/${jobId}`), 'read the job');
  for (const vertex of job.vertices) {
    const base = `${rest}/jobs/${jobId}/vertices/${vertex.id}/metrics`;
    const ids = (await json<Array<{ id: string }>>(await fetch(base), 'list metrics')).map((m) => m.id).filter((id) => id.endsWith('.highestCount'));
    if (ids.length === 0) continue;
    const values = await json<Array<{ id: string; value: string }>>(await fetch(`${base}?get=${ids.join(',')}`), 'read highestCount');
    return Math.max(...values.map((v) => Number(v.value)));
  }
  return undefined;
}

export interface CheckpointStats {
  completed: number;
  /** The newest checkpoint the job completed, when it has. */
  latestId?: number;
  /** The checkpoint (or savepoint) the job was restored from, when it was, and where it is. */
  restoredId?: number;
  restoredPath?: string;
}

export async function checkpointStats(rest: string, jobId: string): Promise<CheckpointStats> {
  type Point = { id: number; external_path?: string } | null;
  const stats = await json<{ counts: { completed: number }; latest?: { completed?: Point; restored?: Point } }>(
    await fetch(`${rest}/jobs/${jobId}/checkpoints`),
    'read checkpoints',
  );
  const restored = stats.latest?.restored;
  const latest = stats.latest?.completed;
  return {
    completed: stats.counts.completed,
    ...(latest ? { latestId: latest.id } : {}),
    ...(restored ? { restoredId: restored.id } : {}),
    ...(restored?.external_path ? { restoredPath: restored.external_path } : {}),
  };
}
