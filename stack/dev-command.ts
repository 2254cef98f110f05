// The `dev` command of flink-session-operator. It runs the local stack (this folder), which a checkout
// has and the operator's image does not: bin/ adds the command only where this file is, so the image
// holds nothing of the stack and its --help offers nothing it cannot run.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { StackError } from './errors.ts';

/** bin/'s wrapper of a command's action: exit code, known mistakes printed without a stack. */
type Action = <A extends unknown[]>(run: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

export function addDevCommand(program: Command, action: Action): void {
  program
    .command('dev')
    .description(
      'run everything locally: Temporal with its Web UI, Kubernetes with kwok nodes, S3, ZooKeeper, the operator and an example FlinkSession; Ctrl-C stops it all',
    )
    .option('--state-dir <dir>', 'where data, logs and the kubeconfig live (env FSO_STACK_DIR)', process.env.FSO_STACK_DIR ?? '.stack')
    .option('--fresh', 'start from empty state (delete the state folder first)', false)
    .option('--no-example', 'do not apply the example FlinkSession')
    .action(
      action(async (options: { stateDir: string; fresh: boolean; example: boolean }) => {
        // Loaded on use, so `--help` and the other commands do not load the stack.
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
          process.stderr.write(`${program.name()}: ${error.message}\n`);
          return 1;
        }
      }),
    );
}
