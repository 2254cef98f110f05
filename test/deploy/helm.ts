// The Helm chart (charts/flink-session-operator) as the tests use it: `helm` from provisioning (or
// FSO_HELM_BIN, or PATH) and the chart rendered into Kubernetes objects.
import { resolveTestTool } from '../../stack/binaries.ts';
import { run, type CommandResult } from './accounts.ts';
import { parseObjects, repoPath, type KubeObject } from './support.ts';

export const CHART_DIR = 'charts/flink-session-operator';

/** `helm args` with KUBECONFIG (the cluster helm talks to; none for lint and template). */
export function helm(args: string[], kubeconfig = ''): Promise<CommandResult> {
  return run(resolveTestTool('helm', process.env), kubeconfig, args);
}

/** `helm template RELEASE chart -n NAMESPACE extra…`, parsed; throws with helm's message when it fails. */
export async function renderChart(release: string, namespace: string, extra: string[] = []): Promise<{ yaml: string; objects: KubeObject[] }> {
  const result = await helm(['template', release, repoPath(CHART_DIR), '--namespace', namespace, ...extra]);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return { yaml: result.stdout, objects: parseObjects(result.stdout, 'helm template') };
}

export const CHECKSUM_ANNOTATION = 'checksum/config';
