// Generated from crds/flinksessionjob.yaml by tools/generate-model/generate.ts (npm run generate:model). Do not edit.

/**
 * The desired job. Any change of it (metadata.generation) is carried out by the session's workflow.
 */
export interface FlinkSessionJobSpec {
  /**
   * Name of the FlinkSession (same namespace) the job runs on. A job whose session does not exist yet waits for it.
   */
  session: string;
  /**
   * The job's jar: s3://bucket/key (read on the session's S3 endpoint, with the session's S3 credentials unless jarCredentialsSecret) or https://…. The worker streams it to the JobManager's REST upload; a session takes jars no other way.
   */
  jar: string;
  /**
   * Secret in the job's namespace with the S3 credentials the worker reads an s3:// jar with (a jar bucket the session's own credentials may not read); the session's S3 endpoint is used.
   */
  jarCredentialsSecret?: {
    /**
     * Secret name.
     */
    name: string;
    /**
     * Key of the access key in the Secret.
     */
    accessKeyKey?: string;
    /**
     * Key of the secret key in the Secret.
     */
    secretKeyKey?: string;
  };
  /**
   * The job's main class (as flink run -c); when not given, the jar manifest's Main-Class.
   */
  entryClass?: string;
  /**
   * Arguments of the job's main method.
   *
   * @maxItems 1024
   */
  args?: string[];
  /**
   * The job's default parallelism; when not given, the session's parallelism.default.
   */
  parallelism?: number;
  /**
   * Job-level Flink options (e.g. pipeline.name), as strings.
   */
  flinkConfiguration?: {
    [k: string]: string;
  };
  /**
   * running: submit the job and keep it running; suspended: stop it with a savepoint and keep the savepoint's path.
   */
  state?: 'running' | 'suspended';
  /**
   * How a change of the job carries its state: savepoint (stop with a savepoint, resubmit from it), last-state (resubmit from the latest retained checkpoint) or stateless (cancel, start afresh). A delete stops with a savepoint unless stateless.
   */
  upgradeMode?: 'stateless' | 'savepoint' | 'last-state';
  /**
   * A savepoint (or retained checkpoint) the first submission restores from.
   */
  initialSavepointPath?: string;
  /**
   * Restoring may skip state no operator of the job claims.
   */
  allowNonRestoredState?: boolean;
}

/**
 * Observed state, written by the operator.
 */
export interface FlinkSessionJobStatus {
  /**
   * The Flink job id, derived from the resource (a resubmission with the same id is recognised by Flink as a duplicate).
   */
  jobId?: string;
  /**
   * Flink's state of the job (CREATED, RUNNING, FAILED, CANCELED, FINISHED, …).
   */
  jobState?: string;
  observedGeneration?: number;
  lastSavepoint?: {
    path?: string;
    time?: string;
    reason?: string;
  };
  conditions?: {
    type: 'Ready' | 'Progressing' | 'Degraded';
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
  /**
   * When Flink reports the job FAILED: Flink's root-cause exception (GET /jobs/:id/exceptions), its first lines.
   */
  rootCause?: string;
  lastError?: string;
}

