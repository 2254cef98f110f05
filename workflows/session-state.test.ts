import { describe, expect, it } from 'vitest';
import type { DeleteRequest, SpecChanged } from './contract.ts';
import { SessionState } from './session-state.ts';

const change = (generation: number, extra: Partial<SpecChanged> = {}): SpecChanged => ({
  uid: 'u1',
  generation,
  spec: { image: `flink:${generation}` },
  ...extra,
});

describe('SessionState', () => {
  it('deploys the first spec it sees, then is idle', () => {
    const state = new SessionState('ns', 'demo');
    expect(state.next()).toEqual({ kind: 'idle' });
    state.onSpecChanged(change(1));
    const work = state.next();
    expect(work).toMatchObject({ kind: 'deploy', change: { generation: 1 }, attempt: 0 });
    state.launched(change(1));
    state.deployed(change(1), 0);
    expect(state.next()).toEqual({ kind: 'idle' });
    expect(state.running).toBe(true);
  });

  it('coalesces edits: the newest generation wins, older and repeated ones change nothing', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.deployed(change(1), 0);
    for (const generation of [2, 5, 3, 4, 5]) state.onSpecChanged(change(generation));
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 5 }, reasons: ['spec changed: generation 1 → 5'] });
  });

  it('a repeat of the deployed spec (a second watcher, a relist) is no work', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.deployed(change(1), 0);
    state.onSpecChanged(change(1));
    expect(state.next()).toEqual({ kind: 'idle' });
  });

  it.each([
    ['the redeploy signal', (s: SessionState) => s.onRedeploy({ reason: 'stuck' }), 'redeploy signal: stuck'],
    ['a new redeploy annotation value', (s: SessionState) => s.onSpecChanged(change(1, { redeployToken: 'now' })), 'redeploy annotation set to "now"'],
  ])('%s redeploys the same generation with a new launch attempt', (_case, force, reason) => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.launched(change(1));
    state.deployed(change(1), 0);
    force(state);
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 1 }, attempt: 1, reasons: [reason] });
  });

  it('an edit put back to the spec that runs (a refused one undone) needs no redeploy: the generation is kept running', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.launched(change(1));
    state.deployed(change(1), 0);
    state.onSpecChanged(change(2, { spec: { image: 'flink:1', sa: 'Flink' } }));
    state.refused(change(2, { spec: { image: 'flink:1', sa: 'Flink' } }), 'spec.sa: refused');
    const undone = change(3, { spec: { image: 'flink:1' } });
    state.onSpecChanged(undone);
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 3 }, forced: false });
    expect(state.runsAlready(undone)).toBe(true);
    expect(state.keptRunning(undone)).toBe('Running');
    expect(state.next()).toEqual({ kind: 'idle' });
    expect(state.status()).toMatchObject({ deployedGeneration: 3, redeploys: 1, lastError: undefined });
    expect(state.rollbackTarget(change(4))).toMatchObject({ change: { generation: 3, spec: { image: 'flink:1' } }, attempt: 0 });
    // Anything else redeploys: another spec, a new annotation value, a JobManager that is gone, or nothing deployed yet.
    expect(state.runsAlready(change(4, { spec: { image: 'flink:1', sa: 'flink' } }))).toBe(false);
    expect(state.runsAlready(change(4, { spec: { image: 'flink:1' }, redeployToken: 'again' }))).toBe(false);
    expect(state.runsAlready(change(3, { spec: { image: 'flink:1' } }))).toBe(false);
    state.onJobManagerMissing({ deployment: 'demo', redeploy: false });
    state.driftReported(false);
    expect(state.runsAlready(change(4, { spec: { image: 'flink:1' } }))).toBe(false);
    const fresh = new SessionState('ns', 'demo');
    fresh.onSpecChanged(change(1));
    expect(fresh.runsAlready(change(1))).toBe(false);
  });

  it('does not retry a refused generation until the spec changes or a redeploy is asked for', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.deployed(change(1), 0);
    state.onSpecChanged(change(2));
    state.refused(change(2), 'bad memory');
    expect(state.next()).toEqual({ kind: 'idle' });
    expect(state.status().lastError).toBe('bad memory');
    expect(state.running).toBe(true);
    state.onSpecChanged(change(3));
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 3 } });
  });

  it('a delete wins over pending work and keeps the spec for the clean-up', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1, { spec: { image: 'f', autoClean: true } }));
    state.onDelete({ uid: 'u1', generation: 1 });
    expect(state.next()).toEqual({ kind: 'delete', target: { uid: 'u1', generation: 1, spec: { image: 'f', autoClean: true } } });
    state.onSpecChanged(change(2));
    expect(state.next()).toMatchObject({ kind: 'delete' });
  });

  it('a delete signal without a generation (a watcher from before deletes carried one) is about the generation this run knows of that object', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(3));
    state.onDelete({ uid: 'u1' } as DeleteRequest);
    expect(state.next()).toMatchObject({ kind: 'delete', target: { uid: 'u1', generation: 3 } });
  });

  it('after a plain delete there is nothing to carry on with', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.onDelete({ uid: 'u1', generation: 1 });
    expect(state.afterDelete()).toBeUndefined();
  });

  it('a delete that starts the workflow brings its own spec', () => {
    const state = new SessionState('ns', 'demo');
    state.onDelete({ uid: 'u9', generation: 4, spec: { image: 'f', autoClean: true } });
    expect(state.next()).toEqual({ kind: 'delete', target: { uid: 'u9', generation: 4, spec: { image: 'f', autoClean: true } } });
  });

  it('a recreated resource (new uid) starts clean', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(3));
    state.deployed(change(3), 0);
    state.onSpecChanged({ uid: 'u2', generation: 1, spec: { image: 'f' } });
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { uid: 'u2', generation: 1 }, attempt: 0, reasons: ['generation 1 is not deployed yet'] });
  });

  it('carries its state across continue-as-new', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(2));
    state.launched(change(2));
    state.deployed(change(2), 0);
    const next = new SessionState('ns', 'demo', state.snapshot);
    expect(next.next()).toEqual({ kind: 'idle' });
    expect(next.status()).toMatchObject({ phase: 'Running', deployedGeneration: 2, redeploys: 1 });
    next.onRedeploy(undefined);
    expect(next.next()).toMatchObject({ attempt: 1 });
  });

  it('a drift report is checked only for a deployed session, and a redeploy policy wins when reports disagree', () => {
    const state = new SessionState('ns', 'demo');
    state.onJobManagerMissing({ deployment: 'demo', redeploy: true });
    expect(state.next()).toEqual({ kind: 'idle' });
    state.onSpecChanged(change(1));
    state.deployed(change(1), 0);
    state.onJobManagerMissing({ deployment: 'demo', redeploy: false });
    state.onJobManagerMissing({ deployment: 'demo', redeploy: true });
    expect(state.next()).toMatchObject({ kind: 'check-drift', redeploy: true, change: { generation: 1 } });
    state.driftChecked();
    expect(state.next()).toEqual({ kind: 'idle' });
    state.forceRedeploy('the JobManager Deployment was deleted outside the operator');
    expect(state.next()).toMatchObject({ kind: 'deploy', reasons: ['the JobManager Deployment was deleted outside the operator'] });
  });

  it('an object re-created while the old one is being deleted waits for the delete, then starts clean', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(2, { spec: { image: 'old', autoClean: true } }));
    state.deployed(change(2), 0);
    state.onDelete({ uid: 'u1', generation: 2 });
    state.onSpecChanged({ uid: 'u2', generation: 1, spec: { image: 'new' } });
    expect(state.next()).toEqual({ kind: 'delete', target: { uid: 'u1', generation: 2, spec: { image: 'old', autoClean: true } } });
    expect(state.afterDelete()).toMatchObject({ desired: { uid: 'u2', generation: 1, spec: { image: 'new' } } });
    state.onDelete({ uid: 'u2', generation: 1 });
    expect(state.next()).toMatchObject({ kind: 'delete', target: { uid: 'u1' } });
    const next = new SessionState('ns', 'demo', state.afterDelete());
    expect(next.next()).toEqual({ kind: 'delete', target: { uid: 'u2', generation: 1, spec: { image: 'new' } } });
    expect(next.afterDelete()).toBeUndefined();
  });

  it('a new redeploy annotation value retries a refused (or failed) generation, as the signal does', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.failed(change(1), 'readiness timeout');
    expect(state.phase).toBe('Failed');
    expect(state.next()).toEqual({ kind: 'idle' });
    state.onSpecChanged(change(1, { redeployToken: 'retry-1' }));
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 1, redeployToken: 'retry-1' }, reasons: ['generation 1 is not deployed yet'] });
    state.failed(change(1, { redeployToken: 'retry-1' }), 'again');
    expect(state.next()).toEqual({ kind: 'idle' });
  });

  it('owns the phase: deploying, running, refused while running, failed, deleting', () => {
    const state = new SessionState('ns', 'demo');
    expect(state.phase).toBe('Pending');
    state.onSpecChanged(change(1));
    expect(state.beganDeploy(false)).toBe('Deploying');
    expect(state.deployed(change(1), 0)).toBe('Running');
    state.onSpecChanged(change(2));
    expect(state.refused(change(2), 'bad')).toBe('Running');
    state.onSpecChanged(change(3));
    expect(state.beganDeploy(true)).toBe('Redeploying');
    expect(state.failed(change(3), 'no REST')).toBe('Failed');
    state.onSpecChanged(change(4));
    expect(state.refused(change(4), 'bad again')).toBe('Failed');
    state.onDelete({ uid: 'u1', generation: 4 });
    expect(state.beganDelete()).toBe('Deleting');
    expect(state.status().phase).toBe('Deleting');
  });

  it('report-only drift: Failed for kubectl and the status query alike, and no longer running', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.deployed(change(1), 0);
    expect(state.driftReported(false)).toBe('Failed');
    expect(state.status().phase).toBe('Failed');
    expect(state.running).toBe(false);
    expect(state.next()).toEqual({ kind: 'idle' });
    state.onRedeploy({ reason: 'bring it back' });
    expect(state.next()).toMatchObject({ kind: 'deploy', forced: true });
  });

  it('an application that ended is Finished and not relaunched', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1, { spec: { image: 'f', applicationConfig: { jarPath: 'local:///job.jar' } } }));
    state.deployed(change(1), 0);
    expect(state.applicationEnded()).toBe('Finished');
    expect(state.next()).toEqual({ kind: 'idle' });
    expect(state.running).toBe(false);
  });

  it('carries the phase across continue-as-new, and its snapshot is a copy made without structuredClone', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.failed(change(1), 'launch failed');
    const original = globalThis.structuredClone;
    // The workflow sandbox has no structuredClone (sdk-typescript #1663).
    (globalThis as { structuredClone?: unknown }).structuredClone = undefined;
    try {
      const snapshot = state.snapshot;
      const next = new SessionState('ns', 'demo', snapshot);
      expect(next.phase).toBe('Failed');
      expect(next.status().lastError).toBe('launch failed');
      snapshot.forcedReasons.push('mutated');
      expect(state.snapshot.forcedReasons).toEqual([]);
    } finally {
      globalThis.structuredClone = original;
    }
  });

  it('a skip-clean-up request reaches the delete being run, and is carried', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.onDelete({ uid: 'u1', generation: 1 });
    expect(state.skipCleanup).toBe(false);
    state.onDelete({ uid: 'u1', generation: 1, skipCleanup: true });
    expect(state.skipCleanup).toBe(true);
    expect(new SessionState('ns', 'demo', state.snapshot).skipCleanup).toBe(true);
  });

  it('adopts only when nothing forced the deploy', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1, { redeployToken: 'old-token' }));
    expect(state.next()).toMatchObject({ kind: 'deploy', forced: false });
    state.onRedeploy({ reason: 'now' });
    expect(state.next()).toMatchObject({ kind: 'deploy', forced: true });
  });

  it('tags launches of one chain of runs, and keeps the tag across continue-as-new', () => {
    const state = new SessionState('ns', 'demo');
    expect(state.launchTag('0192f0c4-7a1b-7c3d-8e9f-a1b2c3d4e5f6')).toBe('d4e5f6');
    expect(new SessionState('ns', 'demo', state.snapshot).launchTag('another-run-id-999999')).toBe('d4e5f6');
  });

  it('a change the API server does not confirm gives way to what it holds, or to what was deployed', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.deployed(change(1), 0);
    state.onSpecChanged(change(99, { spec: { image: 'evil' } }));
    state.distrusted(change(99), undefined);
    expect(state.next()).toEqual({ kind: 'idle' });
    expect(state.status().desiredGeneration).toBe(1);
    // A real edit with a lower generation than the forged one is taken again.
    state.onSpecChanged(change(2));
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 2 } });
    state.distrusted(change(2), change(3));
    expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 3 } });
  });

  it('a run that a forged signal started is empty once the signal is refused', () => {
    const state = new SessionState('kube-system', 'coredns');
    state.onDelete({ uid: 'forged', generation: 1 });
    expect(state.next()).toMatchObject({ kind: 'delete' });
    state.deleteRefused();
    expect(state.empty).toBe(true);
    expect(state.next()).toEqual({ kind: 'idle' });
  });

  describe('jobs across a redeploy: approval, force, rollback', () => {
    const running = () => {
      const state = new SessionState('ns', 'demo');
      state.onSpecChanged(change(1));
      state.launched(change(1));
      state.deployed(change(1), 0);
      return state;
    };

    it('an approval counts for the generation waiting (or the one it names), and only until that redeploy ran', () => {
      const state = running();
      state.onSpecChanged(change(2));
      state.onApprove({ generation: 1 });
      expect(state.approvalOf(change(2))).toBeUndefined();
      state.onApprove({ by: 'alice' });
      expect(state.approvalOf(change(2))).toEqual({ by: 'alice' });
      expect(state.supersedes(change(2))).toBe(false);
      state.onSpecChanged(change(3));
      expect(state.supersedes(change(2))).toBe(true);
      expect(state.approvalOf(change(3))).toBeUndefined();
      state.onApprove(undefined);
      state.deployed(change(3), 0);
      expect(state.approvalOf(change(3))).toBeUndefined();
    });

    it('the redeploy signal with force carries on to the next deploy only', () => {
      const state = running();
      state.onRedeploy({ reason: 'S3 is read-only', force: true });
      expect(state.next()).toMatchObject({
        kind: 'deploy',
        withoutFailedSavepoints: true,
        reasons: ['redeploy signal (force: without the savepoints that fail): S3 is read-only'],
      });
      state.refused(change(1), 'held');
      state.onRedeploy(undefined);
      expect(state.next()).toMatchObject({ kind: 'deploy', withoutFailedSavepoints: false });
    });

    it('an approval with nothing waiting (the generation is deployed: an annotation resent after a watcher restart) is not kept for a later redeploy', () => {
      const state = running();
      state.onApprove({ generation: 1 });
      state.onRedeploy({ reason: 'by hand' });
      expect(state.approvalOf(change(1))).toBeUndefined();
    });

    it('a forced redeploy the force-redeploy annotation asked for is acted on once per annotation value (the watcher resends it after a restart)', () => {
      const state = running();
      state.onRedeploy({ force: true, token: 'a', reason: 'annotation set to "a"' });
      expect(state.next()).toMatchObject({ kind: 'deploy', withoutFailedSavepoints: true });
      state.deployed(change(1), 1);
      state.onRedeploy({ force: true, token: 'a', reason: 'annotation set to "a"' });
      expect(state.next()).toEqual({ kind: 'idle' });
      // Carried across continue-as-new.
      const next = new SessionState('ns', 'demo', state.snapshot);
      next.onRedeploy({ force: true, token: 'a' });
      expect(next.next()).toEqual({ kind: 'idle' });
      next.onRedeploy({ force: true, token: 'b' });
      expect(next.next()).toMatchObject({ kind: 'deploy', withoutFailedSavepoints: true });
    });

    it('a rollback relaunches the generation that ran, with a new attempt; the failed one is not retried, and a newer edit is', () => {
      const state = running();
      state.onSpecChanged(change(2));
      state.launched(change(2));
      const target = state.rollbackTarget(change(2));
      expect(target).toEqual({ change: change(1), attempt: 1 });
      const before = state.deploys;
      expect(state.rolledBack(change(2), target!, 'generation 2 was rolled back')).toBe('Running');
      expect(state.deploys).toBe(before + 1);
      expect(state.status()).toMatchObject({ phase: 'Running', deployedGeneration: 1, desiredGeneration: 2, lastError: 'generation 2 was rolled back' });
      expect(state.runningDeployment).toMatchObject({ generation: 1 });
      expect(state.next()).toEqual({ kind: 'idle' });
      state.onSpecChanged(change(3));
      expect(state.next()).toMatchObject({ kind: 'deploy', change: { generation: 3 } });
      expect(running().rollbackTarget(change(1))).toBeUndefined();
    });

    it('a rollback after the new generation came up (its jobs did not run there) deploys the one that ran again', () => {
      const state = running();
      state.onSpecChanged(change(2));
      const target = state.rollbackTarget(change(2))!;
      state.deployed(change(2), 0);
      expect(state.runningDeployment).toMatchObject({ generation: 2 });
      expect(state.rollbackTarget(change(2))).toBeUndefined();
      expect(state.beganRollback()).toBe('Redeploying');
      expect(state.rolledBack(change(2), target, 'a job did not run on generation 2')).toBe('Running');
      expect(state.runningDeployment).toMatchObject({ generation: 1 });
      expect(state.status()).toMatchObject({ phase: 'Running', deployedGeneration: 1, desiredGeneration: 2, lastError: 'a job did not run on generation 2' });
      expect(state.next()).toEqual({ kind: 'idle' });
    });
  });
});
