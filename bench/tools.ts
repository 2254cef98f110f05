// Where the benchmarks find the peer tools: the environment variable, then PATH, then the cache
// that scripts/provision-bench.sh fills (the same order stack/binaries.ts uses for the servers).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isExecutable, onPath } from '../stack/binaries.ts';

const VERSIONS = Object.fromEntries(
  readFileSync(new URL('./versions.env', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => line.split('=', 2) as [string, string]),
);

const cache = (env: NodeJS.ProcessEnv): string => env.FSO_CACHE ?? join(homedir(), '.cache', 'flink-session-operator');

function find(env: NodeJS.ProcessEnv, variable: string, name: string, cached: string): string | undefined {
  return env[variable] || onPath(name, env) || (isExecutable(cached) ? cached : undefined);
}

export interface PeerTools {
  s5cmd?: string;
  aws?: string;
}

export function findPeerTools(env: NodeJS.ProcessEnv = process.env): PeerTools {
  return {
    s5cmd: find(env, 'FSO_S5CMD_BIN', 's5cmd', join(cache(env), `s5cmd-${VERSIONS.S5CMD_VERSION}`, 's5cmd')),
    aws: find(env, 'FSO_AWS_BIN', 'aws', join(cache(env), `awscli-${VERSIONS.AWSCLI_VERSION}`, 'bin', 'aws')),
  };
}

export const PROVISION_BENCH_HINT = 'run scripts/provision-bench.sh once';

export interface CommandRun {
  ms: number;
  /** undefined when it exited 0; otherwise its exit and the last line it wrote to stderr. */
  failure?: string;
}

/** Runs a command to its end and says how long it took and whether it failed (a peer tool may). */
export function timeCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(command, args, { env, maxBuffer: 256 * 1024 * 1024 }, (error, _stdout, stderr) => {
      const ms = performance.now() - started;
      if (!error) {
        resolve({ ms });
        return;
      }
      const last = stderr.trim().split('\n').at(-1) ?? error.message;
      resolve({ ms, failure: `exit ${error.code ?? '?'}: ${last.slice(0, 160)}` });
    });
  });
}

/** timeCommand for a step that must work (seeding): throws when the command fails. */
export async function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const run = await timeCommand(command, args, env);
  if (run.failure !== undefined) throw new Error(`${command} ${args.join(' ')} failed (${run.failure})`);
  return run.ms;
}
