// What the trust tests share, for files that start it themselves: the harness of every e2e file
// (operator-harness.ts) on these namespaces, with these settings for the operator, on kwok's pods and
// Flink's REST stand-in, whose request log (`rest`) shows what the operator asked Flink.
import type { FlinkRestStandIn } from '../../stack/flink-rest.ts';
import { S3_SECRET, startOperatorHarness, type OperatorHarness } from './operator-harness.ts';

export { S3_SECRET };
export type TrustStack = OperatorHarness & { rest: FlinkRestStandIn };

export async function startTrustStack(namespaces: string[], env: Record<string, string> = {}): Promise<TrustStack> {
  const harness = await startOperatorHarness({ namespaces, flinkPods: 'fake', operator: { env } });
  return Object.assign(harness, { rest: harness.standIn! });
}
