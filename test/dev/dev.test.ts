// The README's first command: `npm run dev` brings up the local stack, the operator and the example
// FlinkSession; with the kubeconfig it prints, `kubectl get fls` shows the example Ready; Ctrl-C stops
// every process it started.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../stack/processes.ts';
import type { StackStateFile } from '../../stack/stack.ts';
import { eventually } from '../support/stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run dev', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fso-dev-test-'));
  let dev: ChildProcess | undefined;
  let output = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  afterAll(() => {
    // Only if the test failed before Ctrl-C: stop whatever is left.
    try {
      if (dev?.pid !== undefined) process.kill(-dev.pid, 'SIGKILL');
    } catch {
      // the group is gone: nothing left to stop
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('brings everything up, the example becomes Ready for kubectl, and Ctrl-C stops every process', async () => {
    const started = Date.now();
    dev = spawn('npm', ['run', 'dev', '--', '--state-dir', stateDir, '--fresh'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exited = new Promise((resolve) => dev!.once('exit', (code, signal) => resolve({ code, signal })));

    const kubeconfig = await eventually('dev mode to print that the example is Ready', async () => {
      if (dev!.exitCode !== null) throw new Error(`npm run dev exited ${dev!.exitCode}:\n${output}`);
      return output.includes('FlinkSession default/example is Ready.') ? /export KUBECONFIG=(\S+)/.exec(output)?.[1] : undefined;
    }, 240_000);
    const upSeconds = (Date.now() - started) / 1000;
    expect(output).toMatch(/Temporal Web UI: +http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toContain('kubectl edit fls example');
    expect(output).toContain('workflow signal');
    expect(output).toContain('--workflow-id flinksession/default/example --name redeploy');

    const kubectl = (...args: string[]) => promisify(execFile)('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig! } });
    const table = await kubectl('get', 'fls');
    expect(table.stdout).toMatch(/^example\s+Running\s+True\s/m);
    const ready = await kubectl('get', 'fls', 'example', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
    expect(ready.stdout).toBe('True');

    const state = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackStateFile;
    const servers = Object.values(state.pids);
    expect(servers.length).toBeGreaterThanOrEqual(8);
    expect(servers.filter((pid) => !isAlive(pid))).toEqual([]);

    // Ctrl-C in a terminal: SIGINT to the foreground process group (npm and the dev command).
    process.kill(-dev.pid!, 'SIGINT');
    // npm ends on the SIGINT itself; the dev command stops the servers and says so.
    expect(['0', 'SIGINT']).toContain(String((await exited)!.code ?? (await exited)!.signal));
    await eventually('the dev command to say it stopped', async () => (output.includes('\nstopped\n') ? true : undefined), 30_000);
    await eventually('every server to be gone', async () => (servers.every((pid) => !isAlive(pid)) ? true : undefined), 30_000);
    console.log(`npm run dev: example Ready ${upSeconds.toFixed(1)} s after start`);
  }, 300_000);
});
