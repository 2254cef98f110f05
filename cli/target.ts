// `<namespace>/<name>` of a FlinkSession on the command line.
import { ConfigError } from '../config/errors.ts';

export interface SessionTarget {
  namespace: string;
  name: string;
}

/** The FlinkSession a command names does not exist. */
export class SessionNotFoundError extends Error {}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseSessionTarget(text: string): SessionTarget {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new ConfigError([`"${text}" is not <namespace>/<name> of a FlinkSession, e.g. default/example (kubectl get fls -A lists them)`], 'argument');
  }
  const [namespace, name] = parts as [string, string];
  const problems = [
    ...(namespace.length <= 63 && DNS_LABEL.test(namespace) ? [] : [`"${namespace}" is not a namespace name (lowercase letters, digits and '-')`]),
    ...(name.length <= 253 && DNS_LABEL.test(name) ? [] : [`"${name}" is not a FlinkSession name (lowercase letters, digits and '-')`]),
  ];
  if (problems.length > 0) throw new ConfigError(problems, 'argument');
  return { namespace, name };
}
