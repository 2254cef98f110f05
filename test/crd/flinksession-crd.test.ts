// The FlinkSession CRD against the real API server: every fixture under test/fixtures/flinksessions/valid
// is accepted, every one under invalid/ is refused with the message its first line promises
// (`# expect: …`), with strict field validation as `kubectl apply` uses it, so misspelt fields are errors.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL } from '../../model/names.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

const group = API_GROUP;
const version = API_VERSION;
const plural = FLINKSESSION_PLURAL;
const fixturesDir = new URL('../fixtures/flinksessions/', import.meta.url);

interface FlinkSessionManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

interface Fixture {
  /** e.g. `invalid/unknown-field-AutoClean.yaml`, the name the test reports. */
  name: string;
  path: string;
  manifest: FlinkSessionManifest;
  /** From the first line `# expect: <substring of the API server's message>`. */
  expected: string | undefined;
}

function loadFixtures(kind: 'valid' | 'invalid'): Fixture[] {
  const dir = new URL(`${kind}/`, fixturesDir);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const path = fileURLToPath(new URL(file, dir));
      const text = readFileSync(path, 'utf8');
      const expected = /^# expect: (.+)$/m.exec(text.split('\n', 1)[0] ?? '')?.[1]?.trim();
      return { name: `${kind}/${file}`, path, manifest: k8s.loadYaml<FlinkSessionManifest>(text), expected };
    });
}

const validFixtures = loadFixtures('valid');
const invalidFixtures = loadFixtures('invalid');
const execFileAsync = promisify(execFile);

/** The API server's own message from a refused request: the Status body's `message`. */
function statusMessage(error: k8s.ApiException<unknown>): string {
  const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

/** The API server's refusal of `request`; anything else (acceptance, a network error) fails the test. */
async function refusalOf(request: Promise<unknown>, what: string): Promise<k8s.ApiException<unknown>> {
  try {
    await request;
  } catch (error: unknown) {
    if (error instanceof k8s.ApiException) return error;
    throw error;
  }
  throw new Error(`${what} was accepted`);
}

describe('the FlinkSession CRD (crds/flinksession.yaml) on the real API server', () => {
  let kc: k8s.KubeConfig;
  let objects: k8s.CustomObjectsApi;
  let extensions: k8s.ApiextensionsV1Api;
  let core: k8s.CoreV1Api;
  const namespace = uniqueName('crd');
  const kubectlEnv = (): NodeJS.ProcessEnv => ({ ...process.env, KUBECONFIG: stackEndpoints().kubernetes.kubeconfig });

  const create = (manifest: FlinkSessionManifest, options: { dryRun?: boolean } = {}): Promise<unknown> =>
    objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: manifest,
      fieldValidation: 'Strict',
      ...(options.dryRun ? { dryRun: 'All' } : {}),
    });

  beforeAll(async () => {
    kc = kubeConfig();
    objects = kc.makeApiClient(k8s.CustomObjectsApi);
    extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // A new or changed CRD takes a moment to reach every API path.
    const minimal = validFixtures.find((f) => f.name === 'valid/minimal.yaml');
    if (!minimal) throw new Error('valid/minimal.yaml is missing');
    await eventually('the FlinkSession API to serve', () => create(minimal.manifest, { dryRun: true }));
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('has well-formed fixtures: enough of them, one FlinkSession each, no namespace, every invalid one with its expectation', () => {
    expect(validFixtures.length).toBeGreaterThanOrEqual(15);
    expect(invalidFixtures.length).toBeGreaterThanOrEqual(30);
    for (const { name, manifest } of [...validFixtures, ...invalidFixtures]) {
      expect({ name, apiVersion: manifest.apiVersion, kind: manifest.kind, namespace: manifest.metadata.namespace }).toEqual({
        name,
        apiVersion: `${group}/${version}`,
        kind: 'FlinkSession',
        namespace: undefined,
      });
    }
    expect(invalidFixtures.filter((f) => !f.expected).map((f) => f.name)).toEqual([]);
    // Unique names, so that no refusal is a mere "already exists".
    const names = [...validFixtures, ...invalidFixtures].map((f) => f.manifest.metadata.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it.each(validFixtures.map((f) => [f.name, f] as const))('accepts %s', async (_name, fixture) => {
    const created = (await create(fixture.manifest)) as FlinkSessionManifest;
    expect(created.metadata.name).toBe(fixture.manifest.metadata.name);
  });

  it.each(invalidFixtures.map((f) => [f.name, f] as const))('refuses %s', async (_name, fixture) => {
    const refusal = await refusalOf(create(fixture.manifest), `${fixture.name} (expected: ${fixture.expected})`);
    expect(refusal.code).toBeGreaterThanOrEqual(400);
    expect(refusal.code).toBeLessThan(500);
    expect(statusMessage(refusal)).toContain(fixture.expected);
  });

  it('kubectl apply refuses the misspelt AutoClean with "unknown field", and applies the earlier operator\'s sample', async () => {
    const autoClean = invalidFixtures.find((f) => f.name === 'invalid/unknown-field-AutoClean.yaml');
    const sample = validFixtures.find((f) => f.name === 'valid/earlier-operator-sample.yaml');
    if (!autoClean || !sample) throw new Error('a fixture this test relies on is missing');
    const refused = await execFileAsync('kubectl', ['apply', '--namespace', namespace, '-f', autoClean.path], { env: kubectlEnv() }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as { stderr?: string }).stderr).toContain('unknown field "spec.AutoClean"');

    await core.createNamespace({ body: { metadata: { name: `${namespace}-kubectl` } } });
    try {
      const applied = await execFileAsync('kubectl', ['apply', '--namespace', `${namespace}-kubectl`, '-f', sample.path], { env: kubectlEnv() });
      expect(applied.stdout).toContain('flinksession.flink.session-operator.io/flinksession-sample created');
    } finally {
      await core.deleteNamespace({ name: `${namespace}-kubectl` }).catch(() => undefined);
    }
  });

  it('fills in the defaults: flinkVersion 1.20, one slot, no autoClean, ha.type none, balancedSchedule None, Secret keys', async () => {
    const name = uniqueName('defaults');
    await create({
      apiVersion: `${group}/${version}`,
      kind: 'FlinkSession',
      metadata: { name },
      spec: {
        image: 'flink:1.20.1',
        ha: { path: '/flink' },
        s3: { endPoint: 'http://minio:9000', bucket: 'flink', credentialsSecret: { name: 's3' } },
        security: { kerberos: { principal: 'flink@EXAMPLE.COM', keytabSecret: { name: 'kt' }, krb5ConfigMap: { name: 'krb5' } } },
      },
    });
    const stored = (await objects.getNamespacedCustomObject({ group, version, namespace, plural, name })) as FlinkSessionManifest;
    expect(stored.spec).toMatchObject({
      flinkVersion: '1.20',
      numberOfTaskSlots: 1,
      autoClean: false,
      ha: { type: 'none', path: '/flink' },
      balancedSchedule: 'None',
      s3: { credentialsSecret: { name: 's3', accessKeyKey: 'accessKey', secretKeyKey: 'secretKey' } },
      security: { kerberos: { keytabSecret: { name: 'kt', key: 'krb5.keytab' }, krb5ConfigMap: { name: 'krb5', key: 'krb5.conf' } } },
    });
    // Left to Flink's own default (true), so that "kerberos without a keytab" is refused unless asked for.
    expect(stored.spec?.security).not.toHaveProperty('kerberos.useTicketCache');
  });

  it('shows PHASE, READY, REST, JOBS and AGE in kubectl get', async () => {
    const crd = await extensions.readCustomResourceDefinition({ name: `${plural}.${group}` });
    const columns = crd.spec.versions.find((v) => v.name === version)?.additionalPrinterColumns ?? [];
    expect(columns.map((c) => [c.name, c.jsonPath])).toEqual([
      ['PHASE', '.status.phase'],
      ['READY', '.status.conditions[?(@.type=="Ready")].status'],
      ['REST', '.status.jobManager.restService'],
      ['JOBS', '.status.jobs.running'],
      ['AGE', '.metadata.creationTimestamp'],
    ]);
    const name = uniqueName('columns');
    await create({ apiVersion: `${group}/${version}`, kind: 'FlinkSession', metadata: { name }, spec: { image: 'flink:1.20.1' } });
    const { stdout } = await execFileAsync('kubectl', ['get', 'fls', name, '--namespace', namespace], { env: kubectlEnv() });
    expect(stdout.split('\n')[0]?.split(/\s+/).filter(Boolean)).toEqual(['NAME', 'PHASE', 'READY', 'REST', 'JOBS', 'AGE']);
  });
});
