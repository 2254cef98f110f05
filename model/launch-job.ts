// spec → the launch Job: the image's own Flink client runs `kubernetes-session.sh -Dk=v …` (or
// `flink run-application`) as an argv list, never through a shell, so no value can inject a command.
// Secrets never appear here: S3 credentials reach the Flink pods through kubernetes.env.secretKeyRef.
import type { V1Job, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { renderFlinkOptions, type FlinkOptions, type RenderSettings, DEFAULT_RENDER_SETTINGS } from './flink-options.ts';
import { DEFAULT_FLINK_VERSION } from './flink-version.ts';
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { FILE_KEYTAB, FILE_KRB5, FLINK_CONF_DIR, FLINK_HOME, KEYTAB_PATH, KRB5_PATH, OPERATOR_FILES_DIR } from './launch-layout.ts';
import {
  LABEL_FLINK_VERSION,
  LABEL_GENERATION,
  LABEL_MANAGED_BY,
  LABEL_SESSION,
  OPERATOR_NAME,
  launchJobName,
  migratedCredentialsSecretName,
  sessionFilesConfigMapName,
} from './names.ts';
import { ownerReference } from './owner.ts';
import { configFileMounts } from './session-files.ts';

export interface LaunchJobSettings extends RenderSettings {
  /** Seconds a finished launch Job is kept before Kubernetes removes it. */
  ttlSecondsAfterFinished: number;
  backoffLimit: number;
  activeDeadlineSeconds: number;
}

export const DEFAULT_LAUNCH_JOB_SETTINGS: LaunchJobSettings = {
  ...DEFAULT_RENDER_SETTINGS,
  ttlSecondsAfterFinished: 3600,
  backoffLimit: 2,
  activeDeadlineSeconds: 600,
};

const FILES_VOLUME = 'operator-files';
const KERBEROS_VOLUME = 'kerberos-keytab';
const KRB5_VOLUME = 'kerberos-krb5';

/** The launch command's argv: the Flink client and one `-Dkey=value` token per option. */
function launchCommand(spec: FlinkSessionSpec, options: FlinkOptions): string[] {
  const dynamic = options.map(([key, value]) => `-D${key}=${value}`);
  const app = spec.applicationConfig;
  if (app) {
    return [`${FLINK_HOME}/bin/flink`, 'run-application', '--target', 'kubernetes-application', ...dynamic, app.jarPath, ...(app.args ?? [])];
  }
  return [`${FLINK_HOME}/bin/kubernetes-session.sh`, ...dynamic];
}

/** Which launch of a generation: the attempt (forced redeploys) and the tag of the workflow runs' chain. */
export interface LaunchId {
  attempt: number;
  tag: string;
}

export function renderLaunchJob(
  session: SessionRef,
  spec: FlinkSessionSpec,
  launch: LaunchId,
  settings: LaunchJobSettings = DEFAULT_LAUNCH_JOB_SETTINGS,
): V1Job {
  const options = renderFlinkOptions(session, spec, settings);
  const name = launchJobName(session.name, session.generation, launch.attempt, launch.tag);
  const labels = {
    [LABEL_MANAGED_BY]: OPERATOR_NAME,
    [LABEL_SESSION]: session.name,
    [LABEL_GENERATION]: String(session.generation),
    [LABEL_FLINK_VERSION]: spec.flinkVersion ?? DEFAULT_FLINK_VERSION,
  };
  const { volumes, mounts } = launchVolumes(session, spec);
  const [command, ...args] = launchCommand(spec, options);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: session.namespace, labels, ownerReferences: [ownerReference(session)] },
    spec: {
      backoffLimit: settings.backoffLimit,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      activeDeadlineSeconds: settings.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(spec.sa ? { serviceAccountName: spec.sa } : {}),
          ...(spec.imageSecret ? { imagePullSecrets: [{ name: spec.imageSecret }] } : {}),
          ...(spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0 ? { nodeSelector: spec.nodeSelector } : {}),
          volumes,
          containers: [
            {
              name: 'launch',
              image: spec.image,
              command: [command!],
              args,
              env: [{ name: 'FLINK_CONF_DIR', value: FLINK_CONF_DIR }],
              volumeMounts: mounts,
              // The tail of Flink's client output becomes the pod's termination message when it fails,
              // which the operator shows in the session's status (activities/jobmanager.ts).
              terminationMessagePolicy: 'FallbackToLogsOnError',
              resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } },
            },
          ],
        },
      },
    },
  };
}

/** The operator's files (config files over the conf dir, pod templates) and the Kerberos files. */
function launchVolumes(session: SessionRef, spec: FlinkSessionSpec): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const volumes: V1Volume[] = [{ name: FILES_VOLUME, configMap: { name: sessionFilesConfigMapName(session.name) } }];
  const mounts: V1VolumeMount[] = [{ name: FILES_VOLUME, mountPath: OPERATOR_FILES_DIR, readOnly: true }];
  for (const { key, fileName } of configFileMounts(spec)) {
    mounts.push({ name: FILES_VOLUME, mountPath: `${FLINK_CONF_DIR}/${fileName}`, subPath: key, readOnly: true });
  }
  const kerberos = spec.security?.kerberos;
  if (kerberos?.keytabSecret || kerberos?.base64Keytab) {
    const secretName = kerberos.keytabSecret?.name ?? migratedCredentialsSecretName(session.name);
    const key = kerberos.keytabSecret?.key ?? FILE_KEYTAB;
    volumes.push({ name: KERBEROS_VOLUME, secret: { secretName, items: [{ key, path: FILE_KEYTAB }] } });
    mounts.push({ name: KERBEROS_VOLUME, mountPath: KEYTAB_PATH, subPath: FILE_KEYTAB, readOnly: true });
  }
  if (kerberos?.krb5ConfigMap) {
    volumes.push({
      name: KRB5_VOLUME,
      configMap: { name: kerberos.krb5ConfigMap.name, items: [{ key: kerberos.krb5ConfigMap.key ?? FILE_KRB5, path: FILE_KRB5 }] },
    });
    mounts.push({ name: KRB5_VOLUME, mountPath: KRB5_PATH, subPath: FILE_KRB5, readOnly: true });
  } else if (kerberos?.krb5) {
    mounts.push({ name: FILES_VOLUME, mountPath: KRB5_PATH, subPath: FILE_KRB5, readOnly: true });
  }
  return { volumes, mounts };
}
