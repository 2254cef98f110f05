// `flink-session-operator redeploy <namespace>/<name> [--reason …] [--force]`: the `redeploy` signal, the
// same one `temporal workflow signal --name redeploy` sends (--force: `{"force": true}`, which goes on
// where a job's savepoint fails, cancelling that job).
import { userInfo } from 'node:os';
import type { Env } from '../config/temporal.ts';
import { redeploySignal } from '../workflows/contract.ts';
import type { SessionTarget } from './target.ts';
import { noWorkflowMessage, openSessionClient, WorkflowNotFoundError } from './temporal-client.ts';

/** The user's name; a uid without a passwd entry (as in the operator's image) has none. */
export function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

export async function redeploy(env: Env, target: SessionTarget, reason: string | undefined, force = false): Promise<{ exitCode: number; output: string }> {
  const session = await openSessionClient(env);
  try {
    const why = reason ?? `requested by ${whoAmI()} with flink-session-operator redeploy`;
    try {
      await session.handle(target).signal(redeploySignal, { reason: why, ...(force ? { force: true } : {}) });
    } catch (error: unknown) {
      if (error instanceof WorkflowNotFoundError) return { exitCode: 1, output: noWorkflowMessage(target, session.settings) };
      throw error;
    }
    const link = session.uiLink(target);
    const forcedNote = force ? '; a job whose savepoint fails is cancelled' : '';
    return {
      exitCode: 0,
      output: [
        `${force ? 'forced ' : ''}redeploy of ${target.namespace}/${target.name} requested (${why})${forcedNote}`,
        `follow it: flink-session-operator status ${target.namespace}/${target.name}`,
        `           kubectl get fls -n ${target.namespace} ${target.name} -w`,
        ...(link ? [`           ${link}`] : []),
      ].join('\n'),
    };
  } finally {
    await session.close();
  }
}
