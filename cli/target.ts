// `<namespace>/<name>` of a FlinkSession on the command line.
import { dns1123LabelProblem } from '../model/dns1123.ts';
import { ConfigError } from '../config/errors.ts';

export interface SessionTarget {
  namespace: string;
  name: string;
}

/** The FlinkSession a command names does not exist. */
export class SessionNotFoundError extends Error {}

export function parseSessionTarget(text: string): SessionTarget {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new ConfigError([`"${text}" is not <namespace>/<name> of a FlinkSession, e.g. default/example (kubectl get fls -A lists them)`], 'argument');
  }
  const [namespace, name] = parts as [string, string];
  const problems = [dns1123LabelProblem('namespace', namespace), dns1123LabelProblem('FlinkSession name', name)].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new ConfigError(problems, 'argument');
  return { namespace, name };
}
