// The per-session state machine: signal handlers only record here; the workflow's main loop asks it
// what to do next and tells it what happened (began deploy, deployed, refused, failed, drift reported,
// began delete), and the state machine alone sets the phase. Pure and deterministic (no Temporal APIs,
// nothing the workflow sandbox lacks), so it is unit-tested on its own.
import type { FlinkSessionSpec } from '../model/flinksession.ts';
import { sameData } from '../model/same-data.ts';
import type {
  ApproveRequest,
  CarriedState,
  DeleteRequest,
  DeleteTarget,
  JobManagerMissing,
  RedeployRequest,
  SessionPhase,
  SessionWorkflowStatus,
  SpecChanged,
} from './contract.ts';

export type NextWork =
  | { kind: 'delete'; target: DeleteTarget }
  /** `forced`: a redeploy signal or a new annotation value asks for it (so a running cluster is not adopted). */
  /** `withoutFailedSavepoints`: the redeploy signal said force (a job whose savepoint fails is cancelled, not a reason to hold). */
  | { kind: 'deploy'; change: SpecChanged; reasons: string[]; attempt: number; forced: boolean; withoutFailedSavepoints: boolean }
  | { kind: 'check-drift'; change: SpecChanged; redeploy: boolean }
  | { kind: 'idle' };

const EMPTY: CarriedState = { forcedReasons: [], redeploys: 0, attempts: {} };

/**
 * A deep copy of plain data. Not `structuredClone`: Temporal's workflow sandbox does not provide it
 * (sdk-typescript #1663), and a continue-as-new that throws fails its workflow task for ever.
 */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class SessionState {
  step: string | undefined;
  readonly namespace: string;
  readonly name: string;
  private readonly carried: CarriedState;
  private leftBehind: string[] = [];

  constructor(namespace: string, name: string, carried?: CarriedState) {
    this.namespace = namespace;
    this.name = name;
    this.carried = carried ? copy(carried) : copy(EMPTY);
    this.carried.phase ??= this.carried.deployed ? 'Running' : 'Pending';
  }

  get phase(): SessionPhase {
    return this.carried.phase ?? 'Pending';
  }

  /** What the next run carries on with (continue-as-new). */
  get snapshot(): CarriedState {
    return copy(this.carried);
  }

  /** The tag of this chain's launch Jobs: set once from the first run's id, then carried. */
  launchTag(firstRunId: string): string {
    this.carried.launchTag ??= firstRunId
      .replace(/[^a-z0-9]/gi, '')
      .slice(-6)
      .toLowerCase();
    return this.carried.launchTag;
  }

  /** Newest generation wins; a repeat of what is known (a second watcher, a relist) changes nothing. */
  onSpecChanged(change: SpecChanged): void {
    const known = this.carried.desired;
    if (known && known.uid === change.uid) {
      if (change.generation < known.generation) return;
      if (change.generation === known.generation && change.redeployToken === known.redeployToken) return;
    }
    if (this.carried.deleting?.uid === change.uid) return; // a deleting object's late update
    // A new uid is a re-created object: it is kept for after the delete of the old one.
    this.carried.desired = change;
  }

  onRedeploy(request: RedeployRequest | undefined): void {
    if (request?.token !== undefined) {
      if (request.token === this.carried.forceToken) return;
      this.carried.forceToken = request.token;
    }
    const forced = request?.force === true ? ' (force: without the savepoints that fail)' : '';
    this.forceRedeploy(request?.reason ? `redeploy signal${forced}: ${request.reason}` : `redeploy signal${forced}`);
    if (request?.force === true) this.carried.withoutFailedSavepoints = true;
  }

  /** An approval counts for the generation waiting now (or the one it names); a later edit needs its own. */
  onApprove(request: ApproveRequest | undefined): void {
    const desired = this.carried.desired;
    if (!desired || (request?.generation !== undefined && request.generation !== desired.generation)) return;
    // Nothing to approve (what is desired is deployed already): an approval resent after a watcher restart is not kept for later.
    if (this.next().kind !== 'deploy') return;
    this.carried.approved = {
      generation: desired.generation,
      ...(desired.redeployToken !== undefined ? { redeployToken: desired.redeployToken } : {}),
      ...(request?.by ? { by: request.by } : {}),
    };
  }

  /** Whether `change` (the redeploy waiting) was approved; who approved it. */
  approvalOf(change: SpecChanged): { by?: string } | undefined {
    const approved = this.carried.approved;
    return approved && approved.generation === change.generation && approved.redeployToken === change.redeployToken
      ? { ...(approved.by ? { by: approved.by } : {}) }
      : undefined;
  }

  /** Something newer than `change` waits (a later edit, a delete): a deploy waiting for approval gives way to it. */
  supersedes(change: SpecChanged): boolean {
    const desired = this.carried.desired;
    return (
      this.carried.deleting !== undefined ||
      desired === undefined ||
      desired.uid !== change.uid ||
      desired.generation !== change.generation ||
      desired.redeployToken !== change.redeployToken
    );
  }

  forceRedeploy(reason: string): void {
    this.carried.forcedReasons.push(reason);
  }

  /** Only a deployed session can drift; the main loop checks whether the JobManager is really gone. */
  onJobManagerMissing(report: JobManagerMissing): void {
    if (this.carried.deployed) this.carried.driftRedeploy = report.redeploy || (this.carried.driftRedeploy ?? false);
  }

  driftChecked(): void {
    this.carried.driftRedeploy = undefined;
  }

  /**
   * The deployed JobManager is gone behind the operator's back. Redeploying: the session stays Running
   * until the redeploy says otherwise; only reporting: it is Failed (not running), for kubectl and the
   * status query alike, until a redeploy.
   */
  driftReported(redeploy: boolean): SessionPhase {
    if (redeploy) {
      this.forceRedeploy('the JobManager Deployment was deleted outside the operator');
      this.carried.jobManagerGone = true;
    } else {
      this.carried.jobManagerMissing = true;
      this.carried.phase = 'Failed';
    }
    return this.phase;
  }

  /** In application mode Flink removes the JobManager when the application ends: Finished, not relaunched. */
  applicationEnded(): SessionPhase {
    this.carried.jobManagerMissing = true;
    this.carried.phase = 'Finished';
    return this.phase;
  }

  onDelete(request: DeleteRequest): void {
    const desired = this.carried.desired;
    const spec = desired?.uid === request.uid ? desired.spec : request.spec;
    const target: DeleteTarget = {
      uid: request.uid,
      // A delete signal without a generation (sent by hand, or by a watcher from before it carried one): the generation this run knows of that object.
      generation: (request.generation as number | undefined) ?? (desired?.uid === request.uid ? desired.generation : 0),
      ...(spec ? { spec } : {}),
      ...(request.skipCleanup ? { skipCleanup: true } : {}),
    };
    const deleting = this.carried.deleting;
    if (!deleting) this.carried.deleting = target;
    else if (deleting.uid === request.uid) deleting.skipCleanup = deleting.skipCleanup === true || target.skipCleanup === true;
    else this.carried.deleteNext = target;
  }

  /**
   * The API server does not confirm the change about to be deployed (a forged or stale signal): what it
   * holds (`current`) replaces it; with nothing there, what was deployed stays what is desired.
   */
  distrusted(change: SpecChanged, current: SpecChanged | undefined): void {
    const c = this.carried;
    c.forcedReasons = [];
    const same =
      current !== undefined && current.uid === change.uid && current.generation === change.generation && current.redeployToken === change.redeployToken;
    if (current && !same) {
      c.desired = current;
      return;
    }
    const deployed = c.deployed;
    c.desired = deployed?.spec
      ? {
          uid: deployed.uid,
          generation: deployed.generation,
          spec: copy(deployed.spec),
          ...(deployed.redeployToken !== undefined ? { redeployToken: deployed.redeployToken } : {}),
        }
      : undefined;
  }

  /** The API server does not confirm the delete (the object is not being deleted, or is another one): nothing is deleted. */
  deleteRefused(): void {
    this.carried.deleting = this.carried.deleteNext;
    this.carried.deleteNext = undefined;
  }

  /** Nothing to look after: no spec wanted, nothing deployed, no delete (a run started by an unconfirmed signal). */
  get empty(): boolean {
    const c = this.carried;
    return c.desired === undefined && c.deployed === undefined && c.deleting === undefined;
  }

  /** A delete is waiting (it cancels a deploy that is running). */
  get deleteRequested(): boolean {
    return this.carried.deleting !== undefined;
  }

  /** The skip-clean-up annotation reached the delete being run. */
  get skipCleanup(): boolean {
    return this.carried.deleting?.skipCleanup === true;
  }

  beganDelete(): SessionPhase {
    this.carried.phase = 'Deleting';
    this.leftBehind = [];
    return this.phase;
  }

  /**
   * A bounded clean-up step (of a delete, or of a redeploy's moved-away state) gave up: what it leaves behind and why, for the status query and the
   * Warning Event.
   */
  leftBehindByCleanup(what: string): void {
    this.leftBehind.push(what);
  }

  /**
   * After a delete: what a new run must carry on with, when the object was re-created (new uid) while
   * the old one was being deleted: its spec, and its own delete if that came too.
   */
  afterDelete(): CarriedState | undefined {
    const { desired, deleting, deleteNext, launchTag } = this.carried;
    const recreated = desired && deleting && desired.uid !== deleting.uid ? desired : undefined;
    if (!recreated && !deleteNext) return undefined;
    return {
      ...copy(EMPTY),
      ...(launchTag ? { launchTag } : {}),
      ...(recreated ? { desired: copy(recreated) } : {}),
      ...(deleteNext ? { deleting: copy(deleteNext) } : {}),
    };
  }

  hasWork(): boolean {
    return this.next().kind !== 'idle';
  }

  next(): NextWork {
    const c = this.carried;
    if (c.deleting) return { kind: 'delete', target: c.deleting };
    const desired = c.desired;
    if (c.driftRedeploy !== undefined && desired) return { kind: 'check-drift', change: desired, redeploy: c.driftRedeploy };
    if (!desired || (this.isRefused(desired) && c.forcedReasons.length === 0)) return { kind: 'idle' };
    const deployed = c.deployed;
    const reasons: string[] = [];
    if (!deployed || deployed.uid !== desired.uid) reasons.push(`generation ${desired.generation} is not deployed yet`);
    else if (deployed.generation < desired.generation) reasons.push(`spec changed: generation ${deployed.generation} → ${desired.generation}`);
    else if (desired.redeployToken !== undefined && desired.redeployToken !== deployed.redeployToken)
      reasons.push(`redeploy annotation set to "${desired.redeployToken}"`);
    else if (c.refused && c.refused.generation === desired.generation && desired.redeployToken !== c.refused.redeployToken) {
      reasons.push(`redeploy annotation set to "${desired.redeployToken ?? ''}"`);
    }
    const annotated = desired.redeployToken !== undefined && desired.redeployToken !== (deployed?.uid === desired.uid ? deployed.redeployToken : undefined);
    reasons.push(...c.forcedReasons);
    if (reasons.length === 0) return { kind: 'idle' };
    const attempt = c.attempts[attemptKey(desired)] ?? 0;
    return {
      kind: 'deploy',
      change: desired,
      reasons,
      attempt,
      forced: c.forcedReasons.length > 0 || (annotated && deployed !== undefined),
      withoutFailedSavepoints: c.withoutFailedSavepoints === true,
    };
  }

  /** The same generation with the same redeploy annotation value was refused (or failed) already. */
  private isRefused(desired: SpecChanged): boolean {
    const refused = this.carried.refused;
    return refused !== undefined && refused.generation === desired.generation && refused.redeployToken === desired.redeployToken;
  }

  /** A (re)deploy of `change` begins: Redeploying when a JobManager is there to replace, else Deploying. */
  beganDeploy(redeploying: boolean): SessionPhase {
    this.carried.phase = redeploying ? 'Redeploying' : 'Deploying';
    this.leftBehind = [];
    return this.phase;
  }

  /** A launch was submitted for this change: the next launch of the same generation gets a new Job name. */
  launched(change: SpecChanged): void {
    const key = attemptKey(change);
    this.carried.attempts[key] = (this.carried.attempts[key] ?? 0) + 1;
  }

  deployed(change: SpecChanged, attempt: number): SessionPhase {
    this.carried.deployed = {
      uid: change.uid,
      generation: change.generation,
      attempt,
      spec: copy(change.spec),
      ...(change.redeployToken !== undefined ? { redeployToken: change.redeployToken } : {}),
    };
    this.carried.forcedReasons = [];
    this.carried.withoutFailedSavepoints = undefined;
    this.carried.approved = undefined;
    this.carried.jobManagerGone = undefined;
    this.carried.redeploys += 1;
    this.carried.lastError = undefined;
    this.carried.refused = undefined;
    this.carried.jobManagerMissing = undefined;
    this.carried.phase = 'Running';
    return this.phase;
  }

  /**
   * `change` asks for the very spec the running JobManager was deployed with (an edit put back, a refused
   * one undone), and for no new redeploy annotation value: there is nothing to redeploy.
   */
  runsAlready(change: SpecChanged): boolean {
    const deployed = this.carried.deployed;
    return (
      this.running &&
      !this.jobManagerGone &&
      deployed?.uid === change.uid &&
      deployed.generation < change.generation &&
      deployed.spec !== undefined &&
      sameData(deployed.spec, change.spec) &&
      deployed.redeployToken === change.redeployToken
    );
  }

  /**
   * The running JobManager is `change`'s too (runsAlready): the generation counts as deployed, with its
   * launch and its JobManager the ones that run (no deploy is counted: the jobs on it stay where they are).
   */
  keptRunning(change: SpecChanged): SessionPhase {
    const deployed = this.carried.deployed!;
    this.carried.deployed = { ...deployed, generation: change.generation, spec: copy(change.spec) };
    this.carried.approved = undefined;
    this.carried.lastError = undefined;
    this.carried.refused = undefined;
    this.carried.phase = 'Running';
    return this.phase;
  }

  /** The generation that ran before `change` (what a rollback relaunches), with the attempt its next launch takes. */
  rollbackTarget(change: SpecChanged): { change: SpecChanged; attempt: number } | undefined {
    const deployed = this.carried.deployed;
    if (!deployed?.spec || deployed.uid !== change.uid || deployed.generation === change.generation) return undefined;
    const previous: SpecChanged = {
      uid: deployed.uid,
      generation: deployed.generation,
      spec: copy(deployed.spec),
      ...(deployed.redeployToken !== undefined ? { redeployToken: deployed.redeployToken } : {}),
    };
    return { change: previous, attempt: this.carried.attempts[attemptKey(previous)] ?? 0 };
  }

  /** A redeploy rolls back to `rollbackTarget` (its new generation did not come up, or its jobs did not run there). */
  beganRollback(): SessionPhase {
    this.carried.phase = 'Redeploying';
    return this.phase;
  }

  /**
   * `change` did not come up, or its jobs did not run on it, and `back`, the generation that ran before
   * it, runs again (a rollback): that one is deployed on a new JobManager (its jobs were carried by this
   * deploy's count); `change` is not retried until the spec changes, the annotation gets a new value, or
   * a redeploy signal.
   */
  rolledBack(change: SpecChanged, back: { change: SpecChanged; attempt: number }, error: string): SessionPhase {
    this.deployed(back.change, back.attempt);
    this.markRefused(change, error);
    return this.phase;
  }

  /**
   * The spec was refused before anything was touched: wait for a newer generation or a redeploy. A
   * running JobManager is kept, so the phase stays Running; with none, it is Failed.
   */
  refused(change: SpecChanged, error: string): SessionPhase {
    this.markRefused(change, error);
    this.carried.phase = this.running ? 'Running' : 'Failed';
    return this.phase;
  }

  /** The deploy failed after it had begun (launch failed, readiness deadline): Failed until something changes. */
  failed(change: SpecChanged, error: string): SessionPhase {
    this.markRefused(change, error);
    this.carried.phase = 'Failed';
    return this.phase;
  }

  private markRefused(change: SpecChanged, error: string): void {
    this.carried.refused = { generation: change.generation, ...(change.redeployToken !== undefined ? { redeployToken: change.redeployToken } : {}) };
    this.carried.forcedReasons = [];
    this.carried.withoutFailedSavepoints = undefined;
    this.carried.approved = undefined;
    this.carried.lastError = error;
  }

  /** Whether the session has a JobManager the operator deployed and that is still there (status after a refusal). */
  get running(): boolean {
    const deployed = this.carried.deployed;
    return (
      deployed !== undefined &&
      deployed.uid === this.carried.desired?.uid &&
      this.carried.jobManagerMissing !== true &&
      this.phase !== 'Failed' &&
      this.phase !== 'Finished'
    );
  }

  /** The spec of what runs for this object: what a clean-up must clean, rather than a newer spec's locations. */
  deployedSpec(uid: string): FlinkSessionSpec | undefined {
    const deployed = this.carried.deployed;
    return deployed?.uid === uid ? deployed.spec : undefined;
  }

  /** What runs now, when the session is Running with nothing to do to it (its jobs may be submitted then). */
  get runningDeployment(): { uid: string; generation: number; spec: FlinkSessionSpec } | undefined {
    const deployed = this.carried.deployed;
    if (!this.running || this.phase !== 'Running' || this.carried.deleting || !deployed?.spec) return undefined;
    return { uid: deployed.uid, generation: deployed.generation, spec: deployed.spec };
  }

  /** Counts deploys (carried): a job submitted before the latest one went with the JobManager it replaced. */
  get deploys(): number {
    return this.carried.redeploys;
  }

  /** The deployed JobManager is known to be gone (deleted outside the operator): a redeploy has no jobs on it to carry. */
  get jobManagerGone(): boolean {
    return this.carried.jobManagerGone === true;
  }

  /** Whether this chain of runs has ever deployed (a new chain checks whether it can adopt a running cluster). */
  get hasDeployed(): boolean {
    return this.carried.deployed !== undefined;
  }

  status(): SessionWorkflowStatus {
    const c = this.carried;
    return {
      namespace: this.namespace,
      name: this.name,
      uid: c.desired?.uid ?? c.deleting?.uid,
      phase: this.phase,
      step: this.step,
      desiredGeneration: c.desired?.generation,
      deployedGeneration: c.deployed?.generation,
      redeploys: c.redeploys,
      lastError: c.lastError,
      ...(this.leftBehind.length > 0 ? { leftBehind: [...this.leftBehind] } : {}),
    };
  }
}

const attemptKey = (change: SpecChanged): string => `${change.uid}/${change.generation}`;
