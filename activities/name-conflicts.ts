// Part of validation, before anything is touched: objects that hold a name the session's cluster needs
// but are not the session's (a Deployment `web` of another app, a ConfigMap someone made by hand). Such
// a session is refused with a NameConflict; the foreign object is never deleted, replaced or adopted.
import * as k8s from '@kubernetes/client-node';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import {
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

  /** Every object of the session's names that exists and is neither Flink's for this cluster nor the operator's. */
  return async function nameConflicts(ref: SessionRef, spec: FlinkSessionSpec): Promise<SpecProblem[]> {
    const { namespace, name: session } = ref;
    const inlineCredentials = spec.s3?.accessKey !== undefined || spec.security?.kerberos?.base64Keytab !== undefined;
    const checks: Array<{ object: string; read: () => Promise<{ metadata?: { labels?: Record<string, string> } }>; ours: (labels: Labels) => boolean; expected: string }> = [
      { object: `Deployment ${namespace}/${jobManagerDeploymentName(session)}`, read: () => apps.readNamespacedDeployment({ namespace, name: jobManagerDeploymentName(session) }), ours: (l) => isFlinkJobManagerOf(l, session), expected: flinkLabelsText(session, true) },
      ...[session, restServiceName(session)].map((service) => ({
        object: `Service ${namespace}/${service}`, read: () => core.readNamespacedService({ namespace, name: service }), ours: (l: Labels) => isFlinkObjectOf(l, session), expected: flinkLabelsText(session, false),
      })),
      { object: `ConfigMap ${namespace}/${flinkConfigMapName(session)}`, read: () => core.readNamespacedConfigMap({ namespace, name: flinkConfigMapName(session) }), ours: (l) => isFlinkObjectOf(l, session), expected: flinkLabelsText(session, false) },
      { object: `ConfigMap ${namespace}/${sessionFilesConfigMapName(session)}`, read: () => core.readNamespacedConfigMap({ namespace, name: sessionFilesConfigMapName(session) }), ours: (l) => isOperatorObjectOf(l, session), expected: operatorMarkText(session) },
      ...(inlineCredentials ? [{
        object: `Secret ${namespace}/${migratedCredentialsSecretName(session)}`, read: () => core.readNamespacedSecret({ namespace, name: migratedCredentialsSecretName(session) }), ours: (l: Labels) => isOperatorObjectOf(l, session), expected: operatorMarkText(session),
      }] : []),
    ];
    const found = await Promise.all(checks.map(async (check) => ({ check, labels: await labelsOf(check.read) })));
    return found
      .filter(({ check, labels }) => labels !== undefined && !check.ours(labels))
      .map(({ check }) => ({ field: 'metadata.name', message: nameConflictMessage(check.object, check.expected) }));
  };
}
