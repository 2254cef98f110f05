import { Context } from '@temporalio/activity';

/**
 * Heartbeats with `details` when called inside a Temporal activity; does nothing when the function
 * runs outside one (a test or the CLI calling an activity function directly), where
 * `Context.current()` throws because there is no activity context.
 *
 * Heartbeats are also how a cancellation reaches an activity, so once Temporal has cancelled this
 * one it throws the CancelledFailure: a loop that heartbeats stops at its next step instead of
 * working on for a result nobody will read. Every loop here may stop at any step, because every
 * activity is idempotent.
 */
export function heartbeatIfInActivity(details?: unknown): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return; // not in an activity: nobody to tell
  }
  context.heartbeat(details);
  if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
}

/**
 * When this activity was first scheduled (the first attempt's time, the same on every retry), so a
 * wait's deadline survives retries and timeouts; outside an activity, now.
 */
export function firstScheduledAt(): number {
  try {
    return Context.current().info.scheduledTimestampMs;
  } catch {
    return Date.now();
  }
}

/**
 * A key that is the same on every retry of this activity call and differs between calls: the run's
 * id and the activity's id. Undefined outside an activity.
 */
export function activityCallKey(): string | undefined {
  try {
    const info = Context.current().info;
    return `${info.workflowExecution?.runId ?? info.workflowType ?? 'standalone'}/${info.activityId}`;
  } catch {
    return undefined;
  }
}

/** Logs a warning through the activity's logger (its run and step in the fields); outside an activity, nowhere. */
export function warnIfInActivity(message: string, fields: Record<string, unknown>): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.log.warn(message, fields);
}
