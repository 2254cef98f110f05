// Part of validation, before anything is touched: objects that hold a name the session's cluster needs
// but are not the session's (a Deployment `web` of another app, a ConfigMap someone made by hand). Such
// a session is refused with a NameConflict; the foreign object is never deleted, replaced or adopted.
// And other sessions whose names would make the same objects (InvalidSpec, naming the other).
import * as k8s from '@kubernetes/client-node';
import { nameCollisions } from '../model/derived-names.ts';
import type { FlinkSession, FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import {
  API_GROUP,
  API_VERSION,
  FLINKSESSION_PLURAL,
  flinkConfigMapName,
  jobManagerDeploymentName,
  migratedCredentialsSecretName,
  restServiceName,
  sessionFilesConfigMapName,
} from '../model/names.ts';
import {
  flinkLabelsText,
  isFlinkJobManagerOf,
  isFlinkObjectOf,
  isOperatorObjectOf,
  nameConflictMessage,
  operatorMarkText,
  type Labels,
} from '../model/ownership.ts';
import type { SpecProblem } from '../model/validate.ts';
import { isNotFound } from '../kube/errors.ts';

/** Reads an object's labels; undefined when there is no such object. */
async function labelsOf(read: () => Promise<{ metadata?: { labels?: Record<string, string> } }>): Promise<Labels | undefined> {
  try {
    return (await read()).metadata?.labels ?? {};
  } catch (error: unknown) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function createNameConflictCheck(kubeConfig: k8s.KubeConfig) {
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const objects = kubeConfig.makeApiClient(k8s.CustomObjectsApi);

  /**
   * Sessions of the namespace created before this one whose derived objects this one's would share
   * (`x` and `x-rest` both need the Service `x-rest`): the newer session is refused, naming the older.
   */
  async function nameCollisionsWithSessions(ref: SessionRef): Promise<SpecProblem[]> {
    const list = (await objects.listNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace: ref.namespace,
      plural: FLINKSESSION_PLURAL,
    })) as { items: FlinkSession[] };
    const named = (s: FlinkSession) => ({ name: s.metadata.name, created: s.metadata.creationTimestamp ?? '' });
    const me = list.items.find((s) => s.metadata.uid === ref.uid);
    if (!me) return [];
    return nameCollisions(named(me), list.items.filter((s) => s.metadata.deletionTimestamp === undefined).map(named)).map(({ other, objects: shared }) => ({
      field: 'metadata.name',
      message:
        `FlinkSession ${ref.namespace}/${ref.name} would share ${shared.join(', ')} with FlinkSession ${ref.namespace}/${other}, ` +
        'which came first; rename this FlinkSession',
    }));
  }

  /** Every object of the session's names that exists and is neither Flink's for this cluster nor the operator's. */
  async function foreignObjects(ref: SessionRef, spec: FlinkSessionSpec): Promise<SpecProblem[]> {
    const { namespace, name: session } = ref;
    const inlineCredentials = spec.s3?.accessKey !== undefined || spec.security?.kerberos?.base64Keytab !== undefined;
    const checks: Array<{
      object: string;
      read: () => Promise<{ metadata?: { labels?: Record<string, string> } }>;
      ours: (labels: Labels) => boolean;
      expected: string;
    }> = [
      {
        object: `Deployment ${namespace}/${jobManagerDeploymentName(session)}`,
        read: () => apps.readNamespacedDeployment({ namespace, name: jobManagerDeploymentName(session) }),
        ours: (l) => isFlinkJobManagerOf(l, session),
        expected: flinkLabelsText(session, true),
      },
      ...[session, restServiceName(session)].map((service) => ({
        object: `Service ${namespace}/${service}`,
        read: () => core.readNamespacedService({ namespace, name: service }),
        ours: (l: Labels) => isFlinkObjectOf(l, session),
        expected: flinkLabelsText(session, false),
      })),
      {
        object: `ConfigMap ${namespace}/${flinkConfigMapName(session)}`,
        read: () => core.readNamespacedConfigMap({ namespace, name: flinkConfigMapName(session) }),
        ours: (l) => isFlinkObjectOf(l, session),
        expected: flinkLabelsText(session, false),
      },
      {
        object: `ConfigMap ${namespace}/${sessionFilesConfigMapName(session)}`,
        read: () => core.readNamespacedConfigMap({ namespace, name: sessionFilesConfigMapName(session) }),
        ours: (l) => isOperatorObjectOf(l, session),
        expected: operatorMarkText(session),
      },
      ...(inlineCredentials
        ? [
            {
              object: `Secret ${namespace}/${migratedCredentialsSecretName(session)}`,
              read: () => core.readNamespacedSecret({ namespace, name: migratedCredentialsSecretName(session) }),
              ours: (l: Labels) => isOperatorObjectOf(l, session),
              expected: operatorMarkText(session),
            },
          ]
        : []),
    ];
    const found = await Promise.all(checks.map(async (check) => ({ check, labels: await labelsOf(check.read) })));
    return found
      .filter(({ check, labels }) => labels !== undefined && !check.ours(labels))
      .map(({ check }) => ({ field: 'metadata.name', message: nameConflictMessage(check.object, check.expected) }));
  }

  return { nameCollisionsWithSessions, foreignObjects };
}
