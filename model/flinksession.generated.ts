// Generated from crds/flinksession.yaml by tools/generate-model/generate.ts (npm run generate:model). Do not edit.

/**
 * The desired session cluster. Any change of it (metadata.generation) redeploys the cluster.
 */
export interface FlinkSessionSpec {
  /**
   * Image of the JobManager, the TaskManagers and the launch Job (kubernetes.container.image).
   */
  image: string;
  /**
   * Name of the image pull Secret (kubernetes.container.image.pull-secrets, and the launch Job's imagePullSecrets).
   */
  imageSecret?: string;
  /**
   * Flink version of the image, major.minor (e.g. '1.20', '2.1'); selects which option keys and config file are rendered.
   */
  flinkVersion?: string;
  /**
   * On redeploy and on delete, clear the session's HA data (ZooKeeper znodes or HA ConfigMaps) and purge its S3 HA prefix.
   */
  autoClean?: boolean;
  /**
   * When a redeploy's new generation does not become Ready within the readiness deadline, or a FlinkSessionJob it carried does not reach RUNNING on it, relaunch the generation that ran before it, restore its jobs from the savepoints the redeploy took (jobs that ran on the new generation from savepoints taken there), and report RolledBack (the failed generation is not retried until the spec changes again).
   */
  rollback?: boolean;
  /**
   * manual: a redeploy waits, before anything is stopped or deleted, for an approve signal (flink-session-operator approve, the annotation flink.session-operator.io/approve set to the generation, or temporal workflow signal --name approve); status says AwaitingApproval with the plan (the savepoints it would take, the jobs it would restore).
   */
  approval?: 'automatic' | 'manual';
  /**
   * What a redeploy does with a job that runs on the session but no FlinkSessionJob declares (one submitted by hand with flink run): savepoint (stop it with a savepoint and report the path in status.carriedJobs and an Event, for a person to resubmit; with HA kept and no autoClean Flink's HA recovers it instead), cancel, or block (refuse the redeploy while such jobs run).
   */
  unmanagedJobs?: 'savepoint' | 'cancel' | 'block';
  /**
   * Service account of the Flink pods and the launch Job (kubernetes.service-account).
   */
  sa?: string;
  /**
   * Resources of the JobManager and the TaskManagers.
   */
  resource?: {
    /**
     * JobManager resources.
     */
    jobManager?: {
      /**
       * CPU cores (kubernetes.jobmanager.cpu), e.g. 1 or "0.5".
       */
      cpu?: number | string;
      /**
       * Total process memory (jobmanager.memory.process.size), a Flink memory size such as 1g or 1024m.
       */
      memory?: string;
      /**
       * JVM metaspace (jobmanager.memory.jvm-metaspace.size), a Flink memory size such as 256m.
       */
      'jvm-metaspace'?: string;
      /**
       * Off-heap memory (jobmanager.memory.off-heap.size), a Flink memory size such as 128m.
       */
      'off-heap'?: string;
    };
    /**
     * TaskManager resources.
     */
    taskManager?: {
      /**
       * CPU cores per TaskManager (kubernetes.taskmanager.cpu), e.g. 2 or "1.5".
       */
      cpu?: number | string;
      /**
       * Total process memory per TaskManager (taskmanager.memory.process.size), a Flink memory size such as 4g.
       */
      memory?: string;
      /**
       * JVM metaspace (taskmanager.memory.jvm-metaspace.size).
       */
      'jvm-metaspace'?: string;
      /**
       * Framework memory.
       */
      framework?: {
        /**
         * Framework heap (taskmanager.memory.framework.heap.size).
         */
        heap?: string;
        /**
         * Framework off-heap (taskmanager.memory.framework.off-heap.size).
         */
        'off-heap'?: string;
      };
      /**
       * Task memory.
       */
      task?: {
        /**
         * Task off-heap (taskmanager.memory.task.off-heap.size).
         */
        'off-heap'?: string;
      };
      /**
       * Network memory (taskmanager.memory.network.*). When min or max is given, min/max are used and fraction is not.
       */
      netWork?: {
        /**
         * Fraction of total Flink memory, between 0 and 1, e.g. "0.1".
         */
        fraction?: string;
        /**
         * Minimum size, a Flink memory size such as 64m.
         */
        min?: string;
        /**
         * Maximum size, a Flink memory size such as 1g.
         */
        max?: string;
      };
      /**
       * Managed memory (taskmanager.memory.managed.*). When min or max is given, they win over fraction; Flink itself only reads managed.size or managed.fraction, so min/max are rendered as managed.size.
       */
      managed?: {
        /**
         * Fraction of total Flink memory, between 0 and 1, e.g. "0.1".
         */
        fraction?: string;
        /**
         * Minimum size, a Flink memory size such as 64m.
         */
        min?: string;
        /**
         * Maximum size, a Flink memory size such as 1g.
         */
        max?: string;
      };
    };
  };
  /**
   * Slots per TaskManager (taskmanager.numberOfTaskSlots).
   */
  numberOfTaskSlots?: number;
  /**
   * The S3 bucket behind checkpoints, savepoints, HA metadata and job archives (s3://<bucket>/<name>/flink/...).
   */
  s3?: {
    /**
     * S3 endpoint (s3.endpoint), e.g. http://minio.storage:9000; without a scheme, http:// is assumed, as the earlier operator did.
     */
    endPoint: string;
    /**
     * Bucket the session writes to; created if missing. Keep it for Flink only, since autoClean purges the session's prefix in it.
     */
    bucket: string;
    /**
     * Secret in the session's namespace holding the S3 credentials; they reach Flink as environment variables, never as arguments.
     */
    credentialsSecret?: {
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
     * Deprecated, accepted for migration from the earlier operator. Inline access key; the operator moves it into a Secret. Use credentialsSecret.
     */
    accessKey?: string;
    /**
     * Deprecated, accepted for migration from the earlier operator. Inline secret key; the operator moves it into a Secret. Use credentialsSecret.
     */
    secretKey?: string;
  };
  /**
   * High availability of the JobManager.
   */
  ha?: {
    /**
     * zookeeper, kubernetes (ConfigMap-based) or none.
     */
    type?: 'zookeeper' | 'kubernetes' | 'none';
    /**
     * ZooKeeper quorum, host:port[,host:port...] (high-availability.zookeeper.quorum).
     */
    quorum?: string;
    /**
     * ZooKeeper root path (high-availability.zookeeper.path.root), default /flink; the session's data lives under <path>/<name>.
     */
    path?: string;
  };
  /**
   * Files mounted into the Flink conf dir instead of the image's own.
   */
  config?: {
    /**
     * Flink configuration file content; for Flink 2.x (which reads only config.yaml) it is rendered as config.yaml.
     */
    'flink-conf.yaml'?: string;
    /**
     * log4j-console.properties content.
     */
    'log4j-console.properties'?: string;
    /**
     * logback-console.xml content.
     */
    'logback-console.xml'?: string;
  };
  /**
   * Node labels the JobManager and TaskManagers must run on (kubernetes.*.node-selector).
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * Spread TaskManagers over nodes: Required (one per node), Preferred (as far as possible) or None.
   */
  balancedSchedule?: 'Required' | 'Preferred' | 'None';
  /**
   * Volumes of the Flink pods (through Flink's pod template).
   *
   * @maxItems 64
   */
  volumes?: {
    name: string;
    configMap?: {
      name: string;
      defaultMode?: number;
      optional?: boolean;
      items?: {
        key: string;
        path: string;
        mode?: number;
      }[];
    };
    secret?: {
      secretName: string;
      defaultMode?: number;
      optional?: boolean;
      items?: {
        key: string;
        path: string;
        mode?: number;
      }[];
    };
    emptyDir?: {
      medium?: string;
      /**
       * A Kubernetes quantity, e.g. 1Gi.
       */
      sizeLimit?: string;
    };
    persistentVolumeClaim?: {
      claimName: string;
      readOnly?: boolean;
    };
    hostPath?: {
      path: string;
      type?: string;
    };
  }[];
  /**
   * Mounts of the volumes into every Flink container.
   *
   * @maxItems 64
   */
  volumeMounts?: {
    name: string;
    mountPath: string;
    readOnly?: boolean;
    subPath?: string;
    subPathExpr?: string;
    mountPropagation?: 'None' | 'HostToContainer' | 'Bidirectional';
  }[];
  /**
   * Security settings.
   */
  security?: {
    /**
     * Kerberos login (security.kerberos.login.*).
     */
    kerberos?: {
      /**
       * Inline krb5.conf content (the operator puts it into a ConfigMap). Or use krb5ConfigMap.
       */
      krb5?: string;
      /**
       * ConfigMap holding krb5.conf.
       */
      krb5ConfigMap?: {
        name: string;
        key?: string;
      };
      /**
       * Login contexts (security.kerberos.login.contexts).
       */
      contexts?: 'Client' | 'KafkaClient' | 'Client,KafkaClient' | 'KafkaClient,Client';
      /**
       * Kerberos principal (security.kerberos.login.principal).
       */
      principal: string;
      /**
       * Deprecated, accepted for migration. Base64 keytab; the operator moves it into a Secret. Use keytabSecret.
       */
      base64Keytab?: string;
      /**
       * Secret holding the keytab.
       */
      keytabSecret?: {
        name: string;
        key?: string;
      };
      /**
       * security.kerberos.login.use-ticket-cache; when not given, Flink's default (true) applies. Without a keytab it must be set to true explicitly: a Flink pod has a ticket cache only if something else fills it.
       */
      useTicketCache?: boolean;
    };
  };
  /**
   * Run in application mode (flink run-application --target kubernetes-application) instead of a session.
   */
  applicationConfig?: {
    /**
     * The job jar inside the image, local:///path/to/job.jar.
     */
    jarPath: string;
    /**
     * Arguments of the job's main method.
     */
    args?: string[];
    /**
     * Default parallelism (parallelism.default); 0 keeps Flink's default.
     */
    parallelism?: number;
  };
}

/**
 * Observed state, written by the operator.
 */
export interface FlinkSessionStatus {
  phase?: 'Pending' | 'Deploying' | 'Running' | 'Redeploying' | 'Deleting' | 'Failed' | 'Finished';
  observedGeneration?: number;
  conditions?: {
    type: 'Ready' | 'Progressing' | 'Degraded';
    status: 'True' | 'False' | 'Unknown';
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }[];
  jobManager?: {
    deployment?: string;
    restService?: string;
    nodePort?: number;
  };
  workflow?: {
    id?: string;
    runId?: string;
    url?: string;
  };
  /**
   * The session's FlinkSessionJobs, as its workflow keeps them.
   */
  jobs?: {
    /**
     * FlinkSessionJobs that name this session (those being deleted included).
     */
    declared?: number;
    /**
     * Of them, the ones submitted to the running JobManager and not ended.
     */
    running?: number;
  };
  /**
   * What the last redeploy did with each job that ran on the session, and where it runs again.
   */
  carriedJobs?: {
    jobId: string;
    /**
     * The generation whose redeploy carried it.
     */
    generation?: number;
    /**
     * Flink's name of the job.
     */
    jobName?: string;
    /**
     * The FlinkSessionJob that declares it; none for a job submitted by hand.
     */
    sessionJob?: string;
    /**
     * savepoint (stopped with a savepoint), checkpoint (cancelled keeping its latest checkpoint), ha (left to Flink's HA recovery) or cancel.
     */
    action: 'savepoint' | 'checkpoint' | 'ha' | 'cancel';
    /**
     * The savepoint or checkpoint it was carried by (resubmit a job submitted by hand with flink run -s <path>).
     */
    path?: string;
    /**
     * Where the job is now, e.g. Stopped, Restored, Recovered, Resubmitted, NotRecovered.
     */
    outcome?: string;
    message?: string;
  }[];
  lastError?: string;
}

