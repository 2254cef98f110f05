import type { FlinkSessionSpec, FlinkSessionStatus } from './flinksession.generated.ts';
import type { ResourceMetadata } from './resource-metadata.ts';

export type { FlinkSessionSpec, FlinkSessionStatus };
export type ResourceSpec = NonNullable<FlinkSessionSpec['resource']>;
export type TaskManagerResources = NonNullable<ResourceSpec['taskManager']>;
export type S3Spec = NonNullable<FlinkSessionSpec['s3']>;
export type KerberosSpec = NonNullable<NonNullable<FlinkSessionSpec['security']>['kerberos']>;

/** The identity of one version of a FlinkSession: what rendering needs from its metadata. */
export interface SessionRef {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
}

export interface FlinkSession {
  apiVersion: string;
  kind: string;
  metadata: ResourceMetadata & { annotations?: Record<string, string> };
  spec: FlinkSessionSpec;
  status?: FlinkSessionStatus;
}

/** Empty strings mean "not set" (the earlier operator's manifests write `heap: ""`). */
export function given(value: string | number | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}
