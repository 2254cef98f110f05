// Pure rules that keep an S3 purge inside one session's prefix (SPEC: Scope safety), and the
// batching of deletes. No I/O here, so every rule is tested without a server (s3-scope.test.ts).
import { dns1123LabelProblem } from '../model/dns1123.ts';
import { sessionS3Prefix } from '../model/names.ts';

/** DeleteObjects takes at most 1,000 keys per request (S3's limit; versitygw does not enforce it). */
export const MAX_KEYS_PER_DELETE = 1_000;

/** The CRD's rule for s3.bucket, repeated so an activity called from elsewhere (a CLI) is held to it. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Why `bucket` is not an S3 bucket name, or undefined. */
export function bucketProblem(bucket: string): string | undefined {
  if (BUCKET_NAME.test(bucket) && !bucket.includes('..')) return undefined;
  return (
    `s3.bucket ${JSON.stringify(bucket)} is not an S3 bucket name: ` +
    "3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit"
  );
}

/**
 * Why `prefix` may not be purged for `session`, or undefined. A purgeable prefix lies under
 * `<session>/flink/` and ends with `/`, so `my-session/flink/` never matches `my-session-2/flink/…`,
 * and has no empty, `.` or `..` segment (S3 keys are literal, but such a prefix is always a mistake,
 * and some gateways map keys to file paths).
 */
export function purgePrefixProblem(session: string, prefix: string): string | undefined {
  const root = sessionS3Prefix(session);
  const fix = `name a folder under ${root}, e.g. ${root}ha/`;
  if (prefix === '') return `S3 prefix is empty, which would purge the whole bucket: ${fix}`;
  if (!prefix.startsWith(root)) return `S3 prefix ${JSON.stringify(prefix)} is outside session ${session}'s data: ${fix}`;
  if (!prefix.endsWith('/')) return `S3 prefix ${JSON.stringify(prefix)} must end with '/', or it also matches keys of other folders: ${fix}`;
  const segments = prefix.slice(0, -1).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return `S3 prefix ${JSON.stringify(prefix)} has an empty, '.' or '..' segment: ${fix}`;
  }
  return undefined;
}

/** Every problem with a purge request, so one failure names everything to fix. Empty when it is fine. */
export function purgeInputProblems(input: { session: string; bucket: string; prefixes: readonly string[] }): string[] {
  const sessionProblem = dns1123LabelProblem('session', input.session);
  // Prefix rules are stated in terms of the session, so they mean nothing while the session is bad.
  if (sessionProblem) return [sessionProblem];
  const problems: string[] = [];
  const bucket = bucketProblem(input.bucket);
  if (bucket) problems.push(bucket);
  if (input.prefixes.length === 0) problems.push(`no S3 prefixes given: name at least one folder under ${sessionS3Prefix(input.session)}`);
  for (const prefix of input.prefixes) {
    const problem = purgePrefixProblem(input.session, prefix);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * The prefixes to list, each once: duplicates and prefixes inside another given prefix are dropped,
 * so a dry run does not count a key twice. Sorted, so the work and its heartbeats are in a stable order.
 */
export function outermostPrefixes(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort();
  const kept: string[] = [];
  for (const prefix of sorted) {
    // After sorting, a prefix's ancestors come before it; only the last kept one can contain it.
    const last = kept.at(-1);
    if (last === undefined || !prefix.startsWith(last)) kept.push(prefix);
  }
  return kept;
}

/** Splits `items` into consecutive chunks of at most `size` (the last one may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
