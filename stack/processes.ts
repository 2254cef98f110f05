import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from './poll.ts';

/** A server the stack started: its own process group, its output in `<logDir>/<name>.log`. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<string>;
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  logDir: string;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/**
 * util-linux's `setpriv`, where this machine has it: a process is started through `setpriv --pdeathsig
 * SIGKILL`, so the kernel kills it when its starter dies, even by a SIGKILL that runs no exit handler
 * (a test run killed by a timeout left operators and JobManagers running before). It then execs the
 * command: same pid, same process group.
 */
const SETPRIV = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path)) : undefined;

/** Process groups started here that have not exited yet (pid → name), for killStartedProcesses. */
const live = new Map<number, string>();

export function startProcess(options: StartOptions): ManagedProcess {
  const logFile = join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    const [command, args] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', options.command, ...options.args]] : [options.command, options.args];
    child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', fd, fd],
      // Own process group, so stop() reaches the server's children too (kill(-pid)).
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? `exit code ${code}`));
    child.on('error', (error) => resolve(`spawn error: ${error.message}`));
  });
  let running = true;
  live.set(pid, options.name);
  void exited.then(() => {
    running = false;
    live.delete(pid);
  });
  return {
    name: options.name,
    pid,
    logFile,
    exited,
    async stop(graceMs = 5_000) {
      if (!running) return;
      killGroup(pid, 'SIGTERM');
      const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout'));
      if ((await Promise.race([exited, timer])) === 'timeout') {
        killGroup(pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Kills (synchronously) the process group of every process this Node process started that still runs:
 * for an exit or signal handler, where nothing can be awaited. Each runs in a group of its own
 * (detached), so it would outlive its starter otherwise. Returns the names of those it signalled.
 */
export function killStartedProcesses(signal: NodeJS.Signals = 'SIGKILL'): string[] {
  const names = [...live.values()];
  for (const pid of live.keys()) killGroup(pid, signal);
  return names;
}

/** Signals a whole process group; a group that is already gone is fine. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error: unknown) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `check` answers; if the process dies or time runs out, the error carries its log's tail. */
export async function waitUntilHealthy<T>(process_: ManagedProcess, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  let exitReason: string | undefined;
  void process_.exited.then((reason) => {
    exitReason = reason;
  });
  try {
    return await pollUntil(`${process_.name} to be healthy`, check, {
      timeoutMs,
      giveUpIf: () => (exitReason === undefined ? undefined : `it exited (${exitReason})`),
    });
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}; log ${process_.logFile}:\n${logTail(process_.logFile)}`);
  }
}

/** The last lines of a log, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
