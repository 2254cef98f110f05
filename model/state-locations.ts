// Where a session's Flink state lives (its HA data: ZooKeeper znodes or Flink's HA ConfigMaps; its
// HA metadata and checkpoints in S3), and which of the deployed generation's locations a new spec
// no longer uses. A redeploy clears the deployed generation's locations: one the new spec still uses
// must be clear before the launch; one it moved away from is the old cluster's leftover only.
import type { FlinkSessionSpec } from './flinksession.ts';
import { DEFAULT_ZOOKEEPER_ROOT } from './names.ts';

export interface MovedAway {
  /** The deployed generation's HA data is somewhere the new spec does not look. */
  ha: boolean;
  /** The deployed generation's S3 prefixes are in a bucket (or on a server) the new spec does not use. */
  s3: boolean;
}

function haLocation(spec: FlinkSessionSpec): string | undefined {
  const ha = spec.ha;
  if (ha?.type === 'zookeeper' && ha.quorum) return `zookeeper ${ha.quorum} ${ha.path ?? DEFAULT_ZOOKEEPER_ROOT}`;
  if (ha?.type === 'kubernetes') return 'kubernetes';
  return undefined;
}

const s3Location = (spec: FlinkSessionSpec): string | undefined => (spec.s3 ? `${spec.s3.endPoint} ${spec.s3.bucket}` : undefined);

/** Which locations of `deployed` (the generation that ran) `next` has moved away from. */
export function movedAway(deployed: FlinkSessionSpec, next: FlinkSessionSpec): MovedAway {
  const ha = haLocation(deployed);
  const s3 = s3Location(deployed);
  return { ha: ha !== undefined && ha !== haLocation(next), s3: s3 !== undefined && s3 !== s3Location(next) };
}
