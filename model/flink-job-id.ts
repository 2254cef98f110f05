// The Flink job id of a FlinkSessionJob's submission, and the hash the worker compares job specs by.
// Pure; not for workflow code (it hashes).
import { createHash } from 'node:crypto';
import type { FlinkSessionJobSpec, JobRef } from './flinksessionjob.ts';
import { canonicalJson } from './signal-check.ts';

/**
 * Flink's JobID (16 bytes, 32 hex digits) of one submission of a job: derived from the resource's
 * namespace, name and uid, and the generation submitted. A retried submission of the same generation
 * has the same id, and Flink refuses it as a duplicate (DuplicateJobSubmissionException), so a job is
 * never run twice. Flink also refuses an id whose job has ended (it remembers terminated jobs), so a
 * new generation, resubmitted after the old one was stopped, needs an id of its own.
 */
export function flinkJobId(ref: JobRef): string {
  return createHash('sha256').update(`${ref.namespace}/${ref.name}/${ref.uid}/${ref.generation}`).digest('hex').slice(0, 32);
}

/** A hash of a job spec, independent of key order (the spec from a signal against the API server's). */
export function jobSpecHash(spec: FlinkSessionJobSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}
