// spec → the operator's ConfigMap of files for the launch Job: the user's config files (under the
// name the spec's Flink version reads), pod templates and krb5.conf. Pure: no I/O.
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { flinkVersionOf, needsPodTemplates } from './flink-options.ts';
import { versionedKeys } from './flink-version.ts';
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { FILE_KRB5, FILE_POD_TEMPLATE_JOBMANAGER, FILE_POD_TEMPLATE_TASKMANAGER } from './launch-layout.ts';
import {
  FLINK_LABEL_APP,
  FLINK_LABEL_COMPONENT,
  FLINK_MAIN_CONTAINER,
  LABEL_MANAGED_BY,
  LABEL_SESSION,
  OPERATOR_NAME,
  sessionFilesConfigMapName,
} from './names.ts';
import { ownerReference } from './owner.ts';

/** A user config file: its key in the spec and the file name the image's Flink reads. */
export interface ConfigFileMount {
  key: string;
  fileName: string;
}

/** Which of the user's config files are mounted, and as what (Flink 1.19+ reads config.yaml only). */
export function configFileMounts(spec: FlinkSessionSpec): ConfigFileMount[] {
  const mounts: ConfigFileMount[] = [];
  const config = spec.config ?? {};
  if (config['flink-conf.yaml']) mounts.push({ key: 'flink-conf.yaml', fileName: versionedKeys(flinkVersionOf(spec)).configFile });
  if (config['log4j-console.properties']) mounts.push({ key: 'log4j-console.properties', fileName: 'log4j-console.properties' });
  if (config['logback-console.xml']) mounts.push({ key: 'logback-console.xml', fileName: 'logback-console.xml' });
  return mounts;
}

export function renderSessionFiles(session: SessionRef, spec: FlinkSessionSpec): V1ConfigMap {
  const data: Record<string, string> = {};
  for (const { key } of configFileMounts(spec)) data[key] = spec.config![key as keyof NonNullable<FlinkSessionSpec['config']>]!;
  if (needsPodTemplates(spec)) {
    data[FILE_POD_TEMPLATE_JOBMANAGER] = stringify(podTemplate(session, spec, 'jobmanager'));
    data[FILE_POD_TEMPLATE_TASKMANAGER] = stringify(podTemplate(session, spec, 'taskmanager'));
  }
  const krb5 = spec.security?.kerberos?.krb5;
  if (krb5) data[FILE_KRB5] = krb5;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: sessionFilesConfigMapName(session.name),
      namespace: session.namespace,
      labels: { [LABEL_MANAGED_BY]: OPERATOR_NAME, [LABEL_SESSION]: session.name },
      ownerReferences: [ownerReference(session)],
    },
    data,
  };
}

/** Flink merges this template into the pods it creates: volumes, mounts, and TaskManager spreading. */
export function podTemplate(session: SessionRef, spec: FlinkSessionSpec, component: 'jobmanager' | 'taskmanager'): V1Pod {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${component}-pod-template` },
    spec: {
      containers: [{ name: FLINK_MAIN_CONTAINER, ...(spec.volumeMounts?.length ? { volumeMounts: spec.volumeMounts } : {}) }],
      ...(spec.volumes?.length ? { volumes: spec.volumes } : {}),
    },
  };
  const balance = spec.balancedSchedule ?? 'None';
  if (component === 'taskmanager' && balance !== 'None') {
    const term = {
      labelSelector: { matchLabels: { [FLINK_LABEL_APP]: session.name, [FLINK_LABEL_COMPONENT]: 'taskmanager' } },
      topologyKey: 'kubernetes.io/hostname',
    };
    pod.spec!.affinity = {
      podAntiAffinity:
        balance === 'Required'
          ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
          : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };
  }
  return pod;
}
