// What autoClean clears (its steps, the prefixes in a session's bucket) and the S3 target of a session: shared by the workflow
// (which purges) and the CLI's plan (which counts). Pure.
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { sessionS3Prefix, zooKeeperHaPath } from './names.ts';

/** Under `<name>/flink/`: Flink's HA metadata and the checkpoints; savepoints are kept. */
export const AUTO_CLEAN_S3_DIRS = ['ha/', 'checkpoints/'] as const;

export const autoCleanS3Prefixes = (session: string): string[] => AUTO_CLEAN_S3_DIRS.map((dir) => `${sessionS3Prefix(session)}${dir}`);

/** The S3 target of a session with `spec.s3` set. */
export function sessionS3Target(ref: SessionRef, s3: NonNullable<FlinkSessionSpec['s3']>) {
  return {
    ref,
    endPoint: s3.endPoint,
    bucket: s3.bucket,
    ...(s3.credentialsSecret ? { credentialsSecret: s3.credentialsSecret } : {}),
    // Inline keys (redacted in the signal) were moved into the migrated Secret by applySessionFiles.
    inlineCredentials: s3.accessKey !== undefined,
  };
}

/** One step of autoClean, in the order a redeploy or a delete runs them. */
export type AutoCleanStep =
  | { kind: 'zookeeper'; quorum: string; root?: string; /** the znode cleared, <root>/<name> */ path: string }
  | { kind: 'kubernetes-ha' }
  | { kind: 's3'; target: ReturnType<typeof sessionS3Target>; prefixes: string[]; /** s3://bucket/prefix, … */ where: string };

/**
 * What autoClean clears for a generation that ran with `spec`: its HA data (ZooKeeper znodes or
 * Flink's HA ConfigMaps), then its HA metadata and checkpoints in S3; savepoints stay. The workflow
 * runs these steps, and `plan` counts them, from this one list.
 */
export function autoCleanSteps(ref: SessionRef, spec: FlinkSessionSpec): AutoCleanStep[] {
  const steps: AutoCleanStep[] = [];
  const ha = spec.ha;
  if (ha?.type === 'zookeeper' && ha.quorum) {
    steps.push({ kind: 'zookeeper', quorum: ha.quorum, ...(ha.path ? { root: ha.path } : {}), path: zooKeeperHaPath(ha.path, ref.name) });
  } else if (ha?.type === 'kubernetes') {
    steps.push({ kind: 'kubernetes-ha' });
  }
  if (spec.s3) {
    const prefixes = autoCleanS3Prefixes(ref.name);
    steps.push({ kind: 's3', target: sessionS3Target(ref, spec.s3), prefixes, where: prefixes.map((p) => `s3://${spec.s3!.bucket}/${p}`).join(', ') });
  }
  return steps;
}
