// The README's first command: `npm run dev` brings up the local stack, the operator and the example
// FlinkSession, whose JobManager is Flink's own (with its dashboard) and runs the sample job; with the
// kubeconfig it prints, `kubectl get fls` shows the example Ready; Ctrl-C stops every process it started.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { highestCount, listJobs } from '../../stack/flink-jobs.ts';
import { isAlive, killGroup } from '../../stack/processes.ts';
import type { StackStateFile } from '../../stack/stack.ts';
import { eventually } from '../support/stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run dev', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'fso-dev-test-'));
  let dev: ChildProcess | undefined;
  let output = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  afterAll(() => {
    // Only if the test failed before Ctrl-C: the dev command's group, and the servers, in groups of their own.
    const groups = [
      dev?.pid,
      ...(existsSync(join(stateDir, 'stack.json'))
        ? Object.values((JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackStateFile).pids)
        : []),
    ];
    for (const pid of groups) if (pid !== undefined) killGroup(pid, 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  function startDev(...flags: string[]): void {
    output = '';
    dev = spawn('npm', ['run', 'dev', '--', '--state-dir', stateDir, ...flags], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exited = new Promise((resolve) => dev!.once('exit', (code, signal) => resolve({ code, signal })));
  }

  const kubectl = (kubeconfig: string, ...args: string[]) => promisify(execFile)('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } });

  /** Ctrl-C in a terminal: SIGINT to the foreground process group (npm and the dev command). */
  async function ctrlC(servers: number[]): Promise<void> {
    process.kill(-dev!.pid!, 'SIGINT');
    // npm ends on the SIGINT itself; the dev command stops the servers and says so.
    const { code, signal } = (await exited)!;
    expect(['0', 'SIGINT']).toContain(String(code ?? signal));
    await eventually('the dev command to say it stopped', async () => (output.includes('\nstopped\n') ? true : undefined), 30_000);
    await eventually('every server to be gone', async () => (servers.every((pid) => !isAlive(pid)) ? true : undefined), 30_000);
  }

  const serverPids = (): number[] => Object.values((JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackStateFile).pids);

  it('brings everything up, the example becomes Ready for kubectl, and Ctrl-C stops every process', async () => {
    const started = Date.now();
    startDev('--fresh');

    const kubeconfig = await eventually(
      'dev mode to print that the example is Ready',
      async () => {
        if (dev!.exitCode !== null) throw new Error(`npm run dev exited ${dev!.exitCode}:\n${output}`);
        return output.includes('FlinkSession default/example is Ready.') ? /export KUBECONFIG=(\S+)/.exec(output)?.[1] : undefined;
      },
      240_000,
    );
    const upSeconds = (Date.now() - started) / 1000;
    expect(output).toMatch(/Temporal Web UI: +http:\/\/127\.0\.0\.1:\d+/);
    const { endpoints } = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackStateFile;
    expect(output).toContain(`S3:               ${endpoints.s3.endpoint}  (access key ${endpoints.s3.accessKeyId}, secret key ${endpoints.s3.secretAccessKey}`);
    expect(output).toContain(`ZooKeeper:        ${endpoints.zookeeper.connect}  (spec.ha.quorum)`);
    expect(output).toContain('kubectl edit fls example');
    expect(output).toContain('workflow signal');
    expect(output).toContain('--workflow-id flinksession/default/example --name redeploy');

    // The example's Flink dashboard, next to the Temporal UI: Flink's REST, and (flink-runtime-web is
    // provisioned for 1.20) its web UI; the sample job runs there.
    const dashboard = /Flink dashboard: +(http:\/\/127\.0\.0\.1:\d+\/default\/example\/)/.exec(output)?.[1];
    expect(dashboard).toBeDefined();
    const overview = (await (await fetch(`${dashboard}v1/overview`)).json()) as { 'flink-version': string };
    expect(overview['flink-version']).toBe('1.20.1');
    const page = await fetch(dashboard!);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html[\s\S]*Apache Flink/i);
    const rest = dashboard!.replace(/\/$/, '');
    const job = await eventually(
      'the sample job to run on the example',
      async () => (await listJobs(rest).catch(() => [])).find((j) => j.state === 'RUNNING'),
      120_000,
    );
    // Its tasks run (on a TaskManager the JobManager created) and count.
    await eventually(
      'the sample job to count',
      async () => (((await highestCount(rest, job.jid).catch(() => undefined)) ?? 0) > 0 ? true : undefined),
      180_000,
    );

    const table = await kubectl(kubeconfig!, 'get', 'fls');
    expect(table.stdout).toMatch(/^example\s+Running\s+True\s/m);
    const ready = await kubectl(kubeconfig!, 'get', 'fls', 'example', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
    expect(ready.stdout).toBe('True');

    // For the restart below, which compares its addresses with these.
    writeFileSync(join(stateDir, 'endpoints-of-first-run.json'), JSON.stringify(endpoints));
    const servers = serverPids();
    expect(servers.length).toBeGreaterThanOrEqual(8);
    expect(servers.filter((pid) => !isAlive(pid))).toEqual([]);
    await ctrlC(servers);
    console.log(`npm run dev: example Ready ${upSeconds.toFixed(1)} s after start`);
  }, 300_000);

  // Failed in 2 of 5 CI runs, and under load locally: S3 and ZooKeeper came back on new ports, so the
  // example was moved (generation 2) and its redeploy's autoClean kept retrying the old ZooKeeper
  // address, where nothing answers any more, past the test's deadline. They now keep their ports.
  it('started again on the kept state, S3 and ZooKeeper keep their addresses: the example runs on as it was', async () => {
    const before = JSON.parse(readFileSync(join(stateDir, 'endpoints-of-first-run.json'), 'utf8')) as StackStateFile['endpoints'];
    startDev();
    const kubeconfig = await eventually(
      'the example to be Ready again',
      async () => {
        if (dev!.exitCode !== null) throw new Error(`npm run dev exited ${dev!.exitCode}:\n${output}`);
        return output.includes('FlinkSession default/example is Ready.') ? /export KUBECONFIG=(\S+)/.exec(output)?.[1] : undefined;
      },
      240_000,
    );
    const { endpoints } = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackStateFile;
    expect([endpoints.s3.endpoint, endpoints.zookeeper.connect]).toEqual([before.s3.endpoint, before.zookeeper.connect]);
    const spec = await kubectl(
      kubeconfig!,
      'get',
      'fls',
      'example',
      '-o',
      'jsonpath={.spec.s3.endPoint} {.spec.ha.quorum} {.metadata.generation} {.status.observedGeneration}',
    );
    expect(spec.stdout).toBe(`${endpoints.s3.endpoint} ${endpoints.zookeeper.connect} 1 1`);
    await ctrlC(serverPids());
  }, 300_000);

  it('a Ctrl-C while the stack is still starting stops what has started', async () => {
    startDev();
    await eventually('the stack to start starting', async () => (output.includes('starting the local stack') ? true : undefined), 60_000);
    process.kill(-dev!.pid!, 'SIGINT');
    await exited;
    await eventually('the dev command to say it stopped', async () => (output.includes('\nstopped\n') ? true : undefined), 60_000).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; its output:\n${output}`);
    });
    await eventually(
      'no server of this state folder left',
      async () => {
        const left = await promisify(execFile)('pgrep', ['-f', stateDir]).then(
          (r) => r.stdout.trim(),
          () => '',
        );
        return left === '' ? true : undefined;
      },
      30_000,
    );
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
  }, 120_000);
});
