// docker-compose.yml, read without Docker (the project's machines have no engine): the services are
// there with pinned images of the versions the tests run against, the operator is built from the
// Dockerfile and configured only with documented variables, and every address in the wiring — the
// operator's Temporal and Kubernetes, the example session's S3 and ZooKeeper — names a service of the
// file on a port that service listens on. No server is needed.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { FLINKSESSION_KIND } from '../../model/names.ts';
import { validateSpec } from '../../model/validate.ts';
import { documentedVariables, parseObjects, readRepoFile, repoPath, type KubeObject } from './support.ts';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string> | string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  privileged?: boolean;
  healthcheck?: { test: string[] };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { ipam?: { config?: Array<{ subnet: string }> } }>;
}

const compose = parse(readRepoFile('docker-compose.yml')) as ComposeFile;
const services = compose.services;
const versions = Object.fromEntries(
  readRepoFile('stack/versions.env')
    .split('\n')
    .map((line) => /^([A-Z_]+)="?([^"]*)"?$/.exec(line.trim()))
    .filter((m) => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);

const service = (name: string): ComposeService => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

const environment = (s: ComposeService): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(
        s.environment.map((entry) => {
          const [key, ...value] = entry.split('=');
          return [key!, value.join('=')];
        }),
      )
    : { ...s.environment };

/** Container ports a service publishes ("host:container"). */
const containerPorts = (s: ComposeService): number[] => (s.ports ?? []).map((p) => Number(String(p).split(':').at(-1)!.split('/')[0]));

/** `docker compose`'s argv of a command/entrypoint, joined, for reading flags out of it. */
const commandLine = (s: ComposeService): string =>
  [s.entrypoint, s.command]
    .flat()
    .filter((part) => part !== undefined)
    .join(' ');

const fixedAddress = (s: ComposeService): string | undefined =>
  Array.isArray(s.networks) || !s.networks ? undefined : Object.values(s.networks).find((n) => n?.ipv4_address)?.ipv4_address;

const imageTag = (image: string): { repository: string; tag: string | undefined } => {
  const slash = image.lastIndexOf('/');
  const colon = image.indexOf(':', slash + 1);
  return colon < 0 ? { repository: image, tag: undefined } : { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
};

function inSubnet(address: string, subnet: string): boolean {
  const toNumber = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const [base, bits] = subnet.split('/');
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (toNumber(address) & mask) >>> 0 === (toNumber(base!) & mask) >>> 0;
}

describe('docker-compose.yml', () => {
  it('has Temporal, ZooKeeper, S3, a k3s node and the operator', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['temporal', 'zookeeper', 's3', 'k3s', 'operator']));
  });

  it('pins every image to a version (no `latest`, no bare name), the same versions the tests run against', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image === undefined) continue;
      const { tag } = imageTag(s.image);
      expect(tag, `${name}: ${s.image}`).toBeDefined();
      expect(tag, `${name}: ${s.image}`).not.toMatch(/^latest$/);
    }
    expect(imageTag(service('temporal').image!)).toEqual({ repository: 'temporalio/temporal', tag: versions.TEMPORAL_VERSION });
    expect(imageTag(service('s3').image!)).toEqual({ repository: 'versity/versitygw', tag: `v${versions.VERSITYGW_VERSION}` });
    expect(imageTag(service('zookeeper').image!).repository).toBe('zookeeper');
    const k3s = imageTag(service('k3s').image!);
    expect(k3s.repository).toBe('rancher/k3s');
    const kubeMinor = versions.KUBE_VERSION!.split('.').slice(0, 2).join('.');
    expect(k3s.tag).toMatch(new RegExp(`^v${kubeMinor.replace('.', '\\.')}\\.\\d+-k3s\\d+$`));
  });

  it("publishes Temporal (7233, UI 8233), ZooKeeper (2181), S3 (7070), Kubernetes (6443) and the operator's metrics (9464)", () => {
    expect(containerPorts(service('temporal'))).toEqual(expect.arrayContaining([7233, 8233]));
    expect(commandLine(service('temporal'))).toMatch(/--ui-port 8233\b/);
    expect(containerPorts(service('zookeeper'))).toContain(2181);
    expect(containerPorts(service('s3'))).toContain(7070);
    expect(commandLine(service('s3'))).toMatch(/--port :7070\b/);
    expect(containerPorts(service('k3s'))).toContain(6443);
    expect(containerPorts(service('operator'))).toContain(9464);
  });

  it("runs k3s privileged (it runs containerd and manages cgroups) and Temporal with the operator's search attributes", () => {
    expect(service('k3s').privileged).toBe(true);
    for (const attribute of ['FlinkSessionNamespace=Keyword', 'FlinkSessionName=Keyword', 'FlinkSessionGeneration=Int']) {
      expect(commandLine(service('temporal'))).toContain(`--search-attribute ${attribute}`);
    }
  });

  describe('the operator service', () => {
    const operator = service('operator');
    const env = environment(operator);

    it('is built from the Dockerfile and runs `run` (watcher and worker in one process)', () => {
      const build = typeof operator.build === 'string' ? { context: operator.build } : operator.build;
      expect(build?.context).toBe('.');
      expect(build?.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
      expect(existsSync(repoPath('Dockerfile'))).toBe(true);
      expect([operator.command].flat()).toEqual(['run']);
    });

    it('starts after Temporal is healthy and the kubeconfig for k3s is written, which waits for k3s to be healthy', () => {
      const dependsOn = operator.depends_on as Record<string, { condition: string }>;
      expect(dependsOn.temporal).toEqual({ condition: 'service_healthy' });
      expect(dependsOn.kubeconfig).toEqual({ condition: 'service_completed_successfully' });
      expect(Object.keys(dependsOn)).toEqual(expect.arrayContaining(['zookeeper', 's3']));
      expect((service('kubeconfig').depends_on as Record<string, { condition: string }>).k3s).toEqual({ condition: 'service_healthy' });
      for (const name of ['temporal', 'k3s']) expect(service(name).healthcheck?.test, name).toBeDefined();
    });

    it("sets only environment variables the README's configuration table documents", () => {
      const documented = documentedVariables(readRepoFile('README.md'));
      expect(Object.keys(env).length).toBeGreaterThan(3);
      expect(
        Object.keys(env).filter((name) => !documented.has(name)),
        'add them to the table in README.md, "Configuration"',
      ).toEqual([]);
    });

    it('names Temporal by its service name and port', () => {
      const [host, port] = env.TEMPORAL_ADDRESS!.split(':');
      expect(host).toBe('temporal');
      expect(commandLine(service('temporal'))).toContain(`--port ${port}`);
      expect(containerPorts(service('temporal'))).toContain(Number(port));
      expect(env.FSO_METRICS_PORT ?? '9464').toBe('9464');
    });

    it('reads a kubeconfig that names k3s by its service name, on a volume the kubeconfig service writes and k3s fills', () => {
      const kubeconfigDir = env.KUBECONFIG!.slice(0, env.KUBECONFIG!.lastIndexOf('/'));
      const operatorMount = operator.volumes!.find((v) => v.split(':')[1] === kubeconfigDir);
      expect(operatorMount, `a volume mounted at ${kubeconfigDir}`).toBeDefined();
      const source = operatorMount!.split(':')[0];
      const k3sMount = service('k3s').volumes!.find((v) => v.split(':')[0] === source)!;
      const writerMount = service('kubeconfig').volumes!.find((v) => v.split(':')[0] === source)!;
      expect(k3sMount).toBeDefined();
      expect(writerMount).toBeDefined();
      const k3sOutput = environment(service('k3s')).K3S_KUBECONFIG_OUTPUT!;
      expect(k3sOutput.startsWith(`${k3sMount.split(':')[1]}/`)).toBe(true);
      const script = commandLine(service('kubeconfig'));
      const file = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
      expect(script).toContain(`${writerMount.split(':')[1]}/${file(k3sOutput)}`);
      expect(script).toContain(`> ${writerMount.split(':')[1]}/${file(env.KUBECONFIG!)}`);
      expect(script).toContain('https://k3s:6443');
      expect(commandLine(service('k3s'))).toContain('--tls-san=k3s');
    });
  });

  describe('the example session for it (deploy/examples/compose-session.yaml)', () => {
    const objects = parseObjects(readRepoFile('deploy/examples/compose-session.yaml'), 'compose-session.yaml');
    const session = objects.find((o) => o.kind === FLINKSESSION_KIND) as KubeObject & { spec: FlinkSessionSpec };
    const subnet = compose.networks?.fso?.ipam?.config?.[0]?.subnet;

    it('names S3 and ZooKeeper by the fixed addresses and ports of the compose services (pods in k3s cannot resolve service names)', () => {
      expect(subnet).toBeDefined();
      const s3Address = fixedAddress(service('s3'));
      const zookeeperAddress = fixedAddress(service('zookeeper'));
      expect(s3Address && inSubnet(s3Address, subnet!)).toBe(true);
      expect(zookeeperAddress && inSubnet(zookeeperAddress, subnet!)).toBe(true);
      const s3Port = /--port :(\d+)/.exec(commandLine(service('s3')))![1];
      expect(session.spec.s3?.endPoint).toBe(`http://${s3Address}:${s3Port}`);
      expect(session.spec.ha?.quorum).toBe(`${zookeeperAddress}:2181`);
    });

    it("uses the S3 server's credentials, through a Secret", () => {
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === session.spec.s3?.credentialsSecret?.name) as
        (KubeObject & { stringData: Record<string, string> }) | undefined;
      const s3Env = environment(service('s3'));
      expect(secret?.metadata.namespace).toBe(session.metadata.namespace);
      expect(secret?.stringData).toEqual({ accessKey: s3Env.ROOT_ACCESS_KEY, secretKey: s3Env.ROOT_SECRET_KEY });
    });

    it('is a spec the operator accepts, for a real Flink 1.20 image whose S3 plugin it enables', () => {
      expect(validateSpec(session.spec)).toEqual([]);
      const version = /^flink:(1\.20\.\d+)$/.exec(session.spec.image)?.[1];
      expect(version).toBeDefined();
      const flinkConf = session.spec.config?.['flink-conf.yaml'] ?? '';
      for (const prefix of ['containerized.master.env', 'containerized.taskmanager.env']) {
        expect(flinkConf).toContain(`${prefix}.ENABLE_BUILT_IN_PLUGINS: flink-s3-fs-hadoop-${version}.jar`);
      }
    });

    it('runs Flink as the service account deploy/examples/flink-namespace/ creates, in its namespace', () => {
      const [account] = parseObjects(readRepoFile('deploy/examples/flink-namespace/service-account.yaml'), 'service-account.yaml');
      expect(session.spec.sa).toBe(account!.metadata.name);
      expect(session.metadata.namespace).toBe(account!.metadata.namespace);
    });
  });
});
