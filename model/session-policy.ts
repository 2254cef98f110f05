// What a FlinkSession's author may make the operator run (docs/trust-model.md): service accounts and
// images allowed by the platform's settings, hostPath volumes and Bidirectional mount propagation only
// when allowed. Default open, as before, but for host access. Pure.
import type { FlinkSessionSpec } from './flinksession.ts';

export interface SessionPolicy {
  /** FSO_ALLOWED_SERVICE_ACCOUNTS; empty: any. */
  allowedServiceAccounts: string[];
  /** FSO_ALLOWED_IMAGES, patterns with `*` for any characters; empty: any. */
  allowedImages: string[];
  /** FSO_ALLOW_HOST_PATH: hostPath volumes and Bidirectional mount propagation. */
  allowHostPath: boolean;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { allowedServiceAccounts: [], allowedImages: [], allowHostPath: false };

/** Whether `image` matches `pattern`, where `*` stands for any characters (`/` included). */
export function imageMatches(image: string, pattern: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(image);
}

export function policyProblems(spec: FlinkSessionSpec, policy: SessionPolicy): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const sa = spec.sa ?? 'default';
  if (policy.allowedServiceAccounts.length > 0 && !policy.allowedServiceAccounts.includes(sa)) {
    problems.push({
      field: 'spec.sa',
      message: `service account "${sa}" is not allowed here; use one of ${policy.allowedServiceAccounts.join(', ')} (FSO_ALLOWED_SERVICE_ACCOUNTS)`,
    });
  }
  if (policy.allowedImages.length > 0 && !policy.allowedImages.some((p) => imageMatches(spec.image, p))) {
    problems.push({
      field: 'spec.image',
      message: `image "${spec.image}" matches none of the allowed patterns ${policy.allowedImages.join(', ')} (FSO_ALLOWED_IMAGES)`,
    });
  }
  if (!policy.allowHostPath) {
    (spec.volumes ?? []).forEach((volume, index) => {
      if (volume.hostPath)
        problems.push({
          field: `spec.volumes[${index}].hostPath`,
          message: 'hostPath volumes are not allowed here (FSO_ALLOW_HOST_PATH=true allows them); use a persistentVolumeClaim, configMap, secret or emptyDir',
        });
    });
    (spec.volumeMounts ?? []).forEach((mount, index) => {
      if (mount.mountPropagation === 'Bidirectional')
        problems.push({
          field: `spec.volumeMounts[${index}].mountPropagation`,
          message: 'Bidirectional mount propagation is not allowed here (FSO_ALLOW_HOST_PATH=true allows it); use None or HostToContainer',
        });
    });
  }
  return problems;
}
