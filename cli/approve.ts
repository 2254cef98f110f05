// `flink-session-operator approve <namespace>/<name> [--generation N]`: the `approve` signal, the same
// one `temporal workflow signal --name approve` sends: a session with `spec.approval: manual` waits on
// it (AwaitingApproval) before its redeploy stops or deletes anything.
import type { Env } from '../config/temporal.ts';
import { approveSignal } from '../workflows/contract.ts';
import { whoAmI } from './redeploy.ts';
import type { SessionTarget } from './target.ts';
import { noWorkflowMessage, openSessionClient, WorkflowNotFoundError } from './temporal-client.ts';

export async function approve(env: Env, target: SessionTarget, generation: number | undefined): Promise<{ exitCode: number; output: string }> {
  const session = await openSessionClient(env);
  try {
    const by = `${whoAmI()} with flink-session-operator approve`;
    try {
      await session.handle(target).signal(approveSignal, { by, ...(generation !== undefined ? { generation } : {}) });
    } catch (error: unknown) {
      if (error instanceof WorkflowNotFoundError) return { exitCode: 1, output: noWorkflowMessage(target, session.settings) };
      throw error;
    }
    return {
      exitCode: 0,
      output: [
        `redeploy of ${target.namespace}/${target.name}${generation !== undefined ? ` (generation ${generation})` : ''} approved by ${by}`,
        `follow it: flink-session-operator status ${target.namespace}/${target.name}`,
      ].join('\n'),
    };
  } finally {
    await session.close();
  }
}
