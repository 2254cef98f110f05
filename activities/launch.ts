// The operator's own objects for a launch: its files ConfigMap, the Secret of migrated inline
// credentials, and the launch Job itself; and their removal.
import * as k8s from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import { renderLaunchJob, type LaunchId, type LaunchJobSettings } from '../model/launch-job.ts';
import {
  JOB_NAME_LABEL,
  LABEL_MANAGED_BY,
  LABEL_SECRET_READABLE,
  LABEL_SESSION,
  OPERATOR_NAME,
  S3_ACCESS_KEY_KEY,
  S3_SECRET_KEY_KEY,
  migratedCredentialsSecretName,
} from '../model/names.ts';
import { FILE_KEYTAB } from '../model/launch-layout.ts';
import { ownerReference } from '../model/owner.ts';
import { policyProblems, type SessionPolicy } from '../model/session-policy.ts';
import { isOperatorObjectOf, NAME_CONFLICT, nameConflictMessage, operatorMarkText } from '../model/ownership.ts';
import { heartbeatIfInActivity } from './heartbeat.ts';
import { createNameConflictCheck } from './name-conflicts.ts';
import { readSession } from './read-session.ts';
import { createSharedStateActivities } from './shared-state.ts';
import { REDACTED } from '../model/redact.ts';
import { renderSessionFiles } from '../model/session-files.ts';
import { describeProblems, validateSpec, type SpecProblem } from '../model/validate.ts';
import { namespacedPath } from '../kube/change-wake.ts';
import { wakeOnChanges } from './wait-wake.ts';
import { apiMessage, createIgnoringConflict, deleteIgnoringNotFound, isConflict, isPermanentApiError } from '../kube/errors.ts';

export interface LaunchDeps {
  kubeConfig: k8s.KubeConfig;
  launchJobSettings: LaunchJobSettings;
  policy: SessionPolicy;
  pollIntervalMs: number;
}

/** How long removeLaunchJobs waits for the removed Jobs' pods to go, inside its 30 s (then it fails and is retried). */
const LAUNCH_PODS_GONE_WAIT_MS = 20_000;

export function createLaunchActivities(deps: LaunchDeps) {
  const core = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const batch = deps.kubeConfig.makeApiClient(k8s.BatchV1Api);
  const objects = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  const names = createNameConflictCheck(deps.kubeConfig);
  const sharedState = createSharedStateActivities(deps);

  /**
   * Validation before anything is touched; problems are returned, not thrown. First the operator's own
   * rules, then the API server's: what the operator will write (the files ConfigMap, the launch Job)
   * is created in a server-side dry run, so a value the API server refuses (a ServiceAccount name such
   * as "Flink", a nodeSelector key) is a refused spec, not a launch that fails after the old
   * JobManager is gone. `reason` is NameConflict when another object holds a name the session needs
   * (absent: InvalidSpec). The API server is asked everything at once (one round trip's time, not
   * five), and the answers are read in that order: the spec's own problems, then names, then dry runs.
   */
  async function validateSessionSpec(input: {
    ref: SessionRef;
    spec: FlinkSessionSpec;
  }): Promise<{ problems: SpecProblem[]; message: string; reason?: string }> {
    const { ref, spec } = input;
    const own = [...validateSpec(spec), ...policyProblems(spec, deps.policy)];
    // What the operator would write is only rendered, and tried, from a spec without problems of its own.
    const renderable = own.length === 0;
    const [collisions, { sharedWith }, conflicts, refused] = await Promise.all([
      names.nameCollisionsWithSessions(ref),
      sharedState.stateSharedWith({ ref, spec }),
      renderable ? names.foreignObjects(ref, spec) : [],
      renderable ? dryRunProblems(ref, spec) : [],
    ]);
    const problems = [...own, ...collisions, ...(sharedWith ? [{ field: 'spec', message: sharedWith }] : [])];
    if (problems.length > 0) return { problems, message: describeProblems(problems) };
    if (conflicts.length > 0) return { problems: conflicts, message: describeProblems(conflicts), reason: NAME_CONFLICT };
    return { problems: refused, message: describeProblems(refused) };
  }

  async function dryRunProblems(ref: SessionRef, spec: FlinkSessionSpec): Promise<SpecProblem[]> {
    const files = renderSessionFiles(ref, spec);
    const job = renderLaunchJob(ref, spec, { attempt: 0, tag: 'dryrun' }, deps.launchJobSettings);
    const writes: Array<[what: string, create: () => Promise<unknown>]> = [
      [`ConfigMap ${files.metadata?.name}`, () => core.createNamespacedConfigMap({ namespace: ref.namespace, body: files, dryRun: 'All' })],
      [`launch Job ${job.metadata?.name}`, () => batch.createNamespacedJob({ namespace: ref.namespace, body: job, dryRun: 'All' })],
    ];
    const tried = await Promise.all(
      writes.map(async ([what, create]): Promise<SpecProblem[]> => {
        try {
          await createIgnoringConflict(create); // "already exists" comes after the API server validated it
          return [];
        } catch (error: unknown) {
          if (!isPermanentApiError(error)) throw error;
          return [{ field: 'spec', message: `the API server refuses the ${what} this spec makes: ${apiMessage(error)}` }];
        }
      }),
    );
    return tried.flat();
  }

  /** Writes the files ConfigMap, and moves inline credentials (read from the object, never from history) into a Secret. */
  async function applySessionFiles(input: { ref: SessionRef; spec: FlinkSessionSpec }): Promise<void> {
    const { ref, spec } = input;
    await createOrReplaceConfigMap(ref, renderSessionFiles(ref, spec));
    const inlineS3 = spec.s3?.accessKey !== undefined;
    const inlineKeytab = spec.security?.kerberos?.base64Keytab !== undefined;
    if (!inlineS3 && !inlineKeytab) return;
    const session = await readSession(objects, ref);
    // Gone: the delete it was signalled comes next; until then the step retries, as on any read that failed.
    if (!session) throw new Error(`${ref.namespace}/${ref.name} is not in the API server (deleted?)`);
    if (session.metadata.uid !== ref.uid) throw ApplicationFailure.nonRetryable(`${ref.namespace}/${ref.name} was replaced (uid changed)`, 'SessionReplaced');
    const data: Record<string, string> = {};
    const s3 = session.spec.s3;
    if (inlineS3 && s3?.accessKey && s3.secretKey && s3.accessKey !== REDACTED) {
      data[S3_ACCESS_KEY_KEY] = s3.accessKey;
      data[S3_SECRET_KEY_KEY] = s3.secretKey;
    }
    const keytab = session.spec.security?.kerberos?.base64Keytab;
    if (inlineKeytab && keytab && keytab !== REDACTED) data[FILE_KEYTAB] = keytab.replace(/\s+/g, '');
    const secret: k8s.V1Secret = {
      metadata: {
        name: migratedCredentialsSecretName(ref.name),
        namespace: ref.namespace,
        labels: { [LABEL_MANAGED_BY]: OPERATOR_NAME, [LABEL_SESSION]: ref.name, [LABEL_SECRET_READABLE]: 'true' },
        ownerReferences: [ownerReference(ref)],
      },
      type: 'Opaque',
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, k === FILE_KEYTAB ? v : Buffer.from(v).toString('base64')])),
    };
    await createOrReplaceOwn(
      ref,
      'Secret',
      secret,
      (body) => core.createNamespacedSecret({ namespace: ref.namespace, body }),
      () => core.readNamespacedSecret({ name: secret.metadata!.name!, namespace: ref.namespace }),
      (body) => core.replaceNamespacedSecret({ name: secret.metadata!.name!, namespace: ref.namespace, body }),
    );
  }

  async function createOrReplaceConfigMap(ref: SessionRef, configMap: k8s.V1ConfigMap): Promise<void> {
    const { name, namespace } = configMap.metadata as { name: string; namespace: string };
    await createOrReplaceOwn(
      ref,
      'ConfigMap',
      configMap,
      (body) => core.createNamespacedConfigMap({ namespace, body }),
      () => core.readNamespacedConfigMap({ name, namespace }),
      (body) => core.replaceNamespacedConfigMap({ name, namespace, body }),
    );
  }

  /**
   * Creates one of the operator's objects, or replaces the one it made before; an object of that name
   * without the operator's mark is someone else's and is left alone (NameConflict). The replace names
   * the resourceVersion it checked, so an object swapped meanwhile is not overwritten either.
   */
  async function createOrReplaceOwn<T extends k8s.V1ConfigMap | k8s.V1Secret>(
    ref: SessionRef,
    kind: string,
    object: T,
    create: (body: T) => Promise<unknown>,
    read: () => Promise<T>,
    replace: (body: T) => Promise<unknown>,
  ): Promise<void> {
    try {
      await create(object);
      return;
    } catch (error: unknown) {
      if (!isConflict(error)) throw error;
    }
    const existing = await read();
    if (!isOperatorObjectOf(existing.metadata?.labels, ref.name)) {
      throw ApplicationFailure.nonRetryable(
        nameConflictMessage(`${kind} ${ref.namespace}/${object.metadata!.name!}`, operatorMarkText(ref.name)),
        NAME_CONFLICT,
      );
    }
    await replace({ ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata?.resourceVersion } });
  }

  /** Creates the launch Job of this generation and attempt; a Job of that name already there is the same launch. */
  async function submitLaunchJob(input: { ref: SessionRef; spec: FlinkSessionSpec; launch: LaunchId }): Promise<{ jobName: string; created: boolean }> {
    const job = renderLaunchJob(input.ref, input.spec, input.launch, deps.launchJobSettings);
    const created = await createIgnoringConflict(() => batch.createNamespacedJob({ namespace: input.ref.namespace, body: job }));
    return { jobName: job.metadata!.name!, created };
  }

  /** Removes the session's launch Jobs (all, or all but `keep`), with their pods; with dryRun only names them. */
  /**
   * Deletes the session's launch Jobs (but `keep`) and returns once their pods are gone: Flink's client
   * in a terminating pod could still create the cluster, or fail on one deleted under it. Still there
   * after LAUNCH_PODS_GONE_WAIT_MS: a retryable failure naming them.
   */
  async function removeLaunchJobs(input: { ref: SessionRef; keep?: string; dryRun?: boolean }): Promise<{ removed: string[] }> {
    const { namespace } = input.ref;
    const jobs = await batch.listNamespacedJob({ namespace, labelSelector: `${LABEL_MANAGED_BY}=${OPERATOR_NAME},${LABEL_SESSION}=${input.ref.name}` });
    const names = jobs.items.map((job) => job.metadata!.name!).filter((name) => name !== input.keep);
    if (input.dryRun || names.length === 0) return { removed: names };
    const removed: string[] = [];
    for (const name of names) {
      if (await deleteIgnoringNotFound(() => batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }))) removed.push(name);
    }
    const labelSelector = `${JOB_NAME_LABEL} in (${names.join(',')})`;
    const podsLeft = async (): Promise<string[]> => (await core.listNamespacedPod({ namespace, labelSelector })).items.map((pod) => pod.metadata!.name!);
    // Looked at again as each pod goes, at the latest after the poll interval.
    const gone = wakeOnChanges(deps.kubeConfig, [{ path: namespacedPath('v1', 'pods', namespace), labelSelector, wakeOn: ['DELETED'] }], deps.pollIntervalMs);
    try {
      await gone.opened;
      const until = Date.now() + LAUNCH_PODS_GONE_WAIT_MS;
      for (let left = await podsLeft(); left.length > 0; left = await podsLeft()) {
        if (Date.now() > until)
          throw ApplicationFailure.retryable(`the pods of launch Jobs ${names.join(', ')} are still terminating: ${left.join(', ')}`, 'LaunchPodsTerminating');
        heartbeatIfInActivity({ left });
        await gone.next(deps.pollIntervalMs);
      }
    } finally {
      gone.close();
    }
    return { removed };
  }

  return { validateSessionSpec, applySessionFiles, submitLaunchJob, removeLaunchJobs };
}
