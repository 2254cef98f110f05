// kwok's stages for the stack's fake nodes, with the pods the stack's process kubelets run left out
// of the stages those kubelets play: a launch Job's pod ends as Flink's client ended
// (launch-kubelet.ts), not when kwok says so, and a Flink pod the stack runs is Ready when Flink
// answers and gone when its process is (flink-kubelet.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { LABEL_MANAGED_BY } from '../model/names.ts';

/** kwok's stages, in the order they apply: nodes become Ready, pods Running/Ready, Job pods complete. */
const KWOK_STAGE_FILES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
];

interface MatchExpression {
  key: string;
  operator: string;
  values?: string[];
}

interface Stage {
  metadata: { name: string };
  spec: { selector?: { matchExpressions?: MatchExpression[] } };
}

/** On Flink pods the stack runs as processes (flink-kubelet.ts): Flink copies it from kubernetes.{jobmanager,taskmanager}.labels. */
export const FLINK_KUBELET_LABEL = 'stack.flink-session-operator.io/kubelet';
export const FLINK_KUBELET_VALUE = 'process';

/** Stage name → what else a pod must match for kwok to play that stage. */
const STAGES_LEFT_TO_KUBELETS: Record<string, MatchExpression[]> = {
  // The operator's launch Job pods: stack/launch-kubelet.ts ends them.
  'pod-complete': [{ key: `.metadata.labels["${LABEL_MANAGED_BY}"]`, operator: 'DoesNotExist' }],
  // Flink's pods that stack/flink-kubelet.ts runs: it marks them Ready, and removes a deleted one once its process has ended.
  'pod-ready': [{ key: `.metadata.labels["${FLINK_KUBELET_LABEL}"]`, operator: 'DoesNotExist' }],
  'pod-delete': [{ key: `.metadata.labels["${FLINK_KUBELET_LABEL}"]`, operator: 'DoesNotExist' }],
};

/** The stage file kwok is started with, from kwok's own stage files under `stagesDir`. */
export function renderKwokStages(stagesDir: string): string {
  const stages = KWOK_STAGE_FILES.flatMap((file) => parseAllDocuments(readFileSync(join(stagesDir, file), 'utf8')).map((doc) => doc.toJS() as Stage));
  for (const stage of stages) {
    const extra = STAGES_LEFT_TO_KUBELETS[stage.metadata.name];
    if (!extra) continue;
    stage.spec.selector ??= {};
    stage.spec.selector.matchExpressions = [...(stage.spec.selector.matchExpressions ?? []), ...extra];
  }
  return stages.map((stage) => stringify(stage)).join('---\n');
}
