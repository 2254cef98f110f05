import * as k8s from '@kubernetes/client-node';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freePorts } from '../net/ports.ts';
import type { StackBinaries } from './binaries.ts';
import { renderKwokStages } from './kwok-stages.ts';
import { startProcess, waitUntilHealthy, type ManagedProcess } from './processes.ts';

export interface KubernetesEndpoints {
  /** https://127.0.0.1:port */
  server: string;
  kubeconfig: string;
  nodes: string[];
}

/** The programs it runs (paths from binaries.ts) and where it keeps state and logs. */
export interface KubernetesOptions extends Pick<StackBinaries, 'etcd' | 'kubeApiserver' | 'kubeControllerManager' | 'kubeScheduler' | 'kwok' | 'kwokStages'> {
  stateDir: string;
  logDir: string;
  nodeCount?: number;
}

/** The fake nodes kwok manages carry this annotation (kwok's own convention). */
/** What the controller-manager's and the scheduler's clients may send (requests/s, burst): 10× their defaults. */
const CONTROL_PLANE_CLIENT_RATE = ['--kube-api-qps=200', '--kube-api-burst=400'];
const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
const SERVICE_CIDR = '10.96.0.0/16';

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, creates fake nodes,
 * and writes a kubeconfig (https, 127.0.0.1, an admin token).
 */
export async function startKubernetes(options: KubernetesOptions): Promise<{ processes: ManagedProcess[]; endpoints: KubernetesEndpoints }> {
  const dir = join(options.stateDir, 'kubernetes');
  const certDir = join(dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  const processes: ManagedProcess[] = [];
  const [etcdPort, etcdPeerPort, apiPort, cmPort, schedulerPort, kwokPort] = (await freePorts(6)) as [number, number, number, number, number, number];
  try {
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess({
      name: 'etcd',
      command: options.etcd,
      args: [
        '--name',
        'stack',
        '--data-dir',
        join(dir, 'etcd'),
        '--listen-client-urls',
        etcdUrl,
        '--advertise-client-urls',
        etcdUrl,
        '--listen-peer-urls',
        `http://127.0.0.1:${etcdPeerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${etcdPeerPort}`,
        '--initial-cluster',
        `stack=http://127.0.0.1:${etcdPeerPort}`,
        '--unsafe-no-fsync',
        '--log-level',
        'warn',
      ],
      logDir: options.logDir,
    });
    processes.push(etcd);
    await waitUntilHealthy(
      etcd,
      async () => {
        const response = await fetch(`${etcdUrl}/health`);
        return response.ok ? true : undefined;
      },
      30_000,
    );

    const { saKey, saPub, token } = writeCredentials(dir);
    const apiserver = startProcess({
      name: 'kube-apiserver',
      command: options.kubeApiserver,
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${certDir}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=RBAC',
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--endpoint-reconciler-type=none',
        '--allow-privileged=true',
        '--v=0',
      ],
      logDir: options.logDir,
    });
    processes.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const caFile = join(certDir, 'apiserver.crt');
    await waitUntilHealthy(
      apiserver,
      async () => {
        if (!existsSync(caFile)) return undefined;
        const body = await httpsGet(`${server}/readyz`, readFileSync(caFile), token);
        return body === 'ok' ? true : undefined;
      },
      90_000,
    );

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, renderKubeconfig(server, readFileSync(caFile), token), { mode: 0o600 });

    // Both control-plane components talk to the API server with the admin kubeconfig and serve their
    // own /healthz on a self-signed port.
    const componentArgs = (port: number, certs: string): string[] => [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(certDir, certs)}`,
      '--v=0',
    ];
    const controllerManager = startProcess({
      name: 'kube-controller-manager',
      command: options.kubeControllerManager,
      args: [
        ...componentArgs(cmPort, 'controller-manager'),
        `--service-account-private-key-file=${saKey}`,
        `--root-ca-file=${caFile}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--use-service-account-credentials=false',
        '--controllers=*',
        // The controllers' client sends 20 requests/s by default (bursts of 30): many sessions created at
        // once (bench/many-sessions.ts) each need a launch Job's pod, a JobManager Deployment's ReplicaSet
        // and pod and their status writes, so at that rate the controllers, not the operator, set the pace.
        ...CONTROL_PLANE_CLIENT_RATE,
      ],
      logDir: options.logDir,
    });
    processes.push(controllerManager);
    const scheduler = startProcess({
      name: 'kube-scheduler',
      command: options.kubeScheduler,
      args: [...componentArgs(schedulerPort, 'scheduler'), ...CONTROL_PLANE_CLIENT_RATE],
      logDir: options.logDir,
    });
    processes.push(scheduler);
    const stagesFile = join(dir, 'kwok-stages.yaml');
    writeFileSync(stagesFile, renderKwokStages(options.kwokStages));
    const kwok = startProcess({
      name: 'kwok',
      command: options.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--config=${stagesFile}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        '--node-lease-duration-seconds=40',
        '--cidr=10.244.0.0/16',
        '--node-ip=10.200.0.1',
        `--server-address=127.0.0.1:${kwokPort}`,
      ],
      logDir: options.logDir,
    });
    processes.push(kwok);
    const healthz: Array<[ManagedProcess, string]> = [
      [controllerManager, `https://127.0.0.1:${cmPort}/healthz`],
      [scheduler, `https://127.0.0.1:${schedulerPort}/healthz`],
      [kwok, `http://127.0.0.1:${kwokPort}/healthz`],
    ];
    for (const [component, url] of healthz) {
      await waitUntilHealthy(
        component,
        async () => {
          const body = url.startsWith('https:') ? await httpsGet(url, undefined, undefined) : await (await fetch(url)).text();
          return body === 'ok' ? true : undefined;
        },
        60_000,
      );
    }

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const nodes = await createFakeNodes(kc, options.nodeCount ?? 2);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    // Pods need the namespace's default ServiceAccount, which the controller-manager creates.
    await waitUntilHealthy(
      controllerManager,
      async () => {
        const list = await core.listNamespacedServiceAccount({ namespace: 'default' });
        return list.items.some((sa) => sa.metadata?.name === 'default') ? true : undefined;
      },
      60_000,
    );
    await waitUntilHealthy(
      kwok,
      async () => {
        const list = await core.listNode();
        const ready = list.items.filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length >= nodes.length ? true : undefined;
      },
      60_000,
    );
    return { processes, endpoints: { server, kubeconfig, nodes } };
  } catch (error: unknown) {
    await Promise.all(processes.reverse().map((p) => p.stop()));
    throw error;
  }
}

function writeCredentials(dir: string): { saKey: string; saPub: string; token: string } {
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  const tokens = join(dir, 'tokens.csv');
  if (!existsSync(saKey)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  if (!existsSync(tokens)) {
    writeFileSync(tokens, `${randomBytes(24).toString('hex')},stack-admin,stack-admin,system:masters\n`, { mode: 0o600 });
  }
  const token = readFileSync(tokens, 'utf8').split(',')[0]!;
  return { saKey, saPub, token };
}

export function renderKubeconfig(server: string, ca: Buffer, token: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stack', cluster: { server, 'certificate-authority-data': ca.toString('base64') } }],
      users: [{ name: 'stack-admin', user: { token } }],
      contexts: [{ name: 'stack', context: { cluster: 'stack', user: 'stack-admin', namespace: 'default' } }],
      'current-context': 'stack',
    },
    null,
    2,
  );
}

async function createFakeNodes(kc: k8s.KubeConfig, count: number): Promise<string[]> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `kwok-node-${i}`;
    names.push(name);
    const node: k8s.V1Node = {
      metadata: {
        name,
        annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
      },
      status: {
        allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
        capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      },
    };
    try {
      await core.createNode({ body: node });
    } catch (error: unknown) {
      if (!(error instanceof k8s.ApiException && error.code === 409)) throw error;
    }
  }
  return names;
}

/** GET over https; without a CA the peer is not verified (only for components' own /healthz). */
function httpsGet(url: string, ca: Buffer | undefined, token: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca,
        rejectUnauthorized: ca !== undefined,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        timeout: 2_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
