// Where the launch Job finds the files Flink's client reads locally and ships to the cluster itself:
// pod templates, krb5.conf and the keytab (Flink's native mode turns them into its own ConfigMaps and
// Secrets), and the user's config files (mounted one by one over the image's conf dir).

export const FLINK_HOME = '/opt/flink';
export const FLINK_CONF_DIR = `${FLINK_HOME}/conf`;
export const OPERATOR_FILES_DIR = '/opt/flink-session-operator';
export const KERBEROS_DIR = `${OPERATOR_FILES_DIR}/kerberos`;

/** Keys of the operator's ConfigMap (sessionFilesConfigMapName), which are also file names. */
export const FILE_POD_TEMPLATE_JOBMANAGER = 'pod-template-jobmanager.yaml';
export const FILE_POD_TEMPLATE_TASKMANAGER = 'pod-template-taskmanager.yaml';
export const FILE_KRB5 = 'krb5.conf';
/** The keytab's file name, and its key in the operator's Secret (and by default in the user's). */
export const FILE_KEYTAB = 'krb5.keytab';

export const podTemplatePath = (file: string): string => `${OPERATOR_FILES_DIR}/${file}`;
export const KRB5_PATH = `${KERBEROS_DIR}/${FILE_KRB5}`;
export const KEYTAB_PATH = `${KERBEROS_DIR}/${FILE_KEYTAB}`;
