// Temporal is not a trusted source of specs (SPEC: Ownership and trust): anyone who may signal the
// Temporal namespace can start `flinksession/<ns>/<name>` with any input and send any payload. Before a
// destructive or launching step the worker reads the FlinkSession from the API server, and this pure
// check decides whether what the workflow is about to act on is what the API server holds. Pure.
import { createHash } from 'node:crypto';
import type { FlinkSession, FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { redactSpec } from './redact.ts';
import { workflowId } from './names.ts';

/** What the workflow is about to do with the session. */
export type CheckedStep = 'deploy' | 'delete';

export interface SignalCheckInput {
  /** The id of the workflow that asks (from Temporal, not from its input). */
  workflowId: string;
  ref: Pick<SessionRef, 'namespace' | 'name' | 'uid'>;
  /** The spec the workflow holds (from a signal): redacted, as the watcher sends it. */
  spec?: FlinkSessionSpec;
  step: CheckedStep;
  /** The worker's FSO_WATCH_NAMESPACES; empty: every namespace. */
  watchedNamespaces: readonly string[];
  /** The FlinkSession as the API server has it now; undefined when there is none. */
  object: FlinkSession | undefined;
}

export type SignalCheck =
  | { trusted: true }
  /** `gone`: the workflow id and namespace check out, but the API server holds no such object. */
  | { trusted: false; why: string; gone?: boolean };

/** A hash of a spec as it travels in signals (redacted), independent of key order. */
export function specHash(spec: FlinkSessionSpec): string {
  return createHash('sha256')
    .update(canonicalJson(redactSpec(spec)))
    .digest('hex')
    .slice(0, 16);
}

/** JSON with keys sorted and undefined left out: the same data, the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function checkSignal(input: SignalCheckInput): SignalCheck {
  const { ref, object } = input;
  const session = `${ref.namespace}/${ref.name}`;
  const expectedId = workflowId(ref.namespace, ref.name);
  if (input.workflowId !== expectedId) {
    return { trusted: false, why: `the workflow ${input.workflowId} asked to ${input.step} ${session}, whose workflow is ${expectedId}` };
  }
  if (input.watchedNamespaces.length > 0 && !input.watchedNamespaces.includes(ref.namespace)) {
    return { trusted: false, why: `namespace ${ref.namespace} is not watched by this operator (FSO_WATCH_NAMESPACES=${input.watchedNamespaces.join(',')})` };
  }
  if (!object) return { trusted: false, gone: true, why: `there is no FlinkSession ${session} in the API server` };
  if (object.metadata.uid !== ref.uid) {
    return { trusted: false, why: `the FlinkSession ${session} in the API server has uid ${object.metadata.uid}, the signal named uid ${ref.uid}` };
  }
  if (input.step === 'delete') {
    return object.metadata.deletionTimestamp !== undefined
      ? { trusted: true }
      : { trusted: false, why: `the FlinkSession ${session} is not being deleted in the API server (no deletionTimestamp)` };
  }
  if (input.spec === undefined || specHash(input.spec) !== specHash(object.spec)) {
    return {
      trusted: false,
      why:
        `the spec to deploy is not the one the API server holds for ${session} ` +
        `(generation ${object.metadata.generation}, spec hash ${specHash(object.spec)})`,
    };
  }
  return { trusted: true };
}
