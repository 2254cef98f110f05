// The Temporal contract of a FlinkSession (SPEC: Temporal contract): workflow id, signals, query and
// search attributes. The watcher, the workflow, the CLI and the tests all import it from here.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { FlinkSessionSpec, FlinkSessionStatus } from '../model/flinksession.ts';
import type { FlinkSessionJobSpec } from '../model/flinksessionjob.ts';
import type { CarryAction } from '../model/redeploy-jobs.ts';

export { TASK_QUEUE, workflowId } from '../model/names.ts';

/** The workflow type name, as the Temporal UI shows it. */
export const SESSION_WORKFLOW = 'flinkSessionWorkflow';

/**
 * The watcher saw a spec (first sight, a new generation, or a new redeploy annotation value).
 * `spec` carries no secret values: the watcher replaces inline credentials by REDACTED.
 */
export interface SpecChanged {
  uid: string;
  generation: number;
  spec: FlinkSessionSpec;
  /** Value of the redeploy annotation; a new value forces a redeploy of the same generation. */
  redeployToken?: string;
}

export interface RedeployRequest {
  reason?: string;
  /**
   * Go on with a redeploy that a job's savepoint held: a job whose savepoint fails is cancelled instead
   * (a FlinkSessionJob then restarts from its latest retained checkpoint, if it retains them on
   * cancellation and autoClean does not purge them, else afresh).
   */
  force?: boolean;
  /**
   * The force-redeploy annotation's value that asked for it: a request with the token last acted on is
   * ignored (the watcher sends it again after a restart).
   */
  token?: string;
}

/** Carries the spec too, so a workflow that starts with the delete (nothing ran before) can clean up. */
export interface DeleteRequest {
  uid: string;
  /** The object's metadata.generation when the watcher saw it deleted. */
  generation: number;
  spec?: FlinkSessionSpec;
  /**
   * The object carries the skip-clean-up annotation: release the finalizer now, whatever clean-up is
   * still running or left (the Warning Event names what was left behind).
   */
  skipCleanup?: boolean;
}

/** The watcher saw Flink's JobManager Deployment deleted by someone else (drift). */
export interface JobManagerMissing {
  deployment: string;
  /** The watcher's drift policy: redeploy, or only report. */
  redeploy: boolean;
}

/**
 * The watcher saw a FlinkSessionJob of this session (first sight or a new generation). Its spec names
 * no secret (a jar is read with the session's credentials). Idempotent by uid and generation.
 */
export interface JobChanged {
  name: string;
  uid: string;
  generation: number;
  spec: FlinkSessionJobSpec;
}

/** The watcher saw a FlinkSessionJob of this session being deleted (deletionTimestamp set) or gone. */
export interface JobDeleted {
  name: string;
  uid: string;
}

export const specChangedSignal = defineSignal<[SpecChanged]>('specChanged');
export const jobChangedSignal = defineSignal<[JobChanged]>('jobChanged');
export const jobDeletedSignal = defineSignal<[JobDeleted]>('jobDeleted');
export const jobManagerMissingSignal = defineSignal<[JobManagerMissing]>('jobManagerMissing');
export const redeploySignal = defineSignal<[RedeployRequest?]>('redeploy');
export const deleteSignal = defineSignal<[DeleteRequest]>('delete');

/**
 * A person approves the redeploy a session with `spec.approval: manual` waits on (AwaitingApproval);
 * `generation`, when given, must be the generation waiting (an approval of an older plan is ignored).
 */
export interface ApproveRequest {
  generation?: number;
  by?: string;
}
export const approveSignal = defineSignal<[ApproveRequest?]>('approve');

export type SessionPhase = NonNullable<FlinkSessionStatus['phase']>;

/** What `temporal workflow query --name status` answers. */
export interface SessionWorkflowStatus {
  namespace: string;
  name: string;
  uid?: string;
  phase: SessionPhase;
  /** The step being run now, e.g. "delete JobManager deployment". */
  step?: string;
  desiredGeneration?: number;
  deployedGeneration?: number;
  redeploys: number;
  lastError?: string;
  /** While a step is retried or a clean-up gave up: what was left behind (a delete's report). */
  leftBehind?: string[];
}

export const statusQuery = defineQuery<SessionWorkflowStatus>('status');

export { REDACTED } from '../model/redact.ts';

export const SEARCH_ATTRIBUTES = {
  namespace: defineSearchAttributeKey('FlinkSessionNamespace', SearchAttributeType.KEYWORD),
  name: defineSearchAttributeKey('FlinkSessionName', SearchAttributeType.KEYWORD),
  generation: defineSearchAttributeKey('FlinkSessionGeneration', SearchAttributeType.INT),
} as const;

/** Input of the workflow (also what continue-as-new carries over). */
export interface SessionWorkflowInput {
  namespace: string;
  name: string;
  /** State carried across continue-as-new. */
  carried?: CarriedState;
}

/** What a delete works on: the object (its uid and spec, for the clean-up) and whether to skip clean-up. */
export interface DeleteTarget {
  uid: string;
  generation: number;
  spec?: FlinkSessionSpec;
  skipCleanup?: boolean;
}

/** What was deployed, as the workflow knows it: the generation and the spec it ran with. */
export interface DeployedGeneration {
  uid: string;
  generation: number;
  attempt: number;
  redeployToken?: string;
  /** The spec it was launched with: a clean-up cleans the locations this spec used (not a newer one's). */
  spec?: FlinkSessionSpec;
}

export interface CarriedState {
  /** The phase the session is in: carried, so a new run reports what the last one left. */
  phase?: SessionPhase;
  desired?: SpecChanged;
  deployed?: DeployedGeneration;
  /** The deployed JobManager was found missing and not redeployed (drift policy report). */
  jobManagerMissing?: boolean;
  forcedReasons: string[];
  /** The object being deleted, once a delete arrived. */
  deleting?: DeleteTarget;
  /** A delete of the re-created object that arrived while the old one was still being deleted. */
  deleteNext?: DeleteTarget;
  redeploys: number;
  /** Launch attempts per uid/generation, so every launch Job name is new. */
  attempts: Record<string, number>;
  /**
   * Tells this chain of runs' launch Jobs from an earlier chain's (a run terminated by hand, a
   * re-created Temporal namespace): set once, from the first run's id, and carried.
   */
  launchTag?: string;
  /**
   * A generation whose spec was refused or whose launch failed (with the redeploy annotation value it
   * had): not retried until the spec changes, the annotation gets a new value, or a redeploy signal.
   */
  refused?: { generation: number; redeployToken?: string };
  /** spec.approval manual: the generation (and redeploy annotation value) an approve signal let go on. */
  approved?: { generation: number; redeployToken?: string; by?: string };
  /** A drift check found the deployed JobManager Deployment gone, and a redeploy replaces it: nothing of it to carry. */
  jobManagerGone?: boolean;
  /** The redeploy signal said force: the next redeploy cancels a job whose savepoint fails instead of holding. */
  withoutFailedSavepoints?: boolean;
  /** The force-redeploy annotation value last acted on (RedeployRequest.token). */
  forceToken?: string;
  /** A drift report to check: whether to redeploy if the JobManager is really gone. */
  driftRedeploy?: boolean;
  lastError?: string;
  /** The session's FlinkSessionJobs: what is wanted and what was submitted (workflows/session-jobs-state.ts). */
  jobs?: CarriedJobs;
}

/** A FlinkSessionJob as the workflow wants it. */
export interface DesiredJob {
  uid: string;
  generation: number;
  spec: FlinkSessionJobSpec;
  /** A delete arrived (a jobDeleted signal): stop the job in Flink, then release the finalizer. */
  deleting?: boolean;
}

/** A submission that reached Flink: the generation submitted and its Flink job id. */
export interface SubmittedJob {
  uid: string;
  generation: number;
  jobId: string;
  /** Submitted with its checkpoints retained on cancellation (last-state): a change may cancel it and restore from its latest checkpoint. */
  retainsCheckpoints?: boolean;
  /** The session's deploy count when it was submitted: a later deploy replaced that JobManager (and, without HA, lost the job). */
  sessionDeploy: number;
}

export interface CarriedJobs {
  desired: Record<string, DesiredJob>;
  submitted: Record<string, SubmittedJob>;
  /** A generation that was refused or failed (uid/generation): not retried until the job changes. */
  refused: Record<string, string>;
  /** A job told it waits for its session (uid/generation), so that is said once. */
  waitingReported: Record<string, string>;
  /** A job told it is suspended (uid/generation), so that is said once. */
  suspendedReported?: Record<string, string>;
  /**
   * Where a job's next submission restores from: the savepoint its suspend took, or the savepoint or
   * checkpoint a session redeploy carried it by (by uid, so a re-created object starts afresh).
   */
  restoreFrom?: Record<string, { uid: string; path: string }>;
  /** What the session's latest redeploy did with each job that ran on it (status.carriedJobs), until the next one. */
  carriedAcross?: CarriedAcross[];
}

/** A job the session's latest redeploy carried (model/redeploy-jobs.ts JobCarry, and what became of it). */
export interface CarriedAcross {
  jobId: string;
  /** The generation whose redeploy carried it. */
  generation: number;
  jobName: string;
  /** The FlinkSessionJob that declares it (and its uid); none for a job submitted by hand. */
  sessionJob?: string;
  sessionJobUid?: string;
  action: CarryAction;
  /** The savepoint or checkpoint it was carried by. */
  path?: string;
  /** Stopped, Cancelled, LeftToHa before the launch; Recovered, Restored, Resubmitted, NotRecovered, NotRestored after. */
  outcome: string;
  message: string;
}
