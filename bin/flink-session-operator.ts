#!/usr/bin/env node
// flink-session-operator: the operator's one program. `run` (watcher and worker in one process),
// `watcher` and `worker` (to scale them apart), and the commands people
// run against a live operator: `status`, `redeploy`, `approve`, `plan`. `--help` on each. Each command loads its
// modules when it runs, so `status` or `--help` do not wait for the Temporal worker's SDK to load.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { ConfigError } from '../config/errors.ts';
import { settingsFor, withFlags, type SettingRole } from '../config/settings.ts';
import { TemporalUnreachableError } from '../config/temporal-connection.ts';
import type { Env } from '../config/temporal.ts';
import type { OperatorRole } from '../cli/operator.ts';
import { listenForStop, runUntilStopped } from '../cli/signals.ts';
import { parseSessionTarget, SessionNotFoundError, type SessionTarget } from '../cli/target.ts';

// Those modules (the SDKs, the Kubernetes client, our own .ts files) compile from Node's on-disk code
// cache once one run has filled it: the worker's and watcher's modules load on 0.53-0.57 s of CPU
// instead of 0.82-0.99 s (measured here, 5 runs each). Without a writable temporary folder (or with
// NODE_DISABLE_COMPILE_CACHE=1) Node goes on without it; NODE_COMPILE_CACHE moves the folder.
enableCompileCache();

const PROGRAM = 'flink-session-operator';
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Adds a flag for every setting the roles read; returns how to lay the given flags over the environment. */
function withSettingFlags(command: Command, roles: readonly SettingRole[]): () => Env {
  const options = settingsFor(roles).flatMap((setting) => {
    if (!setting.flag) return [];
    const option = new Option(`--${setting.flag} <${setting.value}>`, `${setting.description} (env ${setting.env}; default ${setting.default})`);
    command.addOption(option);
    return [{ flag: setting.flag, attribute: option.attributeName() }];
  });
  return () => {
    const given = command.opts<Record<string, string | undefined>>();
    const env = withFlags(process.env, Object.fromEntries(options.map((o) => [o.flag, given[o.attribute]])));
    // @kubernetes/client-node reads KUBECONFIG itself for a list of files.
    if (env.KUBECONFIG) process.env.KUBECONFIG = env.KUBECONFIG;
    return env;
  };
}

/** Runs a command's action; known mistakes print their message (exit 2 for settings, 1 otherwise), not a stack. */
function action<A extends unknown[]>(run: (...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    try {
      process.exitCode = await run(...args);
    } catch (error: unknown) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${PROGRAM}: ${error.message}\n`);
        process.exitCode = 2;
      } else if (error instanceof TemporalUnreachableError || error instanceof SessionNotFoundError) {
        process.stderr.write(`${PROGRAM}: ${error.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`${PROGRAM} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      }
    }
  };
}

/** Starts the roles and runs until SIGTERM/SIGINT (exit 0) or a fatal error (exit 1); stops either way. */
async function runUntilSignalled(roles: readonly OperatorRole[], env: Env): Promise<number> {
  const signalled = listenForStop();
  const { startOperator } = await import('../cli/operator.ts');
  const operator = await startOperator(roles, env);
  const report = (error: unknown): void =>
    void process.stderr.write(`${PROGRAM}: the worker stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  return runUntilStopped(signalled, operator.done, () => operator.stop(), report);
}

const program = new Command(PROGRAM)
  .description('Kubernetes operator for Apache Flink session clusters; every change runs as a durable Temporal workflow.')
  .version(version)
  .showHelpAfterError('(add --help for usage)')
  // Usage mistakes exit 2 like bad settings (below), not commander's 1; subcommands inherit this.
  .exitOverride();

const ROLE_COMMANDS: Array<{ name: string; roles: OperatorRole[]; description: string }> = [
  { name: 'run', roles: ['watcher', 'worker'], description: 'run the watcher and the worker in one process' },
  { name: 'watcher', roles: ['watcher'], description: 'run the watcher: FlinkSession changes become Temporal signals' },
  { name: 'worker', roles: ['worker'], description: 'run the worker: the session workflows and their activities' },
];
for (const { name, roles, description } of ROLE_COMMANDS) {
  const command = program.command(name).description(`${description}; serves /metrics, /healthz and /readyz; stops on SIGTERM`);
  const env = withSettingFlags(command, roles);
  command.action(action(() => runUntilSignalled(roles, env())));
}

/** A command about one FlinkSession of a live operator: `<namespace/name>`, then the options the caller adds. */
const sessionCommand = (name: string, description: string): Command =>
  program.command(name).description(description).argument('<namespace/name>', 'the FlinkSession');

/**
 * Adds the client's setting flags (after the command's own, as --help lists them) and the action: `run`
 * with the settings and the session, printing its output and exiting with its code.
 */
function runOnSession<O>(command: Command, run: (env: Env, session: SessionTarget, options: O) => Promise<{ exitCode: number; output: string }>): void {
  const env = withSettingFlags(command, ['client']);
  command.action(
    action(async (target: string, options: O) => {
      const result = await run(env(), parseSessionTarget(target), options);
      process.stdout.write(`${result.output}\n`);
      return result.exitCode;
    }),
  );
}

const statusCommand = sessionCommand('status', "show what the session's workflow is doing (its `status` query)").option('--json', 'print JSON');
runOnSession(statusCommand, async (env, session, options: { json?: boolean }) => {
  const { status } = await import('../cli/status.ts');
  return status(env, session, options.json === true);
});

const redeployCommand = sessionCommand('redeploy', "redeploy the session now with its current spec (the workflow's `redeploy` signal)")
  .option('--reason <text>', 'why, shown in the Event and the workflow history')
  .option('--force', "go on even where a job's savepoint fails: that job is cancelled instead (it may lose its state)");
runOnSession(redeployCommand, async (env, session, options: { reason?: string; force?: boolean }) => {
  const { redeploy } = await import('../cli/redeploy.ts');
  return redeploy(env, session, options.reason, options.force === true);
});

const approveCommand = sessionCommand(
  'approve',
  'let a redeploy that waits for approval (spec.approval: manual, AwaitingApproval) go on (the `approve` signal)',
).option('--generation <n>', 'approve only if this is the generation waiting', (value) => Number.parseInt(value, 10));
runOnSession(approveCommand, async (env, session, options: { generation?: number }) => {
  const { approve } = await import('../cli/approve.ts');
  return approve(env, session, options.generation);
});

const planCommand = sessionCommand(
  'plan',
  'list what a redeploy of the current spec would delete (Flink cluster, znodes, S3 objects, HA ConfigMaps); changes nothing',
).option('--json', 'print JSON');
runOnSession(planCommand, async (env, session, options: { json?: boolean }) => {
  const [{ formatPlan, planRedeploy }, { readWorkerConfig }, { realActivityDeps }, { loadKubeConfig }] = await Promise.all([
    import('../cli/plan.ts'),
    import('../worker/config.ts'),
    import('../worker/start.ts'),
    import('../kube/kubeconfig.ts'),
  ]);
  const deps = realActivityDeps(readWorkerConfig(env), loadKubeConfig(env.KUBECONFIG));
  const plan = await planRedeploy(deps, session);
  return { exitCode: 0, output: options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan) };
});

try {
  await program.parseAsync(process.argv);
} catch (error: unknown) {
  if (!(error instanceof CommanderError)) throw error;
  // commander has printed the message (or the help) already.
  const shownOnRequest = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code);
  process.exitCode = shownOnRequest ? 0 : 2;
}
// Done (or stopped by a signal): leave even if a client library keeps a handle open.
process.exit();
