// A process the stack starts dies with its starter, even when the starter is SIGKILLed and runs no
// exit handler (a test run killed by a timeout used to leave operators and JobManagers behind).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from './processes.ts';
import { pollUntil } from './poll.ts';

const PROCESSES = new URL('./processes.ts', import.meta.url).pathname;

describe('startProcess', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(process.platform === 'linux')(
    'a started process is killed when its starter is SIGKILLed',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fso-processes-'));
      dirs.push(dir);
      // The starter: a Node process that starts `sleep 300` the way the stack starts its servers, prints its pid, and waits.
      const script = `
      import { startProcess } from ${JSON.stringify(PROCESSES)};
      const sleeper = startProcess({ name: 'sleeper', command: 'sleep', args: ['300'], logDir: ${JSON.stringify(dir)} });
      console.log(sleeper.pid);
      setInterval(() => {}, 1000);`;
      const starter = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const pid = await new Promise<number>((resolve, reject) => {
        starter.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        starter.once('exit', (code) => reject(new Error(`the starter exited (${code}) before it started sleep`)));
      });
      expect(isAlive(pid)).toBe(true);

      starter.kill('SIGKILL');
      await pollUntil('sleep to die with its starter', async () => (isAlive(pid) && !isZombie(pid) ? undefined : true), { timeoutMs: 10_000 });
      expect(isAlive(pid) && !isZombie(pid)).toBe(false);
    },
    20_000,
  );
});

/** A process that died but whose (new) parent has not reaped it yet counts as gone. */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
