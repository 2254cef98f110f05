// What autoClean clears in a session's bucket, and the S3 target of a session: shared by the workflow
// (which purges) and the CLI's plan (which counts). Pure.
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { sessionS3Prefix } from './names.ts';

/** Under `<name>/flink/`: Flink's HA metadata and the checkpoints; savepoints are kept. */
export const AUTO_CLEAN_S3_DIRS = ['ha/', 'checkpoints/'] as const;

export const autoCleanS3Prefixes = (session: string): string[] => AUTO_CLEAN_S3_DIRS.map((dir) => `${sessionS3Prefix(session)}${dir}`);

/** The S3 target of a session with `spec.s3` set. */
export function sessionS3Target(ref: Pick<SessionRef, 'namespace' | 'name'>, s3: NonNullable<FlinkSessionSpec['s3']>) {
  return {
    namespace: ref.namespace, session: ref.name, endPoint: s3.endPoint, bucket: s3.bucket,
    ...(s3.credentialsSecret ? { credentialsSecret: s3.credentialsSecret } : {}),
    // Inline keys (redacted in the signal) were moved into the migrated Secret by applySessionFiles.
    inlineCredentials: s3.accessKey !== undefined,
  };
}
