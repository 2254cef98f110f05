// The install manifests (deploy/): what `kubectl kustomize` renders, that the real API server accepts
// every object (server-side dry run, strict field validation), that the CRD is crds/' own, that RBAC
// has no wildcard and no borrowed admin role, and that the Deployments are probed, bounded, locked
// down and configured only with documented variables.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FLINKSESSION_KIND } from '../../model/names.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { kubeConfig, stackEndpoints } from '../support/stack.ts';
import {
  CRDS,
  documentedVariables,
  ofKind,
  parseObjects,
  readRepoFile,
  renderKustomization,
  repoPath,
  theOne,
  type BindingObject,
  type KubeObject,
  type RoleObject,
} from './support.ts';

const execFileAsync = promisify(execFile);

const OPERATOR_NAMESPACE = 'flink-session-operator';
const METRICS_PORT = 9464;
/** Roles that grant far more than an operator needs; binding one defeats writing a ClusterRole. */
const BROAD_ROLES = ['cluster-admin', 'admin', 'edit', 'system:masters'];

interface Container {
  name: string;
  args?: string[];
  env?: Array<{ name: string }>;
  envFrom?: Array<{ configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

interface DeploymentObject extends KubeObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { serviceAccountName?: string; securityContext?: SecurityContext; containers: Container[] };
    };
  };
}

interface ServiceObject extends KubeObject {
  spec: { selector: Record<string, string>; ports: Array<{ name?: string; port: number; targetPort?: string | number }> };
}

/** `kubectl <args>` against the test API server as its admin, with `input` on stdin. */
function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: stackEndpoints().kubernetes.kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Server-side dry run with strict field validation: what `kubectl apply` would be told, nothing stored. */
async function dryRunApply(yaml: string): Promise<string[]> {
  const result = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], yaml);
  if (result.code !== 0) throw new Error(`the API server refused the manifests:\n${result.stderr}${result.stdout}`);
  return result.stdout.trim().split('\n');
}

describe('deploy/: the install manifests', () => {
  let rendered: KubeObject[];
  let renderedYaml: string;
  let flinkNamespace: { yaml: string; objects: KubeObject[] };
  let exampleFiles: Record<string, KubeObject[]>;
  let deployments: DeploymentObject[];

  beforeAll(async () => {
    ({ objects: rendered, yaml: renderedYaml } = await renderKustomization('deploy'));
    flinkNamespace = await renderKustomization('deploy/examples/flink-namespace');
    exampleFiles = Object.fromEntries(
      ['deploy/examples/temporal-secrets.yaml', 'deploy/examples/compose-session.yaml', 'deploy/examples/flinksessionjob.yaml'].map((file) => [
        file,
        parseObjects(readRepoFile(file), file),
      ]),
    );
    deployments = ofKind<DeploymentObject>(rendered, 'Deployment');
    // Namespaced objects can be dry-run only into a namespace that exists, a pod only with its service
    // account; the CRD must be served for the example FlinkSession.
    for (const object of [theOne(rendered, 'Namespace'), theOne(flinkNamespace.objects, 'Namespace'), ...ofKind(rendered, 'ServiceAccount')]) {
      const applied = await kubectl(['apply', '-f', '-'], JSON.stringify(object));
      if (applied.code !== 0) throw new Error(applied.stderr);
    }
    await installFlinkSessionCrd(kubeConfig());
  });

  it('`kubectl kustomize deploy/` renders the CRD, the namespace, RBAC, settings, both Deployments and the metrics Service', () => {
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/flink-session-operator-watcher',
      'ClusterRole/flink-session-operator-worker',
      'ClusterRoleBinding/flink-session-operator-watcher',
      'ClusterRoleBinding/flink-session-operator-worker',
      'ConfigMap/flink-session-operator',
      'CustomResourceDefinition/flinksessionjobs.flink.session-operator.io',
      'CustomResourceDefinition/flinksessions.flink.session-operator.io',
      'Deployment/flink-session-operator-watcher',
      'Deployment/flink-session-operator-worker',
      'Namespace/flink-session-operator',
      'Service/flink-session-operator-metrics',
      'ServiceAccount/flink-session-operator-watcher',
      'ServiceAccount/flink-session-operator-worker',
    ]);
    for (const object of rendered.filter((o) => !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))) {
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(OPERATOR_NAMESPACE);
    }
  });

  it('the CRDs it installs are crds/flinksession.yaml and crds/flinksessionjob.yaml, not copies that can drift', () => {
    for (const [name, file] of CRDS) expect(theOne(rendered, 'CustomResourceDefinition', name)).toEqual(parse(readRepoFile(file)));
  });

  it('the API server accepts every object (server-side dry run, strict field validation)', async () => {
    const lines = await dryRunApply(renderedYaml);
    expect(lines).toHaveLength(rendered.length);
    for (const line of lines) expect(line).toMatch(/\(server dry run\)$/);
  });

  it('and every object of the example Flink namespace and of the example files', async () => {
    expect(await dryRunApply(flinkNamespace.yaml)).toHaveLength(flinkNamespace.objects.length);
    for (const [file, objects] of Object.entries(exampleFiles)) {
      const lines = await dryRunApply(readRepoFile(file));
      expect(lines, file).toHaveLength(objects.length);
    }
    expect(ofKind(exampleFiles['deploy/examples/compose-session.yaml']!, FLINKSESSION_KIND)).toHaveLength(1);
  });

  describe('RBAC', () => {
    const allObjects = (): KubeObject[] => [...rendered, ...flinkNamespace.objects, ...Object.values(exampleFiles).flat()];
    const roles = (): RoleObject[] => allObjects().filter((o): o is RoleObject => o.kind === 'ClusterRole' || o.kind === 'Role');
    const bindings = (): BindingObject[] => allObjects().filter((o): o is BindingObject => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding');

    it('no ClusterRole or Role has a wildcard verb, resource or API group', () => {
      expect(roles().length).toBeGreaterThanOrEqual(3);
      for (const role of roles()) {
        for (const rule of role.rules ?? []) {
          const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(rule)}`;
          expect(rule.verbs, where).not.toContain('*');
          expect(rule.resources ?? [], where).not.toContain('*');
          expect(rule.apiGroups ?? [], where).not.toContain('*');
          expect(rule.nonResourceURLs, where).toBeUndefined();
          for (const verb of ['escalate', 'bind', 'impersonate']) expect(rule.verbs, where).not.toContain(verb);
        }
      }
    });

    it('no binding grants cluster-admin, admin or edit; every binding names a role defined here', () => {
      const defined = new Set(roles().map((r) => `${r.kind}/${r.metadata.name}`));
      for (const binding of bindings()) {
        expect(BROAD_ROLES, `${binding.kind}/${binding.metadata.name}`).not.toContain(binding.roleRef.name);
        expect(defined, `${binding.kind}/${binding.metadata.name}`).toContain(`${binding.roleRef.kind}/${binding.roleRef.name}`);
      }
    });

    it('the operator reads only the Secrets it is told about: no list or watch of secrets, no pods/exec; the watcher none at all', () => {
      for (const component of ['watcher', 'worker']) {
        for (const rule of theOne<RoleObject>(rendered, 'ClusterRole', `flink-session-operator-${component}`).rules ?? []) {
          if (rule.resources?.includes('secrets')) expect(rule.verbs.filter((v) => v === 'list' || v === 'watch')).toEqual([]);
          expect(rule.resources ?? []).not.toContain('pods/exec');
        }
      }
      const watcherRole = theOne<RoleObject>(rendered, 'ClusterRole', 'flink-session-operator-watcher');
      expect((watcherRole.rules ?? []).flatMap((rule) => rule.resources ?? [])).not.toContain('secrets');
    });

    it('each Deployment runs as a service account of its own, bound to the ClusterRole of its component', () => {
      const accounts = new Set<string>();
      for (const deployment of deployments) {
        const component = deployment.metadata.name.replace(/^flink-session-operator-/, '');
        const accountName = deployment.spec.template.spec.serviceAccountName;
        const account = theOne(rendered, 'ServiceAccount', accountName);
        const binding = theOne<BindingObject>(rendered, 'ClusterRoleBinding', `flink-session-operator-${component}`);
        expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `flink-session-operator-${component}` });
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
        accounts.add(accountName!);
      }
      expect(accounts.size).toBe(2);
    });
  });

  describe('the watcher and worker Deployments', () => {
    it('run the one program as `watcher` and as `worker`', () => {
      expect(deployments.map((d) => d.spec.template.spec.containers.map((c) => c.args))).toEqual(expect.arrayContaining([[['watcher']], [['worker']]]));
      expect(deployments).toHaveLength(2);
      for (const deployment of deployments) {
        expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      }
    });

    it('are probed on /healthz (liveness) and /readyz (readiness) at the port named metrics, 9464 = FSO_METRICS_PORT', () => {
      const settings = theOne<KubeObject & { data: Record<string, string> }>(rendered, 'ConfigMap').data;
      if (settings.FSO_METRICS_PORT !== undefined) expect(Number(settings.FSO_METRICS_PORT)).toBe(METRICS_PORT);
      for (const deployment of deployments) {
        for (const container of deployment.spec.template.spec.containers) {
          const where = `${deployment.metadata.name}/${container.name}`;
          expect(container.ports, where).toContainEqual({ name: 'metrics', containerPort: METRICS_PORT });
          expect(container.livenessProbe?.httpGet, where).toEqual({ path: '/healthz', port: 'metrics' });
          expect(container.readinessProbe?.httpGet, where).toEqual({ path: '/readyz', port: 'metrics' });
        }
      }
    });

    it("make pods the namespace's `restricted` Pod Security admission lets in (dry run of each pod template)", async () => {
      const namespace = theOne(rendered, 'Namespace');
      expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const deployment of deployments) {
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${deployment.metadata.name}-admission-check`, namespace: OPERATOR_NAMESPACE, labels: deployment.spec.template.metadata.labels },
          spec: deployment.spec.template.spec,
        };
        const result = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
        expect(`${result.stderr}${result.stdout}`, deployment.metadata.name).toMatch(/created \(server dry run\)/);
      }
    });

    it('ask for CPU and memory and are capped in memory', () => {
      for (const deployment of deployments) {
        for (const container of deployment.spec.template.spec.containers) {
          expect(Object.keys(container.resources?.requests ?? {}).sort(), deployment.metadata.name).toEqual(['cpu', 'memory']);
          expect(container.resources?.limits?.memory, deployment.metadata.name).toBeDefined();
        }
      }
    });

    it('run as non-root on a read-only root file system, without privilege escalation, capabilities or the default seccomp gap', () => {
      for (const deployment of deployments) {
        const pod = deployment.spec.template.spec;
        for (const container of pod.containers) {
          const effective = { ...pod.securityContext, ...container.securityContext };
          const where = `${deployment.metadata.name}/${container.name}`;
          expect(effective.runAsNonRoot, where).toBe(true);
          expect(effective.runAsUser === undefined || effective.runAsUser > 0, where).toBe(true);
          expect(effective.readOnlyRootFilesystem, where).toBe(true);
          expect(effective.allowPrivilegeEscalation, where).toBe(false);
          expect(effective.privileged ?? false, where).toBe(false);
          expect(effective.capabilities?.drop, where).toEqual(['ALL']);
          expect(effective.capabilities?.add ?? [], where).toEqual([]);
          expect(effective.seccompProfile, where).toEqual({ type: 'RuntimeDefault' });
        }
      }
    });

    it("set only environment variables the README's configuration table documents", () => {
      const documented = documentedVariables(readRepoFile('README.md'));
      const everything = [...rendered, ...Object.values(exampleFiles).flat()];
      const set = new Map<string, string>();
      for (const deployment of deployments) {
        for (const container of deployment.spec.template.spec.containers) {
          for (const env of container.env ?? []) set.set(env.name, `${deployment.metadata.name} env`);
          for (const source of container.envFrom ?? []) {
            const ref = source.configMapRef ?? source.secretRef!;
            const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
            const object = everything.find((o) => o.kind === kind && o.metadata.name === ref.name && o.metadata.namespace === OPERATOR_NAMESPACE) as
              (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
            if (!object) {
              expect(ref.optional, `${kind} ${ref.name} is neither in deploy/ nor optional`).toBe(true);
              continue;
            }
            for (const key of Object.keys({ ...object.data, ...object.stringData })) set.set(key, `${kind} ${ref.name}`);
          }
        }
      }
      expect(set.size).toBeGreaterThan(5);
      const undocumented = [...set].filter(([name]) => !documented.has(name)).map(([name, from]) => `${name} (${from})`);
      expect(undocumented, 'add them to the table in README.md, "Configuration"').toEqual([]);
    });

    it('are scraped through the metrics Service (port metrics) and prometheus.io annotations', () => {
      const service = theOne<ServiceObject>(rendered, 'Service', 'flink-session-operator-metrics');
      expect(service.spec.ports).toEqual([{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics' }]);
      for (const deployment of deployments) {
        expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
        expect((deployment.spec.template.metadata as { annotations?: Record<string, string> }).annotations).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(METRICS_PORT),
          'prometheus.io/path': '/metrics',
        });
      }
    });
  });

  it('`kubectl apply -k deploy/` works as is (server-side dry run)', async () => {
    const { stdout } = await execFileAsync('kubectl', ['apply', '-k', repoPath('deploy'), '--dry-run=server'], {
      env: { ...process.env, KUBECONFIG: stackEndpoints().kubernetes.kubeconfig },
    });
    expect(stdout.trim().split('\n')).toHaveLength(rendered.length);
  });
});
