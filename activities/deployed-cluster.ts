// What the operator knows of a running cluster outside Temporal: a fingerprint of its launch, written
// on the JobManager Deployment once it serves and read by a new workflow run, which adopts a cluster
// whose fingerprint matches instead of redeploying it (after a run was terminated or failed, or the
// Temporal namespace was re-created); one without a fingerprint (the earlier Go operator's) is adopted
// when the configuration Flink wrote for it matches the spec.
import * as k8s from '@kubernetes/client-node';
import type { FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import { deployFingerprint } from '../model/fingerprint.ts';
import { flinkConfigMismatch } from '../model/flink-config-match.ts';
import type { RenderSettings } from '../model/flink-options.ts';
import {
  DEPLOYED_GENERATION_ANNOTATION,
  DEPLOYED_UID_ANNOTATION,
  FINGERPRINT_ANNOTATION,
  flinkConfigMapName,
  jobManagerDeploymentName,
} from '../model/names.ts';
import { flinkLabelsText, isFlinkJobManagerOf, nameConflictMessage } from '../model/ownership.ts';
import { isNotFound } from '../kube/errors.ts';
import { MERGE_PATCH } from '../kube/resource-writes.ts';

export interface DeployedClusterDeps {
  kubeConfig: k8s.KubeConfig;
  launchJobSettings: RenderSettings;
}

/** What a new run finds: no JobManager, one it can adopt (same fingerprint), or one to redeploy. */
export type JobManagerFound = { exists: false } | { exists: true; adoptable: boolean; deployedGeneration?: number; why: string };

export function createDeployedClusterActivities(deps: DeployedClusterDeps) {
  const apps = deps.kubeConfig.makeApiClient(k8s.AppsV1Api);
  const core = deps.kubeConfig.makeApiClient(k8s.CoreV1Api);

  async function inspectJobManager(input: { ref: SessionRef; spec: FlinkSessionSpec }): Promise<JobManagerFound> {
    const { ref, spec } = input;
    let deployment: k8s.V1Deployment;
    try {
      deployment = await apps.readNamespacedDeployment({ name: jobManagerDeploymentName(ref.name), namespace: ref.namespace });
    } catch (error: unknown) {
      if (isNotFound(error)) return { exists: false };
      throw error;
    }
    // Never adopted nor compared: a Deployment without Flink's labels for this cluster is someone else's.
    if (!isFlinkJobManagerOf(deployment.metadata?.labels, ref.name)) {
      return {
        exists: true,
        adoptable: false,
        why: nameConflictMessage(`Deployment ${ref.namespace}/${deployment.metadata?.name}`, flinkLabelsText(ref.name, true)),
      };
    }
    const annotations = deployment.metadata?.annotations ?? {};
    const found = annotations[FINGERPRINT_ANNOTATION];
    const generation = Number(annotations[DEPLOYED_GENERATION_ANNOTATION]);
    const deployedGeneration = Number.isInteger(generation) ? { deployedGeneration: generation } : {};
    if (!found) return { ...(await comparedWithFlinkConfig(ref, spec)), ...deployedGeneration };
    if (annotations[DEPLOYED_UID_ANNOTATION] !== ref.uid) {
      return {
        exists: true,
        adoptable: false,
        ...deployedGeneration,
        why: `the JobManager was deployed for another FlinkSession object (uid ${annotations[DEPLOYED_UID_ANNOTATION] ?? 'unknown'})`,
      };
    }
    const wanted = deployFingerprint(ref, spec, deps.launchJobSettings);
    return found === wanted
      ? { exists: true, adoptable: true, ...deployedGeneration, why: `the running JobManager was launched with this configuration (fingerprint ${wanted})` }
      : {
          exists: true,
          adoptable: false,
          ...deployedGeneration,
          why: `the running JobManager was launched with another configuration (fingerprint ${found}, wanted ${wanted})`,
        };
  }

  /**
   * A JobManager without the operator's fingerprint (launched by the earlier Go operator, or by hand):
   * adoptable when the configuration Flink wrote for it matches what this spec would launch.
   */
  async function comparedWithFlinkConfig(ref: SessionRef, spec: FlinkSessionSpec): Promise<JobManagerFound> {
    let files: Record<string, string>;
    try {
      files = (await core.readNamespacedConfigMap({ name: flinkConfigMapName(ref.name), namespace: ref.namespace })).data ?? {};
    } catch (error: unknown) {
      if (!isNotFound(error)) throw error;
      return {
        exists: true,
        adoptable: false,
        why: `the JobManager carries no fingerprint of the operator and Flink's ConfigMap ${flinkConfigMapName(ref.name)} is missing`,
      };
    }
    const mismatch = flinkConfigMismatch(ref, spec, deps.launchJobSettings, files);
    return mismatch === undefined
      ? {
          exists: true,
          adoptable: true,
          why:
            "the running JobManager (launched without this operator's fingerprint) runs this spec's configuration, " +
            `as Flink's ConfigMap ${flinkConfigMapName(ref.name)} shows`,
        }
      : { exists: true, adoptable: false, why: `the running JobManager runs another configuration: ${mismatch}` };
  }

  /** Writes the fingerprint of this launch on the JobManager Deployment (merge patch: idempotent). */
  async function markJobManagerDeployed(input: { ref: SessionRef; spec: FlinkSessionSpec }): Promise<{ fingerprint: string }> {
    const { ref, spec } = input;
    const fingerprint = deployFingerprint(ref, spec, deps.launchJobSettings);
    const annotations = { [FINGERPRINT_ANNOTATION]: fingerprint, [DEPLOYED_UID_ANNOTATION]: ref.uid, [DEPLOYED_GENERATION_ANNOTATION]: String(ref.generation) };
    await apps.patchNamespacedDeployment(
      { name: jobManagerDeploymentName(ref.name), namespace: ref.namespace, body: { metadata: { annotations } } },
      MERGE_PATCH,
    );
    return { fingerprint };
  }

  return { inspectJobManager, markJobManagerDeployed };
}
