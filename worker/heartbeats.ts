// How often a polling activity's heartbeats reach Temporal at most. Heartbeats are also how a
// cancellation reaches an activity (a delete cancelling a deploy's readiness wait): the SDK's default
// (80% of the heartbeat timeout, 24 s here) would make that delete wait up to 24 s for the step to stop.
export const HEARTBEAT_THROTTLE = '2 seconds';
