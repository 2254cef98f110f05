// The sample job (stack/sample-job) on a real session cluster (tests, dev mode): submit it with Flink's CLI, and
// through Flink's REST read its state, and read its counter (the gauge highestCount), which goes on from the last
// checkpoint when Flink restores the job.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IMAGE_JAVA_OPTS } from './flink-image-config.ts';
import { FLINK_CLI_FRONTEND, type FlinkClientEndpoints } from './flink.ts';

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
 * Submits a jar, detached, with Flink's CLI (`flink run -d -m <JobManager REST>`), the way a person
 * does by hand (FlinkSessionJobs go through the REST jar upload instead). The job's id.
 */
export async function submitJar(flink: FlinkClientEndpoints, version: string, rest: string, jar: string, programArgs: string[] = []): Promise<string> {
  const { host } = new URL(rest);
  // The Java 17 opens the image's config.yaml gives every Flink process (bin/flink included).
  const { stdout, stderr } = await run(
    flink.java,
    [...IMAGE_JAVA_OPTS.split(' '), '-cp', flink.classpaths[version]!, FLINK_CLI_FRONTEND, 'run', '-d', '-m', host, jar, ...programArgs],
    {
      env: { ...process.env, FLINK_CONF_DIR: flink.confDir },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const id = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(stdout + stderr)?.[1];
  if (!id) throw new Error(`flink run printed no job id:\n${stdout}${stderr}`);
  return id;
}

export interface JobOverview {
  jid: string;
  name: string;
  state: string;
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
  /** The checkpoint (or savepoint) the job was restored from, when it was, and where it is. */
  restoredId?: number;
  restoredPath?: string;
}

export async function checkpointStats(rest: string, jobId: string): Promise<CheckpointStats> {
  const stats = await json<{ counts: { completed: number }; latest?: { restored?: { id: number; external_path?: string } | null } }>(
    await fetch(`${rest}/jobs/${jobId}/checkpoints`),
    'read checkpoints',
  );
  const restored = stats.latest?.restored;
  return {
    completed: stats.counts.completed,
    ...(restored ? { restoredId: restored.id } : {}),
    ...(restored?.external_path ? { restoredPath: restored.external_path } : {}),
  };
}
