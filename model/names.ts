// Every name, label, annotation and finalizer the operator puts on the cluster, defined once.

export const API_GROUP = 'flink.session-operator.io';
export const API_VERSION = 'v1';
export const FLINKSESSION_API_VERSION = `${API_GROUP}/${API_VERSION}`;
export const FLINKSESSION_KIND = 'FlinkSession';
export const FLINKSESSION_PLURAL = 'flinksessions';

export const FLINKSESSIONJOB_API_VERSION = FLINKSESSION_API_VERSION;
export const FLINKSESSIONJOB_KIND = 'FlinkSessionJob';
export const FLINKSESSIONJOB_PLURAL = 'flinksessionjobs';

export const FINALIZER = `${API_GROUP}/finalizer`;
/** On a FlinkSessionJob: held until the session's workflow has stopped (or cancelled) the job in Flink. */
export const JOB_FINALIZER = `${API_GROUP}/job-finalizer`;
/** Changing this annotation's value (any value) forces a redeploy with the current spec. */
export const REDEPLOY_ANNOTATION = `${API_GROUP}/redeploy`;
/**
 * Changing this annotation's value (any value) does what the redeploy signal with force does: a
 * redeploy with the current spec in which a job whose savepoint fails is cancelled instead of holding
 * it (the way on after a held redeploy).
 */
export const FORCE_REDEPLOY_ANNOTATION = `${API_GROUP}/force-redeploy`;
/** Set to the generation that waits for approval (spec.approval: manual): approves its redeploy, as the approve signal does. */
export const APPROVE_ANNOTATION = `${API_GROUP}/approve`;
/**
 * Set to "true" on a FlinkSession being deleted: release its finalizer at once, without (the rest of)
 * the clean-up; a Warning Event names what was left behind.
 */
export const SKIP_CLEANUP_ANNOTATION = `${API_GROUP}/skip-cleanup`;
/**
 * On the JobManager Deployment, once it serves: a fingerprint of what the operator launched it with,
 * so a new workflow run (after a run was terminated, or Temporal's namespace re-created) adopts a
 * running cluster whose configuration matches instead of redeploying it.
 */
export const FINGERPRINT_ANNOTATION = `${API_GROUP}/fingerprint`;
/** On the JobManager Deployment, with the fingerprint: the FlinkSession (uid) and generation it runs. */
export const DEPLOYED_UID_ANNOTATION = `${API_GROUP}/session-uid`;
export const DEPLOYED_GENERATION_ANNOTATION = `${API_GROUP}/generation`;

export const OPERATOR_NAME = 'flink-session-operator';

/** Labels on everything the operator itself creates (launch Jobs, its ConfigMaps and Secrets). */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_SESSION = `${API_GROUP}/session`;
export const LABEL_GENERATION = `${API_GROUP}/generation`;
/**
 * On a Secret, "true": the worker may read it for a session's S3 credentials when FSO_SECRET_OPT_IN is
 * on (the operator's own migrated credentials Secret carries it).
 */
export const LABEL_SECRET_READABLE = `${API_GROUP}/readable`;
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

/** The label the Job controller puts on a Job's pods, with the Job's name. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/** Kubernetes puts a Job's name into a label of its pods: at most 63 characters. */
const MAX_JOB_NAME = 63;

/**
 * The launch Job of one redeploy: deterministic, so a retried activity finds the Job it already made.
 * `attempt` counts forced redeploys of the same generation; `tag` tells one chain of workflow runs from
 * another (a run terminated by hand starts again at attempt 0, and must not take an old Job for its own).
 */
export function launchJobName(session: string, generation: number, attempt: number, tag: string): string {
  const name = `${session}-launch-g${generation}-${tag}-${attempt}`;
  return name.length <= MAX_JOB_NAME ? name : `${session}-g${generation}-${tag}-${attempt}`.slice(-MAX_JOB_NAME).replace(/^[^a-z]+/, '');
}

/** The keys of an S3 credentials Secret unless s3.credentialsSecret names others; the operator's migrated Secret uses them too. */
export const S3_ACCESS_KEY_KEY = 'accessKey';
export const S3_SECRET_KEY_KEY = 'secretKey';

/** Flink's default high-availability.zookeeper.path.root: a session's znodes live under <root>/<name>. */
export const DEFAULT_ZOOKEEPER_ROOT = '/flink';
export const zooKeeperHaPath = (root: string | undefined, session: string): string => `${root ?? DEFAULT_ZOOKEEPER_ROOT}/${session}`;

/** S3 prefix of everything a session writes to its bucket. */
export const sessionS3Prefix = (session: string): string => `${session}/flink/`;

/** Temporal names (SPEC: Temporal contract). */
export const TASK_QUEUE = OPERATOR_NAME;
export const workflowId = (namespace: string, name: string): string => `flinksession/${namespace}/${name}`;
