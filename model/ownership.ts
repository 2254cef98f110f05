// Which objects the operator may act on (SPEC: Ownership and trust): Flink's objects of a cluster id by
// Flink's own labels, the operator's objects by the mark it sets on them. Anything else that carries a
// session's name is a name conflict, reported and never deleted, replaced or adopted. Pure.
import {
  FLINK_CONFIGMAP_TYPE_HA,
  FLINK_LABEL_APP,
  FLINK_LABEL_COMPONENT,
  FLINK_LABEL_CONFIGMAP_TYPE,
  FLINK_LABEL_TYPE,
  FLINK_TYPE_NATIVE,
  LABEL_MANAGED_BY,
  LABEL_SESSION,
  OPERATOR_NAME,
} from './names.ts';

export type Labels = Readonly<Record<string, string>> | undefined;

/** The Event and status reason of a refusal because another object holds a session's name. */
export const NAME_CONFLICT = 'NameConflict';

/** Labels Flink's native Kubernetes mode puts on every object of cluster `session` (Services, ConfigMaps, pods). */
export function isFlinkObjectOf(labels: Labels, session: string): boolean {
  return labels?.[FLINK_LABEL_APP] === session && labels[FLINK_LABEL_TYPE] === FLINK_TYPE_NATIVE;
}

/** The label selector of isFlinkObjectOf: every object Flink created for cluster `session`. */
export const flinkObjectSelector = (session: string): string => `${FLINK_LABEL_APP}=${session},${FLINK_LABEL_TYPE}=${FLINK_TYPE_NATIVE}`;

/** Flink's JobManager Deployment of cluster `session`: the only Deployment the operator reads, deletes or adopts. */
export function isFlinkJobManagerOf(labels: Labels, session: string): boolean {
  return isFlinkObjectOf(labels, session) && labels?.[FLINK_LABEL_COMPONENT] === 'jobmanager';
}

/**
 * One of the ConfigMaps Flink keeps cluster `session`'s Kubernetes HA data in (they outlive the
 * cluster on purpose: no owner reference). Flink 1.x labels them configmap-type=high-availability;
 * Flink 2.x gives them only the cluster's common labels (KubernetesUtils.getConfigMapLabels lost its
 * type argument), so there they are known by the names Flink gives them: <cluster-id>-cluster-config-map
 * (leaders, job graphs) and <cluster-id>-<job id>-config-map (a job's checkpoint ids and counter).
 */
export function isFlinkHaConfigMapOf(name: string | undefined, labels: Labels, session: string): boolean {
  if (!isFlinkObjectOf(labels, session)) return false;
  if (labels?.[FLINK_LABEL_CONFIGMAP_TYPE] === FLINK_CONFIGMAP_TYPE_HA) return true;
  return (
    name === `${session}-cluster-config-map` || (name?.startsWith(`${session}-`) === true && /^[0-9a-f]{32}-config-map$/.test(name.slice(session.length + 1)))
  );
}

/** An object the operator created for `session` (its files ConfigMap, its migrated credentials Secret, launch Jobs). */
export function isOperatorObjectOf(labels: Labels, session: string): boolean {
  return labels?.[LABEL_MANAGED_BY] === OPERATOR_NAME && labels[LABEL_SESSION] === session;
}

/** Flink's labels of cluster `session`, as a text for messages (with the component of a JobManager Deployment). */
export function flinkLabelsText(session: string, jobManager: boolean): string {
  return `${FLINK_LABEL_APP}=${session}, ${FLINK_LABEL_TYPE}=${FLINK_TYPE_NATIVE}${jobManager ? `, ${FLINK_LABEL_COMPONENT}=jobmanager` : ''}`;
}

/** The operator's mark on its objects of `session`, as a text for messages. */
export const operatorMarkText = (session: string): string => `${LABEL_MANAGED_BY}=${OPERATOR_NAME}, ${LABEL_SESSION}=${session}`;

/** What a user reads when an object of another owner holds a name the session needs. `object` is e.g. "Deployment ns/web". */
export function nameConflictMessage(object: string, expectedLabels: string): string {
  return (
    `${object} exists and is not this session's (it lacks the labels ${expectedLabels}); ` +
    `the operator leaves it alone: rename the FlinkSession, or remove that object`
  );
}
