// The Helm chart, checked against the one source of each part: `helm lint`; with its defaults it renders
// what `kubectl kustomize deploy/` does (same RBAC rules, settings, pod specs and metrics Service; the
// CRD is crds/'s own, packaged from the symlink); its values name every setting of config/settings.ts;
// and the real API server accepts everything it renders (server-side dry run, strict field validation).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '../../config/settings.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';
import { kubectl } from './accounts.ts';
import { CHART_DIR, CHECKSUM_ANNOTATION, helm, renderChart } from './helm.ts';
import { CRDS, ofKind, readRepoFile, renderKustomization, repoPath, theOne, type KubeObject, type RoleObject } from './support.ts';

/** With this release name and namespace the chart's objects have deploy/'s names. */
const RELEASE = 'flink-session-operator';
const COMPONENTS = ['watcher', 'worker'] as const;
const NAMESPACE = 'flink-session-operator';
/** The one setting that is not in values.config: a secret, given by the name of a Secret. */
const SECRET_SETTINGS: Record<string, string> = { TEMPORAL_API_KEY: 'temporal.apiKeySecret' };

interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}
type Deployment = KubeObject & { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate } };
type WithData = KubeObject & { data?: Record<string, string> };
type Service = KubeObject & { spec: { selector: Record<string, string>; ports: unknown[] } };

const byName = <T extends KubeObject>(objects: T[]): Record<string, T> => Object.fromEntries(objects.map((o) => [o.metadata.name, o]));

describe('charts/flink-session-operator', () => {
  let chart: KubeObject[];
  let deploy: KubeObject[];

  beforeAll(async () => {
    chart = (await renderChart(RELEASE, NAMESPACE, ['--include-crds'])).objects;
    deploy = (await renderKustomization('deploy')).objects;
  });

  it('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', repoPath(CHART_DIR)]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it("has the operator's version as its version and appVersion", () => {
    const meta = parse(readRepoFile(`${CHART_DIR}/Chart.yaml`)) as { version: string; appVersion: string };
    const { version } = JSON.parse(readRepoFile('package.json')) as { version: string };
    expect([meta.version, meta.appVersion]).toEqual([version, version]);
  });

  it("renders deploy/'s objects, but the namespace (helm install --create-namespace makes it)", () => {
    const names = (objects: KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names(chart)).toEqual(names(deploy.filter((o) => o.kind !== 'Namespace')));
  });

  it("installs the CRDs of crds/ (FlinkSession, FlinkSessionJob), and `helm package` carries them (the chart's crds/ links to them)", async () => {
    for (const [name, file] of CRDS) expect(theOne(chart, 'CustomResourceDefinition', name)).toEqual(parse(readRepoFile(file)));
    const out = mkdtempSync(join(tmpdir(), 'fso-chart-'));
    const result = await helm(['package', repoPath(CHART_DIR), '--destination', out]);
    expect(result.code, result.stderr).toBe(0);
    const archive = join(out, 'flink-session-operator-0.1.0.tgz');
    const packaged = (path: string): string => execFileSync('tar', ['-xzOf', archive, `flink-session-operator/${path}`], { encoding: 'utf8' });
    for (const [, file] of CRDS) expect(packaged(file)).toBe(readRepoFile(file));
    for (const component of COMPONENTS) {
      expect(packaged(`files/${component}-cluster-role.yaml`)).toBe(readRepoFile(`deploy/${component}-cluster-role.yaml`));
    }
  });

  it("grants exactly deploy/'s RBAC rules, each component's bound to the service account its Deployment runs as", () => {
    type Binding = KubeObject & { roleRef: unknown; subjects: unknown };
    type Deployment = KubeObject & { spec: { template: { spec: { serviceAccountName: string } } } };
    for (const component of COMPONENTS) {
      const name = `${RELEASE}-${component}`;
      expect(theOne<RoleObject>(chart, 'ClusterRole', name).rules).toEqual(theOne<RoleObject>(deploy, 'ClusterRole', name).rules);
      const binding = theOne<Binding>(chart, 'ClusterRoleBinding', name);
      const deployBinding = theOne<Binding>(deploy, 'ClusterRoleBinding', name);
      expect([binding.roleRef, binding.subjects]).toEqual([deployBinding.roleRef, deployBinding.subjects]);
      expect(theOne<Deployment>(chart, 'Deployment', name).spec.template.spec.serviceAccountName).toBe(
        theOne<Deployment>(deploy, 'Deployment', name).spec.template.spec.serviceAccountName,
      );
    }
  });

  it("with another release name, the RBAC rules are still deploy/'s, under the release's names", async () => {
    const other = (await renderChart('team-b', 'operators')).objects;
    for (const component of COMPONENTS) {
      const role = theOne<RoleObject>(other, 'ClusterRole', `team-b-flink-session-operator-${component}`);
      expect(role.rules).toEqual(theOne<RoleObject>(deploy, 'ClusterRole', `${RELEASE}-${component}`).rules);
      expect(theOne<KubeObject & { subjects: unknown }>(other, 'ClusterRoleBinding', role.metadata.name).subjects).toEqual([
        { kind: 'ServiceAccount', name: `team-b-flink-session-operator-${component}`, namespace: 'operators' },
      ]);
    }
  });

  it('takes a service account name and annotations per component (e.g. a cloud identity for the worker only)', async () => {
    const named = (
      await renderChart('team-b', 'operators', [
        '--set',
        'serviceAccount.worker.name=s3-reader',
        '--set',
        'serviceAccount.worker.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::1:role/x',
      ])
    ).objects;
    const worker = theOne(named, 'ServiceAccount', 's3-reader');
    expect(worker.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' });
    expect(theOne(named, 'ServiceAccount', 'team-b-flink-session-operator-watcher').metadata.annotations).toBeUndefined();
    expect(theOne<KubeObject & { subjects: unknown }>(named, 'ClusterRoleBinding', 'team-b-flink-session-operator-worker').subjects).toEqual([
      { kind: 'ServiceAccount', name: 's3-reader', namespace: 'operators' },
    ]);
  });

  it("sets deploy/'s settings in its ConfigMap (an empty value is left out: to the operator, empty and unset are the same)", () => {
    const set = (data: Record<string, string> = {}) => Object.fromEntries(Object.entries(data).filter(([, value]) => value !== ''));
    const settings = theOne<WithData>(chart, 'ConfigMap').data;
    expect(settings).toEqual(set(theOne<WithData>(deploy, 'ConfigMap').data));
    expect(Object.keys(settings ?? {}).length).toBeGreaterThan(5);
  });

  it('has a value for every setting of config/settings.ts (the secret one by the name of its Secret)', () => {
    const values = parse(readRepoFile(`${CHART_DIR}/values.yaml`)) as { config: Record<string, unknown> } & Record<string, unknown>;
    const expected = SETTINGS.map((s) => s.env)
      .filter((env) => !(env in SECRET_SETTINGS))
      .sort();
    expect(Object.keys(values.config).sort()).toEqual(expected);
    for (const path of Object.values(SECRET_SETTINGS)) {
      const value = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], values);
      expect(typeof value, path).toBe('string');
    }
  });

  it("runs the same pods as deploy/ (pod spec, replicas, scrape annotations), with Helm's labels and the settings' checksum", () => {
    const mine = byName(ofKind<Deployment>(chart, 'Deployment'));
    const theirs = byName(ofKind<Deployment>(deploy, 'Deployment'));
    for (const [name, deployment] of Object.entries(theirs)) {
      const rendered = mine[name]!;
      expect(rendered.spec.template.spec, name).toEqual(deployment.spec.template.spec);
      expect(rendered.spec.replicas, name).toBe(deployment.spec.replicas);
      expect(rendered.spec.selector.matchLabels, name).toMatchObject(deployment.spec.selector.matchLabels);
      expect(rendered.spec.template.metadata.labels, name).toMatchObject(rendered.spec.selector.matchLabels);
      const { [CHECKSUM_ANNOTATION]: checksum, ...annotations } = rendered.spec.template.metadata.annotations ?? {};
      expect(annotations, name).toEqual(deployment.spec.template.metadata.annotations);
      expect(checksum, name).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("serves metrics through a Service like deploy/'s, selecting the release's pods", () => {
    const service = theOne<Service>(chart, 'Service');
    expect(service.spec.ports).toEqual(theOne<Service>(deploy, 'Service').spec.ports);
    for (const deployment of ofKind<Deployment>(chart, 'Deployment')) expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
  });

  it("changes the pods' checksum when a setting changes, and only then", async () => {
    const checksums = async (extra: string[]) =>
      ofKind<Deployment>((await renderChart(RELEASE, NAMESPACE, extra)).objects, 'Deployment').map(
        (d) => d.spec.template.metadata.annotations?.[CHECKSUM_ANNOTATION],
      );
    const before = await checksums([]);
    expect(await checksums(['--set', 'watcher.replicas=3'])).toEqual(before);
    const after = await checksums(['--set', 'config.FSO_LOG_LEVEL=debug']);
    expect(after.every((sum, i) => sum !== before[i])).toBe(true);
  });

  it('refuses FSO_METRICS_PORT=0 with a message (the probes need the port)', async () => {
    const result = await helm(['template', RELEASE, repoPath(CHART_DIR), '--set', 'config.FSO_METRICS_PORT=0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('config.FSO_METRICS_PORT must be a port');
  });

  it('the API server accepts everything `helm template` renders (server-side dry run, strict field validation)', async () => {
    const admin = stackEndpoints().kubernetes.kubeconfig;
    await installFlinkSessionCrd(kubeConfig());
    const namespace = uniqueName('helm-dry');
    const created = await kubectl(admin, ['create', 'namespace', namespace]);
    expect(created.code, created.stderr).toBe(0);
    const { yaml, objects } = await renderChart(uniqueName('dry'), namespace);
    const result = await kubectl(admin, ['apply', '--dry-run=server', '--validate=strict', '-f', '-'], yaml);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const line of lines) expect(line).toMatch(/\(server dry run\)$/);
  });
});
