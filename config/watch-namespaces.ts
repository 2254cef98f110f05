// FSO_WATCH_NAMESPACES, read the same way by the watcher (which namespaces it watches) and the worker
// (which namespaces it acts in, whatever a signal names).
import { dns1123LabelProblem } from '../model/dns1123.ts';
import type { Env } from './temporal.ts';

/** The namespaces named, without repeats; empty: all namespaces. Problems are added to `problems`. */
export function readWatchNamespaces(env: Env, problems: string[]): string[] {
  const namespaces = [
    ...new Set(
      (env.FSO_WATCH_NAMESPACES ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    ),
  ];
  for (const namespace of namespaces) {
    const problem = dns1123LabelProblem('namespace', namespace);
    if (problem) problems.push(`FSO_WATCH_NAMESPACES: ${problem}`);
  }
  return namespaces;
}
