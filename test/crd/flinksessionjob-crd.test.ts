// The FlinkSessionJob CRD against the real API server: every fixture under
// test/fixtures/flinksessionjobs/valid is accepted, every one under invalid/ is refused with the message
// its first line promises (`# expect: …`), with strict field validation as `kubectl apply` uses it.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, FLINKSESSIONJOB_KIND, FLINKSESSIONJOB_PLURAL } from '../../model/names.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

const group = API_GROUP;
const version = API_VERSION;
const plural = FLINKSESSIONJOB_PLURAL;
const execFileAsync = promisify(execFile);

interface JobManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

interface Fixture {
  name: string;
  manifest: JobManifest;
  expected: string | undefined;
}

function loadFixtures(kind: 'valid' | 'invalid'): Fixture[] {
  const dir = new URL(`../fixtures/flinksessionjobs/${kind}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const expected = /^# expect: (.+)$/.exec(text.split('\n', 1)[0] ?? '')?.[1]?.trim();
      return { name: `${kind}/${file}`, manifest: k8s.loadYaml<JobManifest>(text), expected };
    });
}

const valid = loadFixtures('valid');
const invalid = loadFixtures('invalid');

function statusMessage(error: k8s.ApiException<unknown>): string {
  const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

describe('the FlinkSessionJob CRD (crds/flinksessionjob.yaml) on the real API server', () => {
  let objects: k8s.CustomObjectsApi;
  let core: k8s.CoreV1Api;
  const namespace = uniqueName('crdjob');
  const create = (manifest: JobManifest, dryRun = false): Promise<unknown> =>
    objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: manifest,
      fieldValidation: 'Strict',
      ...(dryRun ? { dryRun: 'All' } : {}),
    });

  beforeAll(async () => {
    const kc = kubeConfig();
    objects = kc.makeApiClient(k8s.CustomObjectsApi);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await eventually('the FlinkSessionJob API to serve', () => create(valid[0]!.manifest, true));
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('has well-formed fixtures: one FlinkSessionJob each, no namespace, unique names, every invalid one with its expectation', () => {
    expect(valid.length).toBeGreaterThanOrEqual(3);
    expect(invalid.length).toBeGreaterThanOrEqual(10);
    for (const { name, manifest } of [...valid, ...invalid]) {
      expect({ name, apiVersion: manifest.apiVersion, kind: manifest.kind, namespace: manifest.metadata.namespace }).toEqual({
        name,
        apiVersion: `${group}/${version}`,
        kind: FLINKSESSIONJOB_KIND,
        namespace: undefined,
      });
    }
    expect(invalid.filter((f) => !f.expected).map((f) => f.name)).toEqual([]);
    const names = [...valid, ...invalid].map((f) => f.manifest.metadata.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it.each(valid.map((f) => [f.name, f] as const))('accepts %s', async (_name, fixture) => {
    const created = (await create(fixture.manifest)) as JobManifest;
    expect(created.metadata.name).toBe(fixture.manifest.metadata.name);
  });

  it.each(invalid.map((f) => [f.name, f] as const))('refuses %s', async (_name, fixture) => {
    const outcome = await create(fixture.manifest).then(
      () => 'accepted',
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(k8s.ApiException);
    const refusal = outcome as k8s.ApiException<unknown>;
    expect([400, 422]).toContain(refusal.code); // strict field validation answers 400, schema and CEL 422
    expect(statusMessage(refusal)).toContain(fixture.expected);
  });

  it('fills in the defaults: state running, upgradeMode savepoint', async () => {
    const name = uniqueName('defaults');
    await create({
      apiVersion: `${group}/${version}`,
      kind: FLINKSESSIONJOB_KIND,
      metadata: { name },
      spec: { session: 'analytics', jar: 'https://example.com/a.jar' },
    });
    const stored = (await objects.getNamespacedCustomObject({ group, version, namespace, plural, name })) as JobManifest;
    expect(stored.spec).toEqual({ session: 'analytics', jar: 'https://example.com/a.jar', state: 'running', upgradeMode: 'savepoint' });
  });

  it('kubectl get flsj shows SESSION, STATE, JOB ID, LAST SAVEPOINT and AGE from spec and status', async () => {
    const name = uniqueName('columns');
    await create({ apiVersion: `${group}/${version}`, kind: FLINKSESSIONJOB_KIND, metadata: { name }, spec: { session: 'analytics', jar: 's3://jobs/a.jar' } });
    const status = {
      jobId: '0123456789abcdef0123456789abcdef',
      jobState: 'RUNNING',
      lastSavepoint: { path: 's3://state/analytics/flink/savepoints/savepoint-1', reason: 'delete' },
    };
    await objects.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name, body: { status } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const { stdout } = await execFileAsync('kubectl', ['get', 'flsj', name, '--namespace', namespace], {
      env: { ...process.env, KUBECONFIG: stackEndpoints().kubernetes.kubeconfig },
    });
    const [header, row] = stdout.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'SESSION', 'STATE', 'JOB ID', 'LAST SAVEPOINT', 'AGE']);
    expect(row!.split(/\s+/).slice(0, 5)).toEqual([name, 'analytics', 'RUNNING', status.jobId, status.lastSavepoint.path]);
  });
});
