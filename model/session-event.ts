// A Kubernetes Event about a FlinkSession (or a FlinkSessionJob), as the operator records it. Its name is `<session>.<hash>`
// of a key that identifies the report (the activity call, or the step and attempt), so a retried report
// finds its Event instead of adding a second one; without a key the API server picks a name. Pure.
import type { CoreV1Event } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { FLINKSESSION_API_VERSION, FLINKSESSION_KIND, OPERATOR_NAME } from './names.ts';

export interface SessionEvent {
  namespace: string;
  name: string;
  uid: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** What makes this report one: the same key, the same Event. */
  key?: string;
  /** Which worker reports it (reportingInstance). */
  instance: string;
  /** The object it is about when not a FlinkSession (a FlinkSessionJob). */
  involvedObject?: { apiVersion: string; kind: string };
}

/** Events carry at most this much message (the API server refuses longer ones in events.k8s.io). */
const MAX_MESSAGE = 1024;

export const eventName = (session: string, key: string): string => `${session}.${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

export function renderSessionEvent(e: SessionEvent, now: Date): CoreV1Event {
  return {
    metadata: e.key === undefined ? { generateName: `${e.name}.`, namespace: e.namespace } : { name: eventName(e.name, e.key), namespace: e.namespace },
    involvedObject: { apiVersion: FLINKSESSION_API_VERSION, kind: FLINKSESSION_KIND, ...e.involvedObject, name: e.name, namespace: e.namespace, uid: e.uid },
    type: e.type,
    reason: e.reason,
    message: e.message.slice(0, MAX_MESSAGE),
    source: { component: OPERATOR_NAME },
    reportingComponent: OPERATOR_NAME,
    reportingInstance: e.instance,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}
