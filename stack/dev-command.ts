// `npm run dev`: the local stack with the operator and an example session, a program of a checkout
// (this folder), not a command of the operator's own program: the image holds nothing of the stack,
// and its --help offers nothing it cannot run.
import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { StackError } from './errors.ts';

const program = new Command('npm run dev --')
  .description(
    'run everything locally: Temporal with its Web UI, Kubernetes with kwok nodes, S3, ZooKeeper, ' +
      'the operator and an example FlinkSession; Ctrl-C stops it all',
  )
  .option('--state-dir <dir>', 'where data, logs and the kubeconfig live (env FSO_STACK_DIR)', process.env.FSO_STACK_DIR ?? '.stack')
  .option('--fresh', 'start from empty state (delete the state folder first)', false)
  .option('--no-example', 'do not apply the example FlinkSession')
  .showHelpAfterError('(add --help for usage)')
  // Usage mistakes exit 2, as the operator's program does.
  .exitOverride();

async function main(): Promise<number> {
  try {
    program.parse();
  } catch (error: unknown) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = program.opts<{ stateDir: string; fresh: boolean; example: boolean }>();
  // Loaded once the arguments are read, so `--help` does not load the stack.
  const { dev } = await import('./dev.ts');
  try {
    return await dev({
      stateDir: resolve(options.stateDir),
      fresh: options.fresh,
      example: options.example,
      print: (text) => process.stdout.write(`${text}\n`),
    });
  } catch (error: unknown) {
    // Expected problems of the stack (a program missing, a state folder in use): the message alone.
    if (!(error instanceof StackError)) throw error;
    process.stderr.write(`npm run dev: ${error.message}\n`);
    return 1;
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`npm run dev failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
