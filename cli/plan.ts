// `flink-session-operator plan <namespace>/<name>`: what a redeploy of the current spec would do with
// the jobs that run on the session (the savepoints it would take, the jobs it would restore: the plan
// of model/redeploy-jobs.ts) and what it would delete, counted by the very activities a redeploy runs,
// in their dry-run mode. Changes nothing.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import type { PurgeCounts } from '../activities/s3.ts';
import { isNotFound } from '../kube/errors.ts';
import { autoCleanSteps } from '../model/auto-clean.ts';
import type { FlinkSession, SessionRef } from '../model/flinksession.ts';
import { flinkJobId } from '../model/flink-job-id.ts';
import { retainsCheckpoints, savepointDirectory, type FlinkSessionJob } from '../model/flinksessionjob.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL, FLINKSESSIONJOB_PLURAL } from '../model/names.ts';
import { describeCarry, planJobCarry, type CarryPlan, type ManagedJob } from '../model/redeploy-jobs.ts';
import { SessionNotFoundError, type SessionTarget } from './target.ts';

export interface RedeployPlan {
  target: SessionTarget;
  generation: number;
  /** Why a redeploy would change nothing (the spec would be refused), if so. */
  refused?: string;
  /** kind/name of the running Flink cluster: deleted, then waited for until gone. */
  flinkCluster: string[];
  /** Launch Jobs removed once the new JobManager serves. */
  launchJobs: string[];
  autoClean: boolean;
  zookeeper?: { quorum: string; path: string; znodes: number };
  haConfigMaps?: string[];
  s3?: { endPoint: string; bucket: string; prefixes: string[]; counts: PurgeCounts };
  /** The jobs on the running JobManager and how a redeploy would carry each; unreachable when Flink's REST does not answer. */
  jobs?: { reachable: boolean; why?: string; /** Where the savepoints go. */ savepoints?: string } & CarryPlan;
}

export async function planRedeploy(deps: ActivityDeps, target: SessionTarget): Promise<RedeployPlan> {
  const session = await readSession(deps.kubeConfig, target);
  const spec = session.spec;
  const ref: SessionRef = { ...target, uid: session.metadata.uid, generation: session.metadata.generation };
  const activities = createActivities(deps);
  const plan: RedeployPlan = { target, generation: ref.generation, flinkCluster: [], launchJobs: [], autoClean: spec.autoClean === true };

  const validation = await activities.validateSessionSpec({ ref, spec });
  if (validation.problems.length > 0) {
    plan.refused = validation.message;
    return plan;
  }
  plan.flinkCluster = await activities.listFlinkCluster(ref);
  plan.launchJobs = (await activities.removeLaunchJobs({ ref, dryRun: true })).removed;
  if (plan.flinkCluster.length > 0) {
    const listed = await activities.listFlinkJobs({ session: target });
    const managed = listed.reachable ? await sessionJobsOf(deps.kubeConfig, target) : [];
    plan.jobs = {
      reachable: listed.reachable,
      ...(listed.why ? { why: listed.why } : {}),
      ...(spec.s3 ? { savepoints: savepointDirectory(spec.s3.bucket, target.name) } : {}),
      ...(listed.reachable ? planJobCarry({ session: target.name, ran: spec, next: spec, running: listed.jobs, managed }) : { carries: [] }),
    };
  }
  if (!plan.autoClean) return plan;

  for (const clear of autoCleanSteps(ref, spec)) {
    if (clear.kind === 'zookeeper') {
      const { znodes } = await activities.clearZooKeeperHa({ ref, quorum: clear.quorum, ...(clear.root ? { root: clear.root } : {}), dryRun: true });
      plan.zookeeper = { quorum: clear.quorum, path: clear.path, znodes };
    } else if (clear.kind === 'kubernetes-ha') {
      plan.haConfigMaps = (await activities.clearKubernetesHa({ ref, dryRun: true })).configMaps;
    } else {
      const counts = await activities.purgeS3Prefixes({ target: clear.target, prefixes: clear.prefixes, dryRun: true });
      plan.s3 = { endPoint: clear.target.endPoint, bucket: clear.target.bucket, prefixes: clear.prefixes, counts };
    }
  }
  return plan;
}

/** The FlinkSessionJobs of the session, by the Flink job id their generation runs with. */
async function sessionJobsOf(kubeConfig: KubeConfig, target: SessionTarget): Promise<ManagedJob[]> {
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  const list = (await objects.listNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    plural: FLINKSESSIONJOB_PLURAL,
    namespace: target.namespace,
  })) as {
    items: FlinkSessionJob[];
  };
  return list.items
    .filter((job) => job.spec.session === target.name && !job.metadata.deletionTimestamp)
    .map((job) => ({
      name: job.metadata.name,
      jobId: flinkJobId({ namespace: target.namespace, name: job.metadata.name, uid: job.metadata.uid, generation: job.metadata.generation }),
      spec: job.spec,
      ...(retainsCheckpoints(job.spec) ? { retainsCheckpoints: true } : {}),
    }));
}

async function readSession(kubeConfig: KubeConfig, target: SessionTarget): Promise<FlinkSession> {
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  try {
    return (await objects.getNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: FLINKSESSION_PLURAL, ...target })) as FlinkSession;
  } catch (error: unknown) {
    if (isNotFound(error))
      throw new SessionNotFoundError(
        `no FlinkSession ${target.namespace}/${target.name} in ${kubeConfig.getCurrentCluster()?.server ?? 'the cluster'} (kubectl get fls -A lists them)`,
      );
    throw error;
  }
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** Pure: the lines `plan` prints. */
export function formatPlan(plan: RedeployPlan): string {
  const { namespace, name } = plan.target;
  const head = `redeploy plan for FlinkSession ${namespace}/${name} (generation ${plan.generation}); nothing has been changed`;
  if (plan.refused) return `${head}\n  the current spec would be refused, so a redeploy would delete nothing: ${plan.refused}`;
  const lines = [head, ''];
  if (plan.jobs) lines.push(...formatJobs(plan.jobs), '');
  lines.push('would delete, in this order:');
  lines.push(
    plan.flinkCluster.length > 0
      ? `  1. the Flink cluster (${plural(plan.flinkCluster.length, 'object')}): ${plan.flinkCluster.join(', ')}`
      : '  1. the Flink cluster: nothing running (a redeploy starts with a launch)',
  );
  if (!plan.autoClean) {
    lines.push('  2. HA data and checkpoints: kept (autoClean is off)');
  } else {
    if (plan.zookeeper)
      lines.push(`  2. ZooKeeper HA: ${plural(plan.zookeeper.znodes, 'znode')} under ${plan.zookeeper.path} (quorum ${plan.zookeeper.quorum})`);
    else if (plan.haConfigMaps) lines.push(`  2. Kubernetes HA ConfigMaps (${plan.haConfigMaps.length}): ${plan.haConfigMaps.join(', ') || 'none'}`);
    else lines.push('  2. HA data: none (high availability is off)');
    if (plan.s3) {
      const c = plan.s3.counts;
      lines.push(
        `  3. S3: ${plural(c.objects, 'object')}, ${plural(c.versions, 'object version')} and ${plural(c.deleteMarkers, 'delete marker')} (${c.bytes} bytes) ` +
          `under ${plan.s3.prefixes.map((p) => `s3://${plan.s3!.bucket}/${p}`).join(' and ')} at ${plan.s3.endPoint}; savepoints are kept`,
      );
    } else {
      lines.push('  3. S3: nothing (no s3 in the spec)');
    }
  }
  lines.push(`  then, once the new JobManager serves, the old launch Jobs: ${plan.launchJobs.join(', ') || 'none'}`);
  return lines.join('\n');
}

/** Pure: what the redeploy would do with each job before the delete, and what it would restore after. */
function formatJobs(jobs: NonNullable<RedeployPlan['jobs']>): string[] {
  if (!jobs.reachable) return [`the jobs on Flink: not known (its REST does not answer: ${jobs.why ?? 'no answer'}); a redeploy would take no savepoints`];
  if (jobs.blocked) return [`the jobs on Flink: the redeploy would be held: ${jobs.blocked}`];
  if (jobs.carries.length === 0) return ['the jobs on Flink: none running; nothing to carry'];
  const lines = [`would first carry ${plural(jobs.carries.length, 'job')} running on Flink:`];
  for (const carry of jobs.carries) lines.push(`  - ${describeCarry(carry, jobs.savepoints)}`);
  return lines;
}
