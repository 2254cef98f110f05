// The per-session state machine: signal handlers only record here; the workflow's main loop asks it
// what to do next. Pure and deterministic (no Temporal APIs), so it is unit-tested on its own.
import type { FlinkSessionSpec } from '../model/flinksession.ts';
import type { CarriedState, DeleteRequest, JobManagerMissing, RedeployRequest, SessionPhase, SessionWorkflowStatus, SpecChanged } from './contract.ts';

export type NextWork =
  | { kind: 'delete'; uid: string; spec?: FlinkSessionSpec }
  | { kind: 'deploy'; change: SpecChanged; reasons: string[]; attempt: number }
  | { kind: 'check-drift'; change: SpecChanged; redeploy: boolean }
  | { kind: 'idle' };

export class SessionState {
  phase: SessionPhase = 'Pending';
  step: string | undefined;
  readonly namespace: string;
  readonly name: string;
  private readonly carried: CarriedState;

  constructor(namespace: string, name: string, carried?: CarriedState) {
    this.namespace = namespace;
    this.name = name;
    this.carried = carried ?? { forcedReasons: [], redeploys: 0, attempts: {} };
    if (this.carried.deployed) this.phase = 'Running';
  }

  get snapshot(): CarriedState {
    return structuredClone(this.carried);
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
    this.forceRedeploy(request?.reason ? `redeploy signal: ${request.reason}` : 'redeploy signal');
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

  onDelete(request: DeleteRequest): void {
    const desired = this.carried.desired;
    const spec = desired?.uid === request.uid ? desired.spec : request.spec;
    const target = { uid: request.uid, ...(spec ? { spec } : {}) };
    if (!this.carried.deleting) this.carried.deleting = target;
    else if (this.carried.deleting.uid !== request.uid) this.carried.deleteNext = target;
  }

  /**
   * After a delete: what a new run must carry on with, when the object was re-created (new uid) while
   * the old one was being deleted: its spec, and its own delete if that came too.
   */
  afterDelete(): CarriedState | undefined {
    const { desired, deleting, deleteNext } = this.carried;
    const recreated = desired && deleting && desired.uid !== deleting.uid ? desired : undefined;
    if (!recreated && !deleteNext) return undefined;
    return { forcedReasons: [], redeploys: 0, attempts: {}, ...(recreated ? { desired: recreated } : {}), ...(deleteNext ? { deleting: deleteNext } : {}) };
  }

  hasWork(): boolean {
    return this.next().kind !== 'idle';
  }

  next(): NextWork {
    const c = this.carried;
    if (c.deleting) return { kind: 'delete', uid: c.deleting.uid, spec: c.deleting.spec };
    const desired = c.desired;
    if (c.driftRedeploy !== undefined && desired) return { kind: 'check-drift', change: desired, redeploy: c.driftRedeploy };
    if (!desired || desired.generation === c.refusedGeneration && c.forcedReasons.length === 0) return { kind: 'idle' };
    const deployed = c.deployed;
    const reasons: string[] = [];
    if (!deployed || deployed.uid !== desired.uid) reasons.push(`generation ${desired.generation} is not deployed yet`);
    else if (deployed.generation < desired.generation) reasons.push(`spec changed: generation ${deployed.generation} → ${desired.generation}`);
    else if (desired.redeployToken !== undefined && desired.redeployToken !== deployed.redeployToken) reasons.push(`redeploy annotation set to "${desired.redeployToken}"`);
    reasons.push(...c.forcedReasons);
    if (reasons.length === 0) return { kind: 'idle' };
    const attempt = c.attempts[attemptKey(desired)] ?? 0;
    return { kind: 'deploy', change: desired, reasons, attempt };
  }

  /** A launch was submitted for this change: the next launch of the same generation gets a new Job name. */
  launched(change: SpecChanged): void {
    const key = attemptKey(change);
    this.carried.attempts[key] = (this.carried.attempts[key] ?? 0) + 1;
  }

  deployed(change: SpecChanged, attempt: number): void {
    this.carried.deployed = { uid: change.uid, generation: change.generation, attempt, redeployToken: change.redeployToken };
    this.carried.forcedReasons = [];
    this.carried.redeploys += 1;
    this.carried.lastError = undefined;
    this.carried.refusedGeneration = undefined;
  }

  /** The spec was refused (or the launch failed): wait for a newer generation or a redeploy signal. */
  refused(change: SpecChanged, error: string): void {
    this.carried.refusedGeneration = change.generation;
    this.carried.forcedReasons = [];
    this.carried.lastError = error;
  }

  /** Whether the session currently has a JobManager the operator deployed (for status after a refusal). */
  get running(): boolean {
    return this.carried.deployed !== undefined && this.carried.deployed.uid === this.carried.desired?.uid;
  }

  status(): SessionWorkflowStatus {
    const c = this.carried;
    return {
      namespace: this.namespace,
      name: this.name,
      uid: c.desired?.uid,
      phase: this.phase,
      step: this.step,
      desiredGeneration: c.desired?.generation,
      deployedGeneration: c.deployed?.generation,
      redeploys: c.redeploys,
      lastError: c.lastError,
    };
  }
}

const attemptKey = (change: SpecChanged): string => `${change.uid}/${change.generation}`;
