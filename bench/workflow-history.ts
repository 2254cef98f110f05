// What the benchmarks read of a session workflow's own history (Temporal's clock): how long each
// activity type took, from scheduled to completed, summed over its runs since a moment. The session
// workflow runs one activity at a time, so the sums of different types never overlap.
import type { Client } from '@temporalio/client';

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
  const scheduled = new Map<string, { type: string; at: number }>();
  const byType = new Map<string, ActivityTime>();
  for (const event of history.events ?? []) {
    const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
    if (at < sinceMs) continue;
    if (event.activityTaskScheduledEventAttributes) {
      scheduled.set(String(event.eventId), { type: event.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
    }
    const done = event.activityTaskCompletedEventAttributes;
    const start = done ? scheduled.get(String(done.scheduledEventId)) : undefined;
    if (!start) continue;
    const time = byType.get(start.type) ?? { count: 0, ms: 0 };
    byType.set(start.type, { count: time.count + 1, ms: time.ms + Math.max(0, Math.min(at, untilMs) - start.at) });
  }
  return byType;
}

/** The summed milliseconds of every activity in `byType`. */
export const allMs = (byType: ReadonlyMap<string, ActivityTime>): number => msOf(byType, byType.keys());

/** The summed milliseconds of `types` in `byType`. */
export function msOf(byType: ReadonlyMap<string, ActivityTime>, types: Iterable<string>): number {
  let ms = 0;
  for (const type of types) ms += byType.get(type)?.ms ?? 0;
  return ms;
}
