// `helm install` of the chart into the test API server, and the operator running as installed: the
// chart's pods cannot run on kwok nodes (kwok only pretends to run containers), so — as
// least-privilege.test.ts does for deploy/ — the watcher and the worker run as processes with a token
// of the service account the chart created (so with only the chart's RBAC) and with the environment
// the installed ConfigMap holds (only each process's metrics port differs: two processes cannot share
// 9464). A FlinkSession becomes Ready (its JobManager, Flink's own, run by the stack's Flink kubelet
// as a local process with the flink account's token); `helm upgrade` with another setting rolls both Deployments;
// `helm uninstall` removes the release but leaves the CRD and the FlinkSessions.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { API_GROUP, FLINKSESSION_PLURAL } from '../../model/names.ts';
import { startFlinkRestProxy, type FlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { sessionApi } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';
import { kubectl, serviceAccountKubeconfig, setUpFlinkNamespace } from './accounts.ts';
import { CHART_DIR, CHECKSUM_ANNOTATION, helm } from './helm.ts';
import { repoPath } from './support.ts';

const CRD = `${FLINKSESSION_PLURAL}.${API_GROUP}`;

describe('helm install, upgrade and uninstall of the chart on the test API server', () => {
  const release = uniqueName('fso');
  const operatorNamespace = uniqueName('helm-op');
  const sessionNamespace = uniqueName('helm-fls');
  const name = 'charted';
  const fullname = `${release}-flink-session-operator`;
  const components = ['watcher', 'worker'] as const;
  let stack: StackEndpoints;
  let admin: string;
  let dir: string;
  let rest: FlinkRestProxy;
  let kubelet: LaunchKubelet | undefined;
  let operator: OperatorProcesses | undefined;
  let apps: k8s.AppsV1Api;
  let core: k8s.CoreV1Api;
  let sessions: ReturnType<typeof sessionApi>;

  const deployment = (component: string) => apps.readNamespacedDeployment({ name: `${fullname}-${component}`, namespace: operatorNamespace });
  const helmAsAdmin = async (args: string[]): Promise<string> => {
    const result = await helm(args, admin);
    if (result.code !== 0) throw new Error(`helm ${args[0]} failed:\n${result.stderr}`);
    return result.stdout;
  };

  beforeAll(async () => {
    stack = stackEndpoints();
    admin = stack.kubernetes.kubeconfig;
    const kc = kubeConfig();
    apps = kc.makeApiClient(k8s.AppsV1Api);
    core = kc.makeApiClient(k8s.CoreV1Api);
    sessions = sessionApi(kc, sessionNamespace);
    dir = mkdtempSync(join(tmpdir(), 'fso-helm-'));
    // The JobManagers' REST, once the kubelet (below) runs them: the address goes into the values file first.
    rest = await startFlinkRestProxy((ns, session) => (ns === sessionNamespace ? kubelet?.flink?.restUrl(ns, session) : undefined));
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await rest?.close();
  });

  it("helm install creates the CRD, the release's objects, and nothing outside them", async () => {
    // The settings a platform team would put into its values file, here pointing at the test stack.
    const values = join(dir, 'values.yaml');
    writeFileSync(
      values,
      stringify({
        config: {
          TEMPORAL_ADDRESS: stack.temporal.address,
          TEMPORAL_NAMESPACE: stack.temporal.namespace,
          TEMPORAL_TASK_QUEUE: uniqueName('fso-helm'),
          TEMPORAL_UI_URL: stack.temporal.uiUrl,
          FSO_WATCH_NAMESPACES: sessionNamespace,
          FSO_REST_URL_TEMPLATE: rest.urlTemplate,
          FSO_POLL_INTERVAL_MS: '250',
          FSO_READINESS_DEADLINE_SECONDS: '120',
        },
      }),
    );
    await helmAsAdmin(['install', release, repoPath(CHART_DIR), '--namespace', operatorNamespace, '--create-namespace', '-f', values]);
    const crd = await kubectl(admin, ['get', 'crd', CRD, '-o', 'name']);
    expect(crd.stdout.trim()).toBe(`customresourcedefinition.apiextensions.k8s.io/${CRD}`);
    const listed = await kubectl(admin, [
      'get',
      'deployment,serviceaccount,configmap,service',
      '-n',
      operatorNamespace,
      '-l',
      `app.kubernetes.io/instance=${release}`,
      '-o',
      'name',
    ]);
    expect(listed.stdout.trim().split('\n').sort()).toEqual([
      `configmap/${fullname}`,
      `deployment.apps/${fullname}-watcher`,
      `deployment.apps/${fullname}-worker`,
      `service/${fullname}-metrics`,
      `serviceaccount/${fullname}-watcher`,
      `serviceaccount/${fullname}-worker`,
    ]);
    for (const component of components) expect((await deployment(component)).spec?.template.spec?.containers[0]?.args).toEqual([component]);
  });

  it("the operator, run with the chart's service accounts and ConfigMap, brings a FlinkSession to Ready", async () => {
    const settings = (await core.readNamespacedConfigMap({ name: fullname, namespace: operatorNamespace })).data ?? {};
    expect(settings.FSO_WATCH_NAMESPACES).toBe(sessionNamespace);
    const kubeconfigs = { watcher: '', worker: '' };
    for (const component of components) {
      const account = (await deployment(component)).spec?.template.spec?.serviceAccountName;
      expect(account).toBe(`${fullname}-${component}`);
      kubeconfigs[component] = await serviceAccountKubeconfig(stack, dir, { name: account!, namespace: operatorNamespace });
      const whoami = await kubectl(kubeconfigs[component], ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
      expect(whoami.stdout).toBe(`system:serviceaccount:${operatorNamespace}:${account}`);
    }

    const flink = await setUpFlinkNamespace(stack, dir, sessionNamespace);
    // Flink's client and the JobManager it creates (Flink's own entrypoint, a local process) run with the flink account's token.
    kubelet = startLaunchKubelet(kubeConfig(), { ...stack, kubernetes: { ...stack.kubernetes, kubeconfig: flink.kubeconfig } }, sessionNamespace, {
      flinkPods: 'process',
    });
    operator = await startOperator({
      stack,
      namespace: sessionNamespace,
      taskQueue: settings.TEMPORAL_TASK_QUEUE!,
      restUrlTemplate: settings.FSO_REST_URL_TEMPLATE!,
      kubeconfig: kubeconfigs,
      environment: settings,
    });
    await core.createNamespacedSecret({
      namespace: sessionNamespace,
      body: {
        metadata: { name: 'charted-s3' },
        stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey },
      },
    });
    await sessions.create(name, {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: flink.account,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: stack.s3.endpoint, bucket: uniqueName('helm'), credentialsSecret: { name: 'charted-s3' } },
      ha: { type: 'kubernetes' },
    });
    const ready = await sessions.waitReady(name, 1, 180_000);
    expect(ready.status?.jobManager?.deployment).toBe(name);
    // Ready is the real JobManager's REST answering: one JobManager process runs for the session.
    expect(kubelet.flink!.running().filter((p) => p.session === name && p.component === 'jobmanager')).toHaveLength(1);
    expect(ready.metadata.finalizers?.length).toBeGreaterThan(0);
    expect(await sessions.eventReasons(name)).toEqual(expect.arrayContaining(['Deploying', 'Launched', 'Ready']));
  });

  it('helm upgrade with another setting updates the ConfigMap and rolls both Deployments (new checksum, new ReplicaSet)', async () => {
    const before = await Promise.all(
      components.map(async (component) => {
        const d = await deployment(component);
        return { generation: d.metadata?.generation ?? 0, checksum: d.spec?.template.metadata?.annotations?.[CHECKSUM_ANNOTATION] };
      }),
    );
    await helmAsAdmin(['upgrade', release, repoPath(CHART_DIR), '--namespace', operatorNamespace, '--reuse-values', '--set', 'config.FSO_LOG_LEVEL=debug']);
    const settings = (await core.readNamespacedConfigMap({ name: fullname, namespace: operatorNamespace })).data ?? {};
    expect(settings.FSO_LOG_LEVEL).toBe('debug');
    for (const [i, component] of components.entries()) {
      const after = await deployment(component);
      expect(after.metadata?.generation, component).toBeGreaterThan(before[i]!.generation);
      expect(after.spec?.template.metadata?.annotations?.[CHECKSUM_ANNOTATION], component).not.toBe(before[i]!.checksum);
      // The Deployment controller makes a ReplicaSet for the new pod template: the rollout.
      await eventually(`a second ReplicaSet of the ${component}`, async () => {
        const sets = await apps.listNamespacedReplicaSet({
          namespace: operatorNamespace,
          labelSelector: `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${component}`,
        });
        return sets.items.length >= 2 ? true : undefined;
      });
    }
    expect(await sessions.read(name)).toBeDefined();
  });

  it('helm uninstall removes the release, and leaves the CRD and the FlinkSession', async () => {
    await operator?.stop();
    operator = undefined;
    await helmAsAdmin(['uninstall', release, '--namespace', operatorNamespace]);
    const left = await kubectl(admin, [
      'get',
      'deployment,serviceaccount,configmap,service',
      '-n',
      operatorNamespace,
      '-l',
      `app.kubernetes.io/instance=${release}`,
      '-o',
      'name',
    ]);
    expect(left.stdout.trim()).toBe('');
    const role = await kubectl(admin, ['get', 'clusterrole', fullname]);
    expect(role.stderr).toMatch(/NotFound/);
    const crd = await kubectl(admin, ['get', 'crd', CRD, '-o', 'name']);
    expect(crd.code, crd.stderr).toBe(0);
    const session = await sessions.read(name);
    expect(session?.status?.phase).toBe('Running');
    // Clean up as the admin: with no operator, the finalizer has to be taken off by hand.
    await sessions.patch(name, { metadata: { finalizers: null } });
    await sessions.remove(name);
  });
});
