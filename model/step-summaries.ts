// What the Temporal UI shows for each activity call of a session's workflow: one line a person
// understands ("purge s3://state/orders/flink/ha/ …", "wait for JobManager shop/orders to serve"),
// computed from the activity's name and its input. The workflow attaches it to every call
// (workflows/summarised-activities.ts); the compiler checks that every activity has one. Pure.
import type { SessionRef } from './flinksession.ts';
import { jobManagerDeploymentName, launchJobName, sessionFilesConfigMapName, zooKeeperHaPath } from './names.ts';

type Session = Pick<SessionRef, 'namespace' | 'name'>;
type Versioned = Session & Pick<SessionRef, 'generation'>;

/** `<namespace>/<name>`, the way kubectl users name an object. */
export const sessionKey = (ref: Session): string => `${ref.namespace}/${ref.name}`;
const deployment = (ref: Session): string => `Deployment ${ref.namespace}/${jobManagerDeploymentName(ref.name)}`;

export const STEP_SUMMARIES = {
  deletePolicy: () => "read the worker's clean-up deadline",
  validateSessionSpec: ({ ref }: { ref: Versioned }) => `validate generation ${ref.generation} of ${sessionKey(ref)} (operator rules, API server dry run)`,
  inspectJobManager: ({ ref }: { ref: Session }) => `look for a running JobManager of ${sessionKey(ref)} to adopt`,
  applySessionFiles: ({ ref }: { ref: Session }) => `write ConfigMap ${ref.namespace}/${sessionFilesConfigMapName(ref.name)} (Flink config, pod templates)`,
  ensureBucket: (target: { bucket: string; endPoint: string }) => `ensure bucket s3://${target.bucket} exists on ${target.endPoint}`,
  deleteJobManagerDeployment: (ref: Session) => `delete JobManager ${deployment(ref)}`,
  waitForFlinkClusterGone: (ref: Session) => `wait for the pods, Services and ConfigMaps of Flink cluster ${sessionKey(ref)} to go`,
  listFlinkCluster: (ref: Session) => `list what is left of Flink cluster ${sessionKey(ref)} (pods, Services, ConfigMaps)`,
  clearZooKeeperHa: (input: { ref: Session; quorum: string; root?: string; dryRun?: boolean }) =>
    `${input.dryRun ? 'count' : 'delete'} the znodes under ${zooKeeperHaPath(input.root, input.ref.name)} on ${input.quorum}`,
  clearKubernetesHa: ({ ref, dryRun }: { ref: Session; dryRun?: boolean }) => `${dryRun ? 'list' : 'delete'} Flink's HA ConfigMaps of ${sessionKey(ref)}`,
  purgeS3Prefixes: ({ target, prefixes, dryRun }: { target: { bucket: string }; prefixes: string[]; dryRun?: boolean }) =>
    `${dryRun ? 'count' : 'purge'} ${prefixes.map((prefix) => `s3://${target.bucket}/${prefix}`).join(' and ')}`,
  submitLaunchJob: ({ ref, launch }: { ref: Versioned; launch: { attempt: number; tag: string } }) =>
    `submit launch Job ${ref.namespace}/${launchJobName(ref.name, ref.generation, launch.attempt, launch.tag)} (kubernetes-session.sh)`,
  waitForJobManagerReady: ({ ref, launchJob }: { ref: Session; launchJob?: string }) =>
    `wait for JobManager ${sessionKey(ref)} to serve${launchJob ? ` (launched by Job ${launchJob})` : ''}`,
  markJobManagerDeployed: ({ ref }: { ref: Versioned }) => `annotate ${deployment(ref)} with generation ${ref.generation}'s fingerprint`,
  removeLaunchJobs: ({ ref, keep, dryRun }: { ref: Session; keep?: string; dryRun?: boolean }) =>
    `${dryRun ? 'list' : 'remove'} the launch Jobs of ${sessionKey(ref)}${keep ? ` but ${keep}` : ''}`,
  jobManagerExists: (ref: Session) => `check whether ${deployment(ref)} is still there`,
  reportSessionJobs: ({ ref, jobs }: { ref: Session; jobs: { declared?: number; running?: number } }) =>
    `report ${jobs.running ?? 0} of ${jobs.declared ?? 0} FlinkSessionJobs running in the status of ${sessionKey(ref)}`,
  reportStatus: ({ ref, report }: { ref: Session; report: { phase: string; reason: string } }) =>
    `report ${report.phase}/${report.reason} in the status of ${sessionKey(ref)}`,
  recordEvent: ({ ref, type, reason }: { ref: Session; type: string; reason: string }) => `record a ${type} Event ${reason} on ${sessionKey(ref)}`,
  releaseFinalizer: (ref: Session) => `release the finalizer of ${sessionKey(ref)}`,
  checkSession: ({ ref, step }: { ref: Session; step: string }) =>
    `check ${sessionKey(ref)} in the API server before the ${step} (uid, spec, watched namespace)`,
  stateSharedWith: ({ ref }: { ref: Session }) => `check that no other session uses the HA data and checkpoints of ${sessionKey(ref)}`,
  checkSessionJob: ({ job, step }: { job: Versioned; step: string }) =>
    `check FlinkSessionJob ${sessionKey(job)} in the API server before the ${step} (uid, generation, spec)`,
  submitFlinkJob: ({ session, job, jar }: { session: Session; job: Versioned; jar: { url: string } }) =>
    `submit generation ${job.generation} of FlinkSessionJob ${sessionKey(job)} to ${sessionKey(session)}: upload ${jar.url}, run it with its fixed job id`,
  waitForFlinkJobRunning: ({ session, jobId }: { session: Session; jobId: string }) => `wait for job ${jobId} to run on ${sessionKey(session)}`,
  stopFlinkJob: ({
    session,
    jobId,
    savepointDirectory,
    fromCheckpoint,
  }: {
    session: Session;
    jobId: string;
    savepointDirectory?: string;
    fromCheckpoint?: boolean;
  }) =>
    savepointDirectory
      ? `stop job ${jobId} on ${sessionKey(session)} with a savepoint into ${savepointDirectory}`
      : `cancel job ${jobId} on ${sessionKey(session)}${fromCheckpoint ? ', keeping its latest checkpoint to restore from' : ''}`,
  watchFlinkJobs: ({ session, jobs }: { session: Session; jobs: Array<{ name: string }> }) =>
    `watch ${jobs.length === 1 ? 'job' : 'jobs'} ${jobs.map((j) => j.name).join(', ')} on ${sessionKey(session)} until one stops running`,
  listFlinkJobs: ({ session }: { session: Session }) => `list the jobs that run on ${sessionKey(session)} before its redeploy`,
  latestFlinkCheckpoint: ({ session, jobId }: { session: Session; jobId: string }) =>
    `record the latest checkpoint of job ${jobId} on ${sessionKey(session)} before its redeploy`,
  reportCarriedJobs: ({ ref, carriedJobs }: { ref: Session; carriedJobs: unknown[] }) =>
    `report what the redeploy did with ${carriedJobs.length} ${carriedJobs.length === 1 ? 'job' : 'jobs'} in the status of ${sessionKey(ref)}`,
  reportJobStatus: ({ job, report }: { job: Session; report: { reason: string } }) =>
    `report ${report.reason} in the status of FlinkSessionJob ${sessionKey(job)}`,
  recordJobEvent: ({ job, type, reason }: { job: Session; type: string; reason: string }) =>
    `record a ${type} Event ${reason} on FlinkSessionJob ${sessionKey(job)}`,
  releaseJobFinalizer: (job: Session) => `release the finalizer of FlinkSessionJob ${sessionKey(job)}`,
} as const;

export type StepSummaryName = keyof typeof STEP_SUMMARIES;

/** Temporal keeps at most 400 bytes of a summary's payload (a JSON string): longer ones are cut, with an ellipsis. */
export const SUMMARY_MAX_BYTES = 400;
/** …and 20,000 of details. */
export const DETAILS_MAX_BYTES = 20_000;

/** `text`, cut so that its JSON encoding fits `maxBytes` of UTF-8 (what Temporal's limits count). */
export function fitted(text: string, maxBytes: number): string {
  if (jsonBytes(text) <= maxBytes) return text;
  const ellipsis = '…';
  const budget = maxBytes - jsonBytes(ellipsis);
  let used = 0;
  let kept = '';
  for (const char of text) {
    const size = jsonBytes(char) - 2; // without the quotes
    if (used + size > budget) break;
    used += size;
    kept += char;
  }
  return `${kept}${ellipsis}`;
}

/** UTF-8 bytes of JSON.stringify(text), counted without TextEncoder (the workflow sandbox's globals are few). */
function jsonBytes(text: string): number {
  let bytes = 0;
  for (const char of JSON.stringify(text)) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
