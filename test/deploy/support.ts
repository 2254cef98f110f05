// What the install manifests, the Dockerfile and docker-compose.yml are checked against: the objects
// `kubectl kustomize` renders, the README's configuration table, and the files themselves.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const execFileAsync = promisify(execFile);

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const repoPath = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
export const readRepoFile = (path: string): string => readFileSync(repoPath(path), 'utf8');

/** The fields of a Kubernetes object these checks read; everything else stays `unknown`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface RoleObject extends KubeObject {
  rules?: PolicyRule[];
}

export interface BindingObject extends KubeObject {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

export function parseObjects(text: string, source: string): KubeObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors.map((e) => e.message).join('; ')}`);
    const object = document.toJS() as KubeObject | null;
    return object === null ? [] : [object];
  });
}

/** `kubectl kustomize <dir>` (kubectl's built-in kustomize, as `kubectl apply -k` uses it). */
export async function renderKustomization(dir: string): Promise<{ yaml: string; objects: KubeObject[] }> {
  const { stdout } = await execFileAsync('kubectl', ['kustomize', repoPath(dir)], { maxBuffer: 16 * 1024 * 1024 });
  return { yaml: stdout, objects: parseObjects(stdout, `kubectl kustomize ${dir}`) };
}

/** The operator's CRDs: name → file in this repository (deploy/ and the chart install exactly these). */
export const CRDS: ReadonlyArray<readonly [string, string]> = [
  ['flinksessions.flink.session-operator.io', 'crds/flinksession.yaml'],
  ['flinksessionjobs.flink.session-operator.io', 'crds/flinksessionjob.yaml'],
];

export const ofKind = <T extends KubeObject = KubeObject>(objects: KubeObject[], kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];

export function theOne<T extends KubeObject = KubeObject>(objects: KubeObject[], kind: string, name?: string): T {
  const found = ofKind<T>(objects, kind).filter((o) => name === undefined || o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

/**
 * The environment variables the README's configuration table documents: every backticked
 * UPPER_CASE name in the first column of the tables under its "Configuration" heading
 * (`TEMPORAL_TLS=true` counts as TEMPORAL_TLS).
 */
export function documentedVariables(readme: string): Set<string> {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => /^#{2,3} .*Configuration/i.test(line));
  if (start < 0) throw new Error('README.md has no "Configuration" section');
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}} `).test(line));
  const variables = new Set<string>();
  for (const line of lines.slice(start + 1, end < 0 ? undefined : end)) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)(?:=[^`]*)?`/g)) variables.add(match[1]!);
  }
  if (variables.size === 0) throw new Error('README.md\'s "Configuration" section has no table of variables');
  return variables;
}
