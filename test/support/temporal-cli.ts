// Signals as anyone who may signal the Temporal namespace could send them: with the real `temporal`
// CLI of the stack, not the operator's client (the trust tests' forged signals).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { workflowId } from '../../model/names.ts';
import { SESSION_WORKFLOW } from '../../workflows/contract.ts';
import { stackEndpoints } from './stack.ts';

const run = promisify(execFile);

/** Runs the `temporal` CLI against the stack's server and namespace. */
export function temporal(...args: string[]) {
  const { temporal: t } = stackEndpoints();
  return run(t.cli, [...args, '--address', t.address, '--namespace', t.namespace]);
}

/** signal-with-start of a session's workflow (started on `taskQueue` if it does not run) with `signal` carrying `input`. */
export function signalWithStart(taskQueue: string, session: { namespace: string; name: string }, signal: string, input: unknown) {
  return temporal(
    'workflow',
    'signal-with-start',
    '--workflow-id',
    workflowId(session.namespace, session.name),
    '--type',
    SESSION_WORKFLOW,
    '--task-queue',
    taskQueue,
    '--input',
    JSON.stringify(session),
    '--signal-name',
    signal,
    '--signal-input',
    JSON.stringify(input),
  );
}
