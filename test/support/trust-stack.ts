// What the trust tests share, for files that start it themselves: the harness of every e2e file
// (operator-harness.ts) on these namespaces, with these settings for the operator, on Flink's own
// JobManagers; `rest.log` is every Flink REST request the operator made (through the REST proxy).
import { S3_SECRET, startOperatorHarness, type OperatorHarness } from './operator-harness.ts';

export { S3_SECRET };
export type TrustStack = OperatorHarness & { rest: { log: string[] } };

export async function startTrustStack(namespaces: string[], env: Record<string, string> = {}): Promise<TrustStack> {
  const harness = await startOperatorHarness({ namespaces, operator: { env } });
  return Object.assign(harness, { rest: { log: harness.restLog } });
}
