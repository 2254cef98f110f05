// Kubernetes' DNS-1123 label: what namespace and object names (and so Flink cluster ids) are.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` is not a DNS-1123 label, or undefined. */
export function dns1123LabelProblem(what: string, name: string): string | undefined {
  if (name.length === 0) return `${what} is empty: it must be a DNS-1123 label such as my-session`;
  if (name.length > 63 || !DNS1123_LABEL.test(name)) {
    return `${what} ${JSON.stringify(name)} is not a DNS-1123 label: up to 63 lower-case letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}
