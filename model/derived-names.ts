// The objects a session's name becomes (Flink's and the operator's), and which of them two sessions of
// one namespace would share: `x` and `x-rest` both need a Service `x-rest`. The older session keeps its
// names; the newer one is refused, naming the other. Pure.
import { flinkConfigMapName, jobManagerDeploymentName, migratedCredentialsSecretName, restServiceName, sessionFilesConfigMapName } from './names.ts';

/** Kubernetes HA: Flink's ConfigMap of the cluster's leaders (per job ones are `<name>-<job id>-config-map`). */
const haClusterConfigMapName = (session: string): string => `${session}-cluster-config-map`;

/** The objects of a session, as `Kind name`. */
function derivedObjects(session: string): string[] {
  return [
    `Deployment ${jobManagerDeploymentName(session)}`,
    `Service ${session}`,
    `Service ${restServiceName(session)}`,
    `ConfigMap ${flinkConfigMapName(session)}`,
    `ConfigMap ${sessionFilesConfigMapName(session)}`,
    `ConfigMap ${haClusterConfigMapName(session)}`,
    `Secret ${migratedCredentialsSecretName(session)}`,
  ];
}

export interface NamedSession {
  name: string;
  /** metadata.creationTimestamp (ISO). */
  created: string;
}

/** Whether `other` came first: earlier creation, or at the same second the smaller name. */
const cameFirst = (other: NamedSession, session: NamedSession): boolean =>
  other.created < session.created || (other.created === session.created && other.name < session.name);

/** The older sessions of the namespace whose objects `session`'s objects would collide with, and on what. */
export function nameCollisions(session: NamedSession, others: readonly NamedSession[]): Array<{ other: string; objects: string[] }> {
  const mine = new Set(derivedObjects(session.name));
  return others
    .filter((other) => other.name !== session.name && cameFirst(other, session))
    .map((other) => ({ other: other.name, objects: derivedObjects(other.name).filter((object) => mine.has(object)) }))
    .filter((collision) => collision.objects.length > 0);
}
