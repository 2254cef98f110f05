// What the benchmarks read of a session workflow's own history (Temporal's clock): how long each
// activity type took, from scheduled to completed, summed over its runs since a moment, local
// activities included (test/support/history-steps.ts); and how many events and bytes the history
// grew by. The session workflow runs one activity at a time, so the sums of different types never overlap.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { eventMs, historySteps } from '../test/support/history-steps.ts';

/** Of one activity type: how many completed, and their milliseconds from scheduled to completed, summed. */
export interface ActivityTime {
  count: number;
  ms: number;
}

/**
 * Activity type → its time, of the activities scheduled at or after `sinceMs` that completed. With
 * `untilMs`, only the part of each up to that moment (one scheduled later counts, with no time), so
 * the times fall within [sinceMs, untilMs].
 */
export async function activityMsByType(client: Client, workflowId: string, sinceMs: number, untilMs = Infinity): Promise<Map<string, ActivityTime>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const byType = new Map<string, ActivityTime>();
  for (const step of historySteps(history.events ?? [])) {
    if (step.scheduledAt < sinceMs || step.completedAt === undefined) continue;
    const time = byType.get(step.type) ?? { count: 0, ms: 0 };
    byType.set(step.type, { count: time.count + 1, ms: time.ms + Math.max(0, Math.min(step.completedAt, untilMs) - step.scheduledAt) });
  }
  return byType;
}

/** What the current run's history grew by from `sinceMs` on: events, and their bytes as protobuf (what Temporal counts toward its size limits). */
export async function historyGrowth(client: Client, workflowId: string, sinceMs: number): Promise<{ events: number; bytes: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const since = (history.events ?? []).filter((event) => eventMs(event) >= sinceMs);
  const bytes = since.reduce((sum, event) => sum + proto.temporal.api.history.v1.HistoryEvent.encode(event).finish().length, 0);
  return { events: since.length, bytes };
}

/** The summed milliseconds of every activity in `byType`. */
export const allMs = (byType: ReadonlyMap<string, ActivityTime>): number => msOf(byType, byType.keys());

/** The summed milliseconds of `types` in `byType`. */
export function msOf(byType: ReadonlyMap<string, ActivityTime>, types: Iterable<string>): number {
  let ms = 0;
  for (const type of types) ms += byType.get(type)?.ms ?? 0;
  return ms;
}
