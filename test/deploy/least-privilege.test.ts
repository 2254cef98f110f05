// Least privilege, proven on the real API server (RBAC authorization): deploy/'s namespace, service
// accounts, ClusterRoles and ClusterRoleBindings are applied for real, the watcher and the worker each
// run with a token of their own service account (TokenRequest API, as a pod would get one), and a session goes
// through its lifecycle — create, edit (with a redeploy that clears Kubernetes HA data and replaces
// the operator's own ConfigMap and Secret), delete. Flink's own client, run by the test kubelet for
// every launch Job, and the JobManager it creates (Flink's own entrypoint, run as a process by the
// stack's Flink kubelet, writing its Kubernetes HA ConfigMaps) use a token of the `flink` service
// account of deploy/examples/flink-namespace/.
// A FlinkSessionJob goes through apply → a submission attempt (its jar is not there: Degraded) →
// delete, so the watcher's finalizer patch and the worker's check, status write, Events and finalizer
// release on flinksessionjobs run with those tokens too.
// A permission missing from either role fails a step; the logs must not show a single refusal.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { JOB_FINALIZER, migratedCredentialsSecretName } from '../../model/names.ts';
import { pollUntil } from '../../stack/poll.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestProxy, type FlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { createdCluster, startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { startOperator, type OperatorProcesses } from '../support/operator.ts';
import { sessionJobApi } from '../support/session-jobs.ts';
import { sessionApi, untagged } from '../support/sessions.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';
import { applyObjects, kubectl, serviceAccountKubeconfig, setUpFlinkNamespace } from './accounts.ts';
import { renderKustomization, theOne, type KubeObject } from './support.ts';

/** How a refusal reads in the operator's logs (API server body, watcher's errorText, client exception) and in fabric8's. */
const REFUSAL = /forbidden|answered 403|HTTP-Code: 403/i;

/** The part of a (long, JSON) log line that says what was refused: the API server names verb, resource and user. */
function aroundRefusal(line: string): string {
  const at = line.search(REFUSAL);
  const activity = /"activityType":"([^"]+)"/.exec(line)?.[1];
  return `${activity ? `[${activity}] ` : ''}${at > 120 ? '…' : ''}${line.slice(Math.max(0, at - 120), at + 480)}`;
}

type Component = 'watcher' | 'worker';
const COMPONENTS: Component[] = ['watcher', 'worker'];

describe("the operator with only deploy/'s RBAC, and Flink with only the example role", () => {
  const namespace = uniqueName('rbac');
  const name = 'least';
  let stack: StackEndpoints;
  let admin: string;
  let accounts: Record<Component, { name: string; namespace: string }>;
  let kubeconfigs: Record<Component, string>;
  let rest: FlinkRestProxy;
  let kubelet: LaunchKubelet;
  let operator: OperatorProcesses;
  let sessions: ReturnType<typeof sessionApi>;
  let jobs: ReturnType<typeof sessionJobApi>;
  let core: k8s.CoreV1Api;
  let spec: FlinkSessionSpec;

  /** Lines of the operator's logs (and of Flink's client runs) where the API server refused something. */
  const refusals = (): string[] =>
    [
      ...[operator.worker.logFile, operator.watcher.logFile].flatMap((file) => readFileSync(file, 'utf8').split('\n')),
      ...kubelet.runs.flatMap((run) => run.output.split('\n')),
      ...(kubelet.flink?.started ?? []).flatMap((p) => readFileSync(p.process.logFile, 'utf8').split('\n')),
    ]
      .filter((line) => REFUSAL.test(line))
      .map(aroundRefusal);

  /** Gives up at the first refusal, naming it, rather than waiting out a step that can never succeed. */
  const untilRefused = (): string | undefined => {
    const lines = refusals();
    return lines.length > 0 ? `the API server refused:\n${lines.slice(0, 10).join('\n')}` : undefined;
  };
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>): Promise<T> =>
    pollUntil(what, check, { timeoutMs: 180_000, intervalMs: 250, giveUpIf: untilRefused });
  const waitReady = (generation: number) =>
    waitFor(`${namespace}/${name} Ready at generation ${generation}`, async () => {
      const session = await sessions.read(name);
      const ready = session?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && (session!.status!.observedGeneration ?? 0) >= generation && session!.status!.phase === 'Running' ? session : undefined;
    });

  beforeAll(async () => {
    stack = stackEndpoints();
    admin = stack.kubernetes.kubeconfig;
    const kc = kubeConfig();
    core = kc.makeApiClient(k8s.CoreV1Api);
    await installFlinkSessionCrd(kc);
    const dir = mkdtempSync(join(tmpdir(), 'fso-rbac-'));

    // The operator's part of deploy/, applied for real (the other objects need no server to prove anything here).
    const deploy = (await renderKustomization('deploy')).objects;
    await applyObjects(
      admin,
      deploy.filter((o) => ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)),
    );
    const accountOf = (component: Component) => {
      const deployment = theOne<KubeObject & { spec: { template: { spec: { serviceAccountName: string } } } }>(
        deploy,
        'Deployment',
        `flink-session-operator-${component}`,
      );
      const account = theOne(deploy, 'ServiceAccount', deployment.spec.template.spec.serviceAccountName);
      return { name: account.metadata.name, namespace: account.metadata.namespace! };
    };
    accounts = { watcher: accountOf('watcher'), worker: accountOf('worker') };
    kubeconfigs = {
      watcher: await serviceAccountKubeconfig(stack, dir, accounts.watcher),
      worker: await serviceAccountKubeconfig(stack, dir, accounts.worker),
    };

    // Flink's namespace, from the example.
    const flink = await setUpFlinkNamespace(stack, dir, namespace);
    const flinkKubeconfig = flink.kubeconfig;

    // The kubelet (reading Jobs and pods with the admin's kubeconfig) runs Flink's client and the
    // JobManager it creates with the flink account's token; the proxy serves that JobManager's REST.
    kubelet = startLaunchKubelet(kc, { ...stack, kubernetes: { ...stack.kubernetes, kubeconfig: flinkKubeconfig } }, namespace, { flinkPods: 'process' });
    rest = await startFlinkRestProxy((ns, session) => (ns === namespace ? kubelet.flink?.restUrl(ns, session) : undefined));
    operator = await startOperator({ stack, namespace, taskQueue: uniqueName('fso-rbac'), restUrlTemplate: rest.urlTemplate, kubeconfig: kubeconfigs });
    sessions = sessionApi(kc, namespace);
    jobs = sessionJobApi(kc, namespace);
    spec = {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: flink.account,
      autoClean: true,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      // Inline keys, so the worker moves them into a Secret of its own (create, then replace on the edit).
      s3: { endPoint: stack.s3.endpoint, bucket: uniqueName('rbac'), accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey },
      ha: { type: 'kubernetes' },
    };
  });

  afterAll(async () => {
    await operator?.stop();
    await kubelet?.stop();
    await rest?.close();
  });

  it('runs the watcher and the worker as service accounts of their own, each allowed what its ClusterRole grants and nothing else', async () => {
    expect(accounts.watcher.name).not.toBe(accounts.worker.name);
    for (const component of COMPONENTS) {
      const whoami = await kubectl(kubeconfigs[component], ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
      expect(whoami.stdout).toBe(`system:serviceaccount:${accounts[component].namespace}:${accounts[component].name}`);
    }
    const can = async (component: Component, args: string[]): Promise<string> =>
      (await kubectl(kubeconfigs[component], ['auth', 'can-i', ...args])).stdout.trim();
    const sessions_ = 'flinksessions.flink.session-operator.io';
    const jobs_ = 'flinksessionjobs.flink.session-operator.io';
    const neither = [
      ['create', jobs_, '-n', namespace],
      ['update', jobs_, '-n', namespace],
      ['delete', jobs_, '-n', namespace],
      ['list', 'secrets', '-A'],
      ['watch', 'secrets', '-n', namespace],
      ['create', 'pods', '-n', namespace],
      ['delete', 'pods', '-n', namespace],
      ['create', 'deployments.apps', '-n', namespace],
      ['update', sessions_, '-n', namespace],
      ['delete', sessions_, '-n', namespace],
      ['get', 'services', '--subresource=proxy', '-n', namespace],
      ['create', 'pods', '--subresource=exec', '-n', namespace],
      ['list', 'nodes'],
      ['delete', 'namespaces'],
      ['create', 'clusterrolebindings.rbac.authorization.k8s.io'],
      ['create', 'serviceaccounts', '--subresource=token', '-n', namespace],
      ['update', 'customresourcedefinitions.apiextensions.k8s.io'],
    ];
    const expected: Record<Component, { allowed: string[][]; refused: string[][] }> = {
      // It watches and signals: the FlinkSession informer and finalizer, the JobManager drift informer.
      watcher: {
        allowed: [
          ['list', sessions_, '-A'],
          ['watch', sessions_, '-A'],
          ['patch', sessions_, '-n', namespace],
          ['watch', 'deployments.apps', '-A'],
          // The FlinkSessionJob informer and the job finalizer.
          ['list', jobs_, '-A'],
          ['watch', jobs_, '-A'],
          ['patch', jobs_, '-n', namespace],
        ],
        refused: [
          ...neither,
          ['patch', jobs_, '--subresource=status', '-n', namespace],
          ['get', 'secrets', '-n', namespace],
          ['create', 'secrets', '-n', namespace],
          ['delete', 'deployments.apps', '-n', namespace],
          ['patch', sessions_, '--subresource=status', '-n', namespace],
          ['create', 'jobs.batch', '-n', namespace],
          ['delete', 'configmaps', '-n', namespace],
          ['create', 'events', '-n', namespace],
        ],
      },
      // It acts: reads and writes what a session's steps need; it watches only what wakes its waits.
      worker: {
        allowed: [
          ['watch', 'pods', '-A'],
          ['watch', 'deployments.apps', '-A'],
          ['list', sessions_, '-A'],
          ['patch', sessions_, '-n', namespace],
          ['patch', sessions_, '--subresource=status', '-n', namespace],
          ['delete', 'deployments.apps', '-n', namespace],
          ['create', 'jobs.batch', '-n', namespace],
          ['get', 'secrets', '-n', namespace],
          ['create', 'events', '-n', namespace],
          // A job's check in the API server, its finalizer release, its status.
          ['get', jobs_, '-n', namespace],
          ['patch', jobs_, '-n', namespace],
          ['patch', jobs_, '--subresource=status', '-n', namespace],
        ],
        refused: [...neither, ['watch', sessions_, '-A'], ['watch', 'jobs.batch', '-A'], ['watch', jobs_, '-A'], ['list', jobs_, '-A']],
      },
    };
    for (const component of COMPONENTS) {
      for (const args of expected[component].allowed) expect(await can(component, args), `${component}: ${args.join(' ')}`).toBe('yes');
      for (const args of expected[component].refused) expect(await can(component, args), `${component}: ${args.join(' ')}`).toBe('no');
    }
  });

  it('create → Ready', async () => {
    await sessions.create(name, spec);
    const ready = await waitReady(1);
    expect(ready.status?.jobManager?.deployment).toBe(name);
    await eventually('the launch run to be recorded', async () => (kubelet.runs.length > 0 ? true : undefined));
    expect(kubelet.runs.map((run) => [untagged(run.job), createdCluster(run, name)])).toEqual([[`${name}-launch-g1-0`, true]]);
    expect(await sessions.eventReasons(name)).toEqual(expect.arrayContaining(['Deploying', 'Launched', 'Ready']));
    const secret = await core.readNamespacedSecret({ name: migratedCredentialsSecretName(name), namespace });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['accessKey', 'secretKey']);
  });

  it(
    'a FlinkSessionJob: apply → finalizer → a submission attempt (its jar is not there) → ' + 'Degraded with an Event → delete releases the finalizer',
    async () => {
      await jobs.create('job', { session: name, jar: `s3://${spec.s3!.bucket}/jars/missing.jar` });
      const degraded = await waitFor('the FlinkSessionJob to be Degraded (JarNotFound)', async () => {
        const job = await jobs.read('job');
        const condition = job?.status?.conditions?.find((c) => c.type === 'Degraded');
        return condition?.status === 'True' && condition.reason === 'JarNotFound' ? job : undefined;
      });
      expect(degraded.metadata.finalizers).toContain(JOB_FINALIZER);
      expect(await jobs.eventReasons('job')).toContain('JarNotFound');
      await jobs.remove('job');
      await waitFor('the FlinkSessionJob to be gone', async () => ((await jobs.read('job')) === undefined ? true : undefined));
    },
  );

  it('edit → a redeploy that clears the Kubernetes HA ConfigMaps Flink wrote → Ready at the new generation', async () => {
    const haConfigMaps = async () => (await core.listNamespacedConfigMap({ namespace, labelSelector: `app=${name},configmap-type=high-availability` })).items;
    // Generation 1's JobManager wrote its leader ConfigMap itself, with the flink account's token.
    const written = await waitFor("the JobManager's HA ConfigMap", async () => {
      const items = await haConfigMaps();
      return items.some((c) => c.metadata?.name === `${name}-cluster-config-map`) ? items : undefined;
    });
    const writtenUids = written.map((c) => c.metadata!.uid!);
    await sessions.patch(name, { spec: { resource: { taskManager: { memory: '2g' } } } });
    const ready = await waitReady(2);
    expect(ready.status?.observedGeneration).toBe(2);
    const reasons = await sessions.eventReasons(name);
    expect(reasons.slice(reasons.lastIndexOf('Redeploying'))).toEqual(['Redeploying', 'JobManagerDeleted', 'HaCleared', 'S3Purged', 'Launched', 'Ready']);
    // The new JobManager writes HA ConfigMaps of its own; none of the old one's is left.
    const left = (await haConfigMaps()).filter((c) => writtenUids.includes(c.metadata!.uid!));
    expect(left.map((c) => c.metadata?.name)).toEqual([]);
    await eventually('the launch of generation 2 to be recorded', async () => (kubelet.runs.length === 2 ? true : undefined));
    expect(kubelet.runs.map((run) => [untagged(run.job), createdCluster(run, name)])).toEqual([
      [`${name}-launch-g1-0`, true],
      [`${name}-launch-g2-0`, true],
    ]);
  });

  it('delete → the FlinkSession, its JobManager and its launch Jobs are gone', async () => {
    await sessions.remove(name);
    await waitFor('the FlinkSession to be gone', async () => ((await sessions.read(name)) === undefined ? true : undefined));
    const kc = kubeConfig();
    expect((await kc.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace, labelSelector: `app=${name}` })).items).toEqual([]);
    expect((await kc.makeApiClient(k8s.BatchV1Api).listNamespacedJob({ namespace })).items).toEqual([]);
  });

  it("nothing was refused on the way: not the operator, not Flink's client", () => {
    expect(refusals()).toEqual([]);
  });
});
