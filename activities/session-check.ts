// The worker's check before a destructive or launching step: the FlinkSession as the API server holds
// it, against what the workflow is about to act on (model/signal-check.ts). A signal that does not
// check out changes nothing; the workflow logs why.
import { Context } from '@temporalio/activity';
import * as k8s from '@kubernetes/client-node';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import { redactSpec } from '../model/redact.ts';
import { checkSignal, type CheckedStep, type SignalCheck } from '../model/signal-check.ts';
import { specChangedPayload } from '../watcher/signals.ts';
import type { SpecChanged } from '../workflows/contract.ts';
import { readSession } from './read-session.ts';

export interface SessionCheckDeps {
  kubeConfig: k8s.KubeConfig;
  watchedNamespaces: string[];
}

/**
 * The check's answer, and what the API server holds: `current` (a deploy not trusted: the object's
 * own state, as the watcher would signal it) or `spec` (a trusted delete: the spec to clean up with).
 */
export type SessionCheckResult = SignalCheck & { current?: SpecChanged; spec?: FlinkSessionSpec };

export function createSessionCheckActivities(deps: SessionCheckDeps) {
  const objects = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);

  async function checkSession(input: { ref: SessionRef; spec?: FlinkSessionSpec; step: CheckedStep }): Promise<SessionCheckResult> {
    const asking = Context.current().info.workflowExecution?.workflowId ?? '';
    const base = {
      workflowId: asking,
      ref: input.ref,
      step: input.step,
      watchedNamespaces: deps.watchedNamespaces,
      ...(input.spec ? { spec: input.spec } : {}),
    };
    // Nothing is read from a namespace the operator does not watch, nor for another workflow's session.
    const early = checkSignal({ ...base, object: undefined });
    if (!early.trusted && early.gone !== true) return early;
    const object = await readSession(objects, input.ref);
    const check = checkSignal({ ...base, object });
    if (check.trusted) return input.step === 'delete' && object ? { ...check, spec: redactSpec(object.spec) } : check;
    return object && object.metadata.deletionTimestamp === undefined && input.step === 'deploy' ? { ...check, current: specChangedPayload(object) } : check;
  }

  return { checkSession };
}
