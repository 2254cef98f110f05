import { describe, expect, it } from 'vitest';
import type { SpecChanged } from './contract.ts';
import { SessionState } from './session-state.ts';

const change = (generation: number, extra: Partial<SpecChanged> = {}): SpecChanged => ({ uid: 'u1', generation, spec: { image: `flink:${generation}` }, ...extra });

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
    state.onDelete({ uid: 'u1' });
    expect(state.next()).toEqual({ kind: 'delete', uid: 'u1', spec: { image: 'f', autoClean: true } });
    state.onSpecChanged(change(2));
    expect(state.next()).toMatchObject({ kind: 'delete' });
  });

  it('after a plain delete there is nothing to carry on with', () => {
    const state = new SessionState('ns', 'demo');
    state.onSpecChanged(change(1));
    state.onDelete({ uid: 'u1' });
    expect(state.afterDelete()).toBeUndefined();
  });

  it('a delete that starts the workflow brings its own spec', () => {
    const state = new SessionState('ns', 'demo');
    state.onDelete({ uid: 'u9', generation: 4, spec: { image: 'f', autoClean: true } });
    expect(state.next()).toEqual({ kind: 'delete', uid: 'u9', spec: { image: 'f', autoClean: true } });
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
    state.onDelete({ uid: 'u1' });
    state.onSpecChanged({ uid: 'u2', generation: 1, spec: { image: 'new' } });
    expect(state.next()).toEqual({ kind: 'delete', uid: 'u1', spec: { image: 'old', autoClean: true } });
    expect(state.afterDelete()).toMatchObject({ desired: { uid: 'u2', generation: 1, spec: { image: 'new' } } });
    state.onDelete({ uid: 'u2' });
    expect(state.next()).toMatchObject({ kind: 'delete', uid: 'u1' });
    const next = new SessionState('ns', 'demo', state.afterDelete());
    expect(next.next()).toEqual({ kind: 'delete', uid: 'u2', spec: { image: 'new' } });
    expect(next.afterDelete()).toBeUndefined();
  });
});
