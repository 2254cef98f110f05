// FSO_WATCH_NAMESPACES, read the same way by the watcher (which namespaces it watches) and the worker
// (which namespaces it acts in, whatever a signal names).
import type { Env } from './temporal.ts';

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The namespaces named, without repeats; empty: all namespaces. Problems are added to `problems`. */
export function readWatchNamespaces(env: Env, problems: string[]): string[] {
  const namespaces = [...new Set((env.FSO_WATCH_NAMESPACES ?? '').split(',').map((n) => n.trim()).filter((n) => n !== ''))];
  for (const namespace of namespaces) {
    if (namespace.length > 63 || !NAMESPACE_NAME.test(namespace)) {
      problems.push(`FSO_WATCH_NAMESPACES: "${namespace}" is not a namespace name (lowercase letters, digits and '-', at most 63)`);
    }
  }
  return namespaces;
}
