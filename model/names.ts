// Every name, label, annotation and finalizer the operator puts on the cluster, defined once.

export const API_GROUP = 'flink.session-operator.io';
export const API_VERSION = 'v1';
export const FLINKSESSION_API_VERSION = `${API_GROUP}/${API_VERSION}`;
export const FLINKSESSION_KIND = 'FlinkSession';
export const FLINKSESSION_PLURAL = 'flinksessions';

export const FINALIZER = `${API_GROUP}/finalizer`;
/** Changing this annotation's value (any value) forces a redeploy with the current spec. */
export const REDEPLOY_ANNOTATION = `${API_GROUP}/redeploy`;

export const OPERATOR_NAME = 'flink-session-operator';

/** Labels on everything the operator itself creates (launch Jobs, its ConfigMaps and Secrets). */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_SESSION = `${API_GROUP}/session`;
export const LABEL_GENERATION = `${API_GROUP}/generation`;
/** On launch Jobs: the Flink version (major.minor) whose client the Job runs. */
export const LABEL_FLINK_VERSION = `${API_GROUP}/flink-version`;

/** Labels Flink's native Kubernetes mode puts on what it creates (Flink's own convention). */
export const FLINK_LABEL_APP = 'app';
export const FLINK_LABEL_TYPE = 'type';
export const FLINK_TYPE_NATIVE = 'flink-native-kubernetes';
export const FLINK_LABEL_COMPONENT = 'component';
export const FLINK_LABEL_CONFIGMAP_TYPE = 'configmap-type';
export const FLINK_CONFIGMAP_TYPE_HA = 'high-availability';
export const FLINK_REST_PORT = 8081;
export const FLINK_REST_PORT_NAME = 'rest';
/** Name of the main container in Flink's pods (Flink's convention, used in pod templates). */
export const FLINK_MAIN_CONTAINER = 'flink-main-container';

/** Flink names its JobManager Deployment after the cluster id, which is the FlinkSession's name. */
export const jobManagerDeploymentName = (session: string): string => session;
export const restServiceName = (session: string): string => `${session}-rest`;
export const flinkConfigMapName = (session: string): string => `flink-config-${session}`;

/** The operator's ConfigMap of files for the launch Job: config files, pod templates, krb5.conf. */
export const sessionFilesConfigMapName = (session: string): string => `${session}-flink-files`;
/** The Secret the operator writes when a manifest still has inline S3 keys or an inline keytab. */
export const migratedCredentialsSecretName = (session: string): string => `${session}-credentials`;

/**
 * The launch Job of one redeploy: deterministic, so a retried activity finds the Job it already made.
 * `attempt` counts forced redeploys of the same generation.
 */
export const launchJobName = (session: string, generation: number, attempt: number): string =>
  `${session}-launch-g${generation}-${attempt}`;

/** S3 prefix of everything a session writes to its bucket. */
export const sessionS3Prefix = (session: string): string => `${session}/flink/`;

/** Temporal names (SPEC: Temporal contract). */
export const TASK_QUEUE = OPERATOR_NAME;
export const workflowId = (namespace: string, name: string): string => `flinksession/${namespace}/${name}`;
