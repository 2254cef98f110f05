// What the trust tests share, kept for files that start it themselves: the harness of every e2e file
// (operator-harness.ts) on these namespaces, with these settings for the operator.
import { S3_SECRET, startOperatorHarness, type OperatorHarness } from './operator-harness.ts';

export { S3_SECRET };
export type TrustStack = OperatorHarness;

export function startTrustStack(namespaces: string[], env: Record<string, string> = {}): Promise<TrustStack> {
  return startOperatorHarness({ namespaces, operator: { env } });
}
