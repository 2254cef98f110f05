// spec → the Flink options of a session, for the spec's Flink version. Pure: no I/O.
import { parse as parseYaml } from 'yaml';
import { DEFAULT_FLINK_VERSION, parseFlinkVersion, versionedKeys, type FlinkVersion } from './flink-version.ts';
import { given, type FlinkSessionSpec, type SessionRef, type TaskManagerResources } from './flinksession.ts';
import { FILE_POD_TEMPLATE_JOBMANAGER, FILE_POD_TEMPLATE_TASKMANAGER, KEYTAB_PATH, KRB5_PATH, podTemplatePath } from './launch-layout.ts';
import { DEFAULT_ZOOKEEPER_ROOT, migratedCredentialsSecretName, S3_ACCESS_KEY_KEY, S3_SECRET_KEY_KEY } from './names.ts';

/** Options in the order they are rendered; keys are unique. */
export type FlinkOptions = ReadonlyArray<readonly [key: string, value: string]>;

export interface RenderSettings {
  /** How Flink exposes its REST service; NodePort, as the earlier operator did, fills status NodePort. */
  restExposedType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
}

export const DEFAULT_RENDER_SETTINGS: RenderSettings = { restExposedType: 'NodePort' };

/** The JVM options the earlier operator set, kept unless the user's config file sets its own. */
const DEFAULT_JAVA_OPTS = '-XX:+UseG1GC';

export class UnsupportedFlinkVersionError extends Error {}

export function flinkVersionOf(spec: FlinkSessionSpec): FlinkVersion {
  const text = spec.flinkVersion ?? DEFAULT_FLINK_VERSION;
  const version = parseFlinkVersion(text);
  if (!version) throw new UnsupportedFlinkVersionError(`unsupported flinkVersion ${text}`);
  return version;
}

/** The spec's s3.endPoint as a URL: without a scheme, http:// (the earlier operator's convention). */
export function s3EndpointUrl(endPoint: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(endPoint) ? endPoint : `http://${endPoint}`;
}

/** s3://<bucket>/<name>/flink/<what> */
export const sessionS3Url = (bucket: string, session: string, what: string): string => `s3://${bucket}/${session}/flink/${what}`;

/** Whether pod templates are rendered (Flink reads them from the launch Job's files). */
export function needsPodTemplates(spec: FlinkSessionSpec): boolean {
  return (spec.balancedSchedule ?? 'None') !== 'None' || (spec.volumes?.length ?? 0) > 0 || (spec.volumeMounts?.length ?? 0) > 0;
}

export function renderFlinkOptions(session: SessionRef, spec: FlinkSessionSpec, settings: RenderSettings = DEFAULT_RENDER_SETTINGS): FlinkOptions {
  const version = flinkVersionOf(spec);
  const keys = versionedKeys(version);
  const options = new Map<string, string>();
  const set = (key: string, value: string | number | boolean | undefined | null): void => {
    const text = given(typeof value === 'boolean' ? String(value) : value);
    if (text !== undefined) options.set(key, text);
  };

  // 1. Identity and image: the cluster id is the FlinkSession's name.
  set('kubernetes.cluster-id', session.name);
  set('kubernetes.namespace', session.namespace);
  set(keys.containerImage, spec.image);
  set('kubernetes.container.image.pull-secrets', spec.imageSecret);
  set('kubernetes.service-account', spec.sa);
  set('kubernetes.rest-service.exposed.type', settings.restExposedType);

  // 2. Resources.
  const jm = spec.resource?.jobManager;
  set(keys.jobManagerCpu, jm?.cpu);
  set('jobmanager.memory.process.size', jm?.memory);
  set('jobmanager.memory.jvm-metaspace.size', jm?.['jvm-metaspace']);
  // The earlier operator wrote jobmanager.memory.task.off-heap.size, a key Flink does not have.
  set('jobmanager.memory.off-heap.size', jm?.['off-heap']);
  const tm = spec.resource?.taskManager;
  set(keys.taskManagerCpu, tm?.cpu);
  set('taskmanager.memory.process.size', tm?.memory);
  set('taskmanager.memory.jvm-metaspace.size', tm?.['jvm-metaspace']);
  set('taskmanager.memory.framework.heap.size', tm?.framework?.heap);
  set('taskmanager.memory.framework.off-heap.size', tm?.framework?.['off-heap']);
  set('taskmanager.memory.task.off-heap.size', tm?.task?.['off-heap']);
  for (const [key, value] of taskManagerPoolOptions(tm)) set(key, value);
  set('taskmanager.numberOfTaskSlots', spec.numberOfTaskSlots ?? 1);

  // 3. State in S3: checkpoints, savepoints and archives under s3://<bucket>/<name>/flink/.
  const s3 = spec.s3;
  if (s3) {
    set('s3.endpoint', s3EndpointUrl(s3.endPoint));
    set('s3.path.style.access', 'true');
    set(keys.stateBackend, 'hashmap');
    set(keys.incrementalCheckpoints, 'true');
    set(keys.checkpointsDir, sessionS3Url(s3.bucket, session.name, 'checkpoints'));
    set(keys.savepointsDir, sessionS3Url(s3.bucket, session.name, 'savepoints'));
    set('jobmanager.archive.fs.dir', sessionS3Url(s3.bucket, session.name, 'archive'));
    set('historyserver.archive.fs.dir', sessionS3Url(s3.bucket, session.name, 'completed-jobs'));
    // Credentials reach the pods as environment variables from a Secret; never as option values.
    const secret = s3.credentialsSecret;
    const secretName = secret?.name ?? (s3.accessKey ? migratedCredentialsSecretName(session.name) : undefined);
    if (secretName) {
      const accessKeyKey = secret?.accessKeyKey ?? S3_ACCESS_KEY_KEY;
      const secretKeyKey = secret?.secretKeyKey ?? S3_SECRET_KEY_KEY;
      set(
        'kubernetes.env.secretKeyRef',
        `env:AWS_ACCESS_KEY_ID,secret:${secretName},key:${accessKeyKey};env:AWS_SECRET_ACCESS_KEY,secret:${secretName},key:${secretKeyKey}`,
      );
    }
  }

  // 4. High availability; its data lives under <path.root>/<cluster-id> and s3://…/ha/metadata.
  const haType = spec.ha?.type ?? 'none';
  if (haType !== 'none') {
    set(keys.haType, haType === 'zookeeper' ? 'zookeeper' : keys.kubernetesHaValue);
    if (haType === 'zookeeper') {
      set('high-availability.zookeeper.quorum', spec.ha?.quorum);
      set('high-availability.zookeeper.path.root', spec.ha?.path ?? DEFAULT_ZOOKEEPER_ROOT);
    }
    if (s3) set('high-availability.storageDir', sessionS3Url(s3.bucket, session.name, 'ha/metadata'));
  }

  // 5. Scheduling.
  const selector = nodeSelectorOption(spec.nodeSelector);
  set('kubernetes.jobmanager.node-selector', selector);
  set('kubernetes.taskmanager.node-selector', selector);
  if (needsPodTemplates(spec)) {
    set('kubernetes.pod-template-file.jobmanager', podTemplatePath(FILE_POD_TEMPLATE_JOBMANAGER));
    set('kubernetes.pod-template-file.taskmanager', podTemplatePath(FILE_POD_TEMPLATE_TASKMANAGER));
  }

  // 6. Kerberos: Flink's client mounts krb5.conf and the keytab into the pods from the launch Job's files.
  const kerberos = spec.security?.kerberos;
  if (kerberos) {
    set('security.kerberos.login.principal', kerberos.principal);
    set('security.kerberos.login.use-ticket-cache', kerberos.useTicketCache ?? true);
    if (kerberos.keytabSecret || kerberos.base64Keytab) set('security.kerberos.login.keytab', KEYTAB_PATH);
    set('security.kerberos.login.contexts', kerberos.contexts);
    if (kerberos.krb5 || kerberos.krb5ConfigMap) set('security.kerberos.krb5-conf.path', KRB5_PATH);
  }

  // 7. Application mode.
  const parallelism = spec.applicationConfig?.parallelism;
  if (parallelism) set('parallelism.default', parallelism);

  // 8. Defaults the user's own config file may override.
  if (!userConfigSets(spec, keys.javaOptsAliases)) set(keys.javaOpts, DEFAULT_JAVA_OPTS);

  return [...options.entries()];
}

/** Network and managed memory: min/max win over fraction (the earlier operator's rule). */
function taskManagerPoolOptions(tm: TaskManagerResources | undefined): Array<[string, string | undefined]> {
  const network = tm?.netWork;
  const managed = tm?.managed;
  const result: Array<[string, string | undefined]> = [];
  if (given(network?.min) || given(network?.max)) {
    result.push(['taskmanager.memory.network.min', network?.min], ['taskmanager.memory.network.max', network?.max]);
  } else {
    result.push(['taskmanager.memory.network.fraction', network?.fraction]);
  }
  // Flink has no managed.min/max (the earlier operator wrote them, and Flink ignored them): a size it is.
  const managedSize = given(managed?.max) ?? given(managed?.min);
  if (managedSize) result.push(['taskmanager.memory.managed.size', managedSize]);
  else result.push(['taskmanager.memory.managed.fraction', managed?.fraction]);
  return result;
}

/** k1:v1,k2:v2, sorted so the same selector always renders the same options. */
export function nodeSelectorOption(selector: Record<string, string> | undefined): string | undefined {
  if (!selector) return undefined;
  const entries = Object.entries(selector).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? undefined : entries.map(([k, v]) => `${k}:${v}`).join(',');
}

/** Whether the user's config file (flat `a.b: v` or nested YAML) sets any of these keys. */
function userConfigSets(spec: FlinkSessionSpec, keys: readonly string[]): boolean {
  const text = spec.config?.['flink-conf.yaml'];
  if (!text) return false;
  const flat = flattenConfig(text);
  return keys.some((key) => flat.has(key));
}

/** The keys a Flink config file sets; Flink 1.19+ reads nested YAML, older versions `key: value` lines. */
export function flattenConfig(text: string): Set<string> {
  const keys = new Set<string>();
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    document = undefined;
  }
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, prefix ? `${prefix}.${key}` : key);
    } else if (prefix) {
      keys.add(prefix);
    }
  };
  walk(document, '');
  // Legacy flink-conf.yaml lines that are not valid YAML still name their keys.
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z0-9_.-]+)\s*:/.exec(line);
    if (match && !line.trimStart().startsWith('#')) keys.add(match[1]!);
  }
  return keys;
}
