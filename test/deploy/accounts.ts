// Running things as a service account on the test API server, as a pod would: kubectl as anyone, a
// kubeconfig holding a service account's token (TokenRequest API), and the example Flink namespace
// (deploy/examples/flink-namespace/) set up in a namespace of the test's. Used by the tests that run
// the operator with only its install's RBAC (deploy/ and the Helm chart).
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKubeconfig } from '../../stack/kubernetes.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { renderKustomization, theOne, type BindingObject, type KubeObject } from './support.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args` with `input` on stdin and KUBECONFIG set; a non-zero exit is a result, not an error. */
export function run(command: string, kubeconfig: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

export const kubectl = (kubeconfig: string, args: string[], input?: string): Promise<CommandResult> => run('kubectl', kubeconfig, args, input);

/** `kubectl apply` of objects as the admin; throws with kubectl's message when refused. */
export async function applyObjects(admin: string, objects: KubeObject[]): Promise<void> {
  const applied = await kubectl(admin, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  if (applied.code !== 0) throw new Error(applied.stderr);
}

/** A kubeconfig for a token of the service account, on the stack's API server (same server and CA as its admin kubeconfig). */
export async function serviceAccountKubeconfig(stack: StackEndpoints, dir: string, account: { name: string; namespace: string }): Promise<string> {
  const admin = stack.kubernetes.kubeconfig;
  const token = await kubectl(admin, ['create', 'token', account.name, '-n', account.namespace, '--duration=2h']);
  if (token.code !== 0) throw new Error(token.stderr);
  const config = new k8s.KubeConfig();
  config.loadFromFile(admin);
  const cluster = config.getCurrentCluster()!;
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64') : readFileSync(cluster.caFile!);
  const file = join(dir, `${account.namespace}-${account.name}.kubeconfig`);
  writeFileSync(file, renderKubeconfig(cluster.server, ca, token.stdout.trim()), { mode: 0o600 });
  return file;
}

/** deploy/examples/flink-namespace/, moved into `namespace` (its own namespace is fixed to flink-sessions). */
function intoNamespace(objects: KubeObject[], namespace: string): KubeObject[] {
  return objects.map((object) => {
    const copy = structuredClone(object) as KubeObject & Partial<BindingObject>;
    if (copy.kind === 'Namespace') copy.metadata.name = namespace;
    if (copy.metadata.namespace) copy.metadata.namespace = namespace;
    if (copy.kind === 'ClusterRoleBinding') copy.metadata.name = `${copy.metadata.name}-${namespace}`;
    for (const subject of copy.subjects ?? []) if (subject.kind === 'ServiceAccount') subject.namespace = namespace;
    return copy;
  });
}

/** Sets up the example Flink namespace as `namespace`; returns Flink's service account and a kubeconfig with its token. */
export async function setUpFlinkNamespace(stack: StackEndpoints, dir: string, namespace: string): Promise<{ account: string; kubeconfig: string }> {
  const objects = intoNamespace((await renderKustomization('deploy/examples/flink-namespace')).objects, namespace);
  await applyObjects(stack.kubernetes.kubeconfig, objects);
  const account = theOne(objects, 'ServiceAccount').metadata.name;
  return { account, kubeconfig: await serviceAccountKubeconfig(stack, dir, { name: account, namespace }) };
}
