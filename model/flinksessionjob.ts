// The FlinkSessionJob model (pure, no I/O): the checks the worker makes before it submits (those the
// CRD's schema cannot make, because they need the session), the request Flink's REST runs the jar
// with, and the job's status with Ready / Progressing / Degraded conditions. The workflow imports it,
// so it uses nothing the workflow sandbox lacks (the job id, which needs a hash, is in flink-job-id.ts).
import { conditionMaker } from './conditions.ts';
import type { FlinkSessionJobSpec, FlinkSessionJobStatus } from './flinksessionjob.generated.ts';
import type { FlinkSessionSpec } from './flinksession.ts';
import type { ResourceMetadata } from './resource-metadata.ts';

export type { FlinkSessionJobSpec, FlinkSessionJobStatus };

export interface FlinkSessionJob {
  apiVersion: string;
  kind: string;
  metadata: ResourceMetadata;
  spec: FlinkSessionJobSpec;
  status?: FlinkSessionJobStatus;
}

/** One version of a FlinkSessionJob. */
export interface JobRef {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
}

/** `s3://bucket/key` → its parts; undefined when the URL is not one. */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

/** Where a session's savepoints go (SPEC: s3://<bucket>/<session>/flink/savepoints/, never purged by autoClean). */
export const savepointDirectory = (bucket: string, session: string): string => `s3://${bucket}/${session}/flink/savepoints/`;

/** How the job is taken off Flink: with a savepoint (savepoint, last-state) or cancelled (stateless). */
export const stopsWithSavepoint = (spec: FlinkSessionJobSpec): boolean => (spec.upgradeMode ?? 'savepoint') !== 'stateless';

/** Why a running job is taken off Flink: a change of it, its delete, or `state: suspended`. */
export type StopReason = 'upgrade' | 'delete' | 'suspend';

/**
 * How a running job is taken off Flink, and where its next run starts:
 * - `savepoint`: stop with a savepoint (POST /jobs/:id/stop), restore from it;
 * - `checkpoint`: cancel it and restore from its latest retained checkpoint (last-state, for a change:
 *   no savepoint to wait for; the job is submitted with its checkpoints retained on cancellation);
 * - `cancel`: cancel it, start afresh (stateless).
 * A delete or a suspend of a last-state job takes a savepoint: a person may resubmit from it later,
 * when its checkpoints may be gone.
 */
export function stopKind(spec: FlinkSessionJobSpec, why: StopReason, running: { retainsCheckpoints?: boolean } = {}): 'savepoint' | 'checkpoint' | 'cancel' {
  const mode = spec.upgradeMode ?? 'savepoint';
  if (mode === 'stateless') return 'cancel';
  // A job submitted without its checkpoints retained (say, by savepoint before this change to last-state)
  // would lose them with the cancel: it is stopped with a savepoint instead.
  return mode === 'last-state' && why === 'upgrade' && running.retainsCheckpoints === true ? 'checkpoint' : 'savepoint';
}

/** Whether Flink keeps the job's checkpoints when it is cancelled, as jarRunRequest submits it. */
export const retainsCheckpoints = (spec: FlinkSessionJobSpec): boolean =>
  (jarRunRequest(spec, '').flinkConfiguration?.[CHECKPOINT_RETENTION_OPTION] ?? '').toUpperCase() === 'RETAIN_ON_CANCELLATION';

/** Wanted suspended: stopped with a savepoint (or cancelled, stateless) and not submitted until running again. */
export const isSuspended = (spec: FlinkSessionJobSpec): boolean => spec.state === 'suspended';

/** Flink's option that keeps a job's externalized checkpoints when it is cancelled (the same key in 1.20 and 2.x). */
export const CHECKPOINT_RETENTION_OPTION = 'execution.checkpointing.externalized-checkpoint-retention';

/**
 * What keeps the job from being submitted to this session, each with what to do about it; empty when
 * it can go. The schema checked the job on its own (schemes, enums, minimums); these need the session.
 */
export function jobSpecProblems(job: FlinkSessionJobSpec, session: FlinkSessionSpec): string[] {
  const problems: string[] = [];
  if (session.applicationConfig) {
    problems.push(
      `session ${job.session} runs in application mode (spec.applicationConfig): it takes no other jobs; run this job on a session without applicationConfig`,
    );
  }
  if (job.jar.startsWith('s3://')) {
    if (!parseS3Url(job.jar)) problems.push(`jar ${job.jar} must be s3://bucket/key`);
    if (!session.s3)
      problems.push(
        `jar ${job.jar} is read with the S3 endpoint and credentials of session ${job.session}, which has no spec.s3: set it, or serve the jar over https://`,
      );
  } else if (!isHttpsUrl(job.jar)) {
    problems.push(`jar ${job.jar} must be an s3://bucket/key or https:// URL`);
  }
  if (stopsWithSavepoint(job) && !session.s3) {
    problems.push(
      `upgradeMode ${job.upgradeMode ?? 'savepoint'} stops the job with a savepoint into s3://<bucket>/${job.session}/flink/savepoints/, ` +
        `and session ${job.session} has no spec.s3: set it, or set upgradeMode: stateless`,
    );
  }
  return problems;
}

function isHttpsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The body of Flink's POST /jars/:jarid/run (JarRunRequestBody): the job as the spec asks, with its fixed id. */
export interface JarRunRequest {
  jobId: string;
  entryClass?: string;
  programArgsList?: string[];
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  flinkConfiguration?: Record<string, string>;
}

export function jarRunRequest(job: FlinkSessionJobSpec, jobId: string, restoreFrom?: string): JarRunRequest {
  const savepointPath = restoreFrom ?? job.initialSavepointPath;
  // last-state restores from the checkpoint a cancel leaves: Flink deletes it unless told to retain it.
  const flinkConfiguration =
    job.upgradeMode === 'last-state' ? { [CHECKPOINT_RETENTION_OPTION]: 'RETAIN_ON_CANCELLATION', ...job.flinkConfiguration } : job.flinkConfiguration;
  return {
    jobId,
    ...(job.entryClass ? { entryClass: job.entryClass } : {}),
    ...(job.args?.length ? { programArgsList: [...job.args] } : {}),
    ...(job.parallelism ? { parallelism: job.parallelism } : {}),
    ...(savepointPath ? { savepointPath } : {}),
    ...(savepointPath && job.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
    ...(flinkConfiguration && Object.keys(flinkConfiguration).length > 0 ? { flinkConfiguration: { ...flinkConfiguration } } : {}),
  };
}

/** Flink's job states that end a job (JobStatus.isGloballyTerminalState, and SUSPENDED). */
export const TERMINAL_JOB_STATES: readonly string[] = ['FINISHED', 'CANCELED', 'FAILED', 'SUSPENDED'];

type Condition = NonNullable<FlinkSessionJobStatus['conditions']>[number];

/** What the workflow observed about a job; jobStatus turns it into the status subresource. */
export interface JobStatusReport {
  generation: number;
  /** CamelCase, e.g. Submitting, Running, WaitingForSession, JarNotFound. */
  reason: string;
  message: string;
  /** The job runs as its spec asks (Ready condition). */
  ready: boolean;
  /** The operator is changing something about it (Progressing condition). */
  progressing: boolean;
  /** An error that needs a person (Degraded condition, lastError); undefined clears it. */
  error?: string;
  jobId?: string;
  jobState?: string;
  lastSavepoint?: FlinkSessionJobStatus['lastSavepoint'];
  rootCause?: string;
}

export function jobStatus(current: FlinkSessionJobStatus | undefined, report: JobStatusReport, now: string): FlinkSessionJobStatus {
  const condition = conditionMaker<Condition>(current?.conditions, report.generation, now);
  const jobId = report.jobId ?? current?.jobId;
  const jobState = report.jobState ?? current?.jobState;
  const lastSavepoint = report.lastSavepoint ?? current?.lastSavepoint;
  return {
    ...(jobId ? { jobId } : {}),
    ...(jobState ? { jobState } : {}),
    observedGeneration: report.generation,
    ...(lastSavepoint ? { lastSavepoint } : {}),
    conditions: [
      condition('Ready', report.ready, report.ready ? 'JobRunning' : report.reason, report.message),
      condition('Progressing', report.progressing, report.progressing ? report.reason : 'Idle', report.message),
      condition('Degraded', report.error !== undefined, report.error !== undefined ? report.reason : 'AsExpected', report.error ?? 'no error'),
    ],
    ...(report.rootCause ? { rootCause: report.rootCause } : {}),
    ...(report.error !== undefined ? { lastError: report.error } : {}),
  };
}

/** The root cause Flink reports (GET /jobs/:id/exceptions), cut to its first lines: the status is no log. */
export function rootCauseSummary(rootException: string | null | undefined, maxLines = 12): string | undefined {
  if (!rootException) return undefined;
  const lines = rootException.split('\n');
  return lines.length <= maxLines ? rootException : [...lines.slice(0, maxLines), `\t… ${lines.length - maxLines} more lines`].join('\n');
}
