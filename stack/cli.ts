// `npm run stack:up` / `npm run stack:down`: the local stack by hand.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isAlive } from './processes.ts';
import { claimStateDir, startStack, STATE_FILE, stopRecorded, type StackEndpoints, type StackStateFile } from './stack.ts';

const USAGE = `usage: node stack/cli.ts up|down [--state-dir DIR] [--fresh]

  up     start Temporal (with its Web UI), Kubernetes (etcd, apiserver, controller-manager,
         scheduler, kwok nodes), S3 and ZooKeeper on free 127.0.0.1 ports; print every endpoint;
         run until Ctrl-C (or \`npm run stack:down\`), then stop every process it started.
  down   stop the stack recorded in DIR/${STATE_FILE}.

  --state-dir DIR   where data, logs and the kubeconfig live (default: $FSO_STACK_DIR or ./.stack);
                    Temporal's history and the cluster's objects survive a restart.
  --fresh           delete DIR's earlier state first.`;

function describeEndpoints(endpoints: StackEndpoints): string {
  const flink = Object.entries(endpoints.flink.classpaths).map(([v, cp]) => `    Flink ${v} client:  ${cp}`);
  return [
    'local stack is up:',
    `  Temporal:          ${endpoints.temporal.address} (namespace ${endpoints.temporal.namespace})`,
    `  Temporal Web UI:   ${endpoints.temporal.uiUrl}`,
    `  Kubernetes API:    ${endpoints.kubernetes.server} (nodes: ${endpoints.kubernetes.nodes.join(', ')})`,
    `  kubeconfig:        export KUBECONFIG=${endpoints.kubernetes.kubeconfig}`,
    `  S3:                ${endpoints.s3.endpoint} (access key ${endpoints.s3.accessKeyId}, secret key ${endpoints.s3.secretAccessKey})`,
    `  ZooKeeper:         ${endpoints.zookeeper.connect}`,
    ...flink,
    `  logs:              ${endpoints.logDir}`,
    '',
    `try: KUBECONFIG=${endpoints.kubernetes.kubeconfig} kubectl get nodes`,
    `     ${endpoints.temporal.cli} workflow list --address ${endpoints.temporal.address}`,
  ].join('\n');
}

async function up(stateDir: string, fresh: boolean): Promise<void> {
  claimStateDir(stateDir);
  const stack = await startStack({ stateDir, env: process.env, fresh });
  console.log(describeEndpoints(stack.endpoints));
  console.log('\nCtrl-C stops everything.');
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      console.log('stopping the local stack…');
      void stack.stop().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    for (const p of stack.processes) {
      void p.exited.then((reason) => {
        if (!stopping) console.error(`${p.name} exited (${reason}); see ${p.logFile}`);
      });
    }
  });
}

async function down(stateDir: string): Promise<void> {
  const stateFile = resolve(stateDir, STATE_FILE);
  if (!existsSync(stateFile)) {
    console.log(`no stack recorded in ${stateFile}; nothing to stop`);
    return;
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StackStateFile;
  if (isAlive(state.ownerPid)) {
    process.kill(state.ownerPid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (isAlive(state.ownerPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }
  stopRecorded(state);
  rmSync(stateFile, { force: true });
  console.log('local stack stopped');
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'state-dir': { type: 'string' }, fresh: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const stateDir = resolve(values['state-dir'] ?? process.env.FSO_STACK_DIR ?? '.stack');
  const command = positionals[0];
  if (values.help || positionals.length !== 1 || (command !== 'up' && command !== 'down')) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  await (command === 'up' ? up(stateDir, values.fresh) : down(stateDir));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
