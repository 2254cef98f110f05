// The steps of a session's run as its history holds them, activities and local activities alike: an
// activity is an ActivityTaskScheduled event (its type, the summary in the event's user metadata) and
// the event that closed it; a local activity (workflows/session.ts, PATCHES.localApiSteps) is one
// MarkerRecorded event that the SDK's core names `core_local_activity`, recorded once the activity
// ended, with its type and times in the marker's `data` payload and the summary in the user metadata.
// Shared by the tests and the benchmarks that read a history to find steps.
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
type Payload = proto.temporal.api.common.v1.IPayload;

/** The marker name core gives a local activity's result (sdk-core, LOCAL_ACTIVITY_MARKER_NAME). */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

export interface HistoryStep {
  /** The activity type, e.g. `reportStatus`. */
  type: string;
  local: boolean;
  /** What the Temporal UI shows for it (workflows/summarised-activities.ts). */
  summary?: string;
  /** Epoch ms: scheduled (a local activity: its first attempt). */
  scheduledAt: number;
  /** Epoch ms it completed; undefined while it runs, or when it failed, timed out or was cancelled. */
  completedAt?: number;
  /** The history event that records it (ActivityTaskScheduled, or the marker). */
  eventId: number;
}

const { EventType } = proto.temporal.api.enums.v1;

/** An event's time, epoch ms. */
export const eventMs = (event: HistoryEvent): number => Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);

const text = (payload: Payload | null | undefined): string | undefined => (payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined);

/** A protobuf Timestamp as core writes it in JSON: an RFC 3339 string, or { seconds, nanos }. */
function timestampMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (value && typeof value === 'object' && 'seconds' in value) {
    const { seconds, nanos } = value as { seconds: number | string; nanos?: number };
    return Number(seconds) * 1000 + Math.floor((nanos ?? 0) / 1e6);
  }
  return undefined;
}

interface MarkerData {
  activity_type?: string;
  activityType?: string;
  complete_time?: unknown;
  completeTime?: unknown;
  original_schedule_time?: unknown;
  originalScheduleTime?: unknown;
}

/** The local activity a MarkerRecorded event records, or undefined when it records something else (a patch, a side effect). */
function localActivityStep(event: HistoryEvent): HistoryStep | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) return undefined;
  const payload = marker.details?.data?.payloads?.[0];
  const data = payload ? defaultPayloadConverter.fromPayload<MarkerData>(payload) : {};
  const recordedAt = eventMs(event);
  const completedAt = timestampMs(data.complete_time ?? data.completeTime) ?? recordedAt;
  const summary = text(event.userMetadata?.summary);
  return {
    type: data.activity_type ?? data.activityType ?? '?',
    local: true,
    ...(summary === undefined ? {} : { summary }),
    scheduledAt: timestampMs(data.original_schedule_time ?? data.originalScheduleTime) ?? completedAt,
    // A marker with a failure records an attempt that failed for good.
    ...(marker.failure ? {} : { completedAt }),
    eventId: Number(event.eventId ?? 0),
  };
}

/** The run's steps in the order the history records them (a local activity when it ended: it records nothing before). */
export function historySteps(events: readonly HistoryEvent[]): HistoryStep[] {
  const steps: HistoryStep[] = [];
  const scheduled = new Map<number, HistoryStep>();
  for (const event of events) {
    const id = Number(event.eventId ?? 0);
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes) {
      const summary = text(event.userMetadata?.summary);
      const step: HistoryStep = {
        type: attributes.activityType?.name ?? '?',
        local: false,
        ...(summary === undefined ? {} : { summary }),
        scheduledAt: eventMs(event),
        eventId: id,
      };
      scheduled.set(id, step);
      steps.push(step);
      continue;
    }
    const completed = event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED ? event.activityTaskCompletedEventAttributes : undefined;
    const step = completed ? scheduled.get(Number(completed.scheduledEventId ?? 0)) : undefined;
    if (step) {
      step.completedAt = eventMs(event);
      continue;
    }
    const local = localActivityStep(event);
    if (local) steps.push(local);
  }
  return steps;
}
