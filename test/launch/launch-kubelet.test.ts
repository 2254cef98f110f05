// The launch kubelet of the local stack (tests, dev mode, benchmarks): once stopped, it runs nothing
// more. Its watch ends with an error when it is stopped, and it used to take that for a failure and
// start watching again a second later, which also kept `npm run bench:lifecycle` from exiting.
// Like a kubelet, it stops a pod's client when the pod is deleted; it used to let the client run on,
// so a client still running when a redeploy deleted its cluster failed on it ("Could not get the
// rest endpoint") or, not yet that far, could create the cluster again.
// Its watch is kube/restarting-informer.ts (stack/pod-informer.ts): when the API server is out of
// reach for a while, it lists again once it is back and runs what was created meanwhile.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlinkSession } from '../../model/flinksession.ts';
import { renderLaunchJob } from '../../model/launch-job.ts';
import {
  API_GROUP,
  API_VERSION,
  FLINKSESSION_API_VERSION,
  FLINKSESSION_KIND,
  FLINKSESSION_PLURAL,
  LABEL_MANAGED_BY,
  OPERATOR_NAME,
} from '../../model/names.ts';
import { renderSessionFiles } from '../../model/session-files.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { pollUntil } from '../../stack/poll.ts';
import { startLaunchKubelet } from '../../stack/launch-kubelet.ts';
import { EXIT_TERMINATED } from '../../stack/launch-runner.ts';
import { MINIMAL_SPEC } from '../support/time-skipping.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';
import { tcpProxy } from '../support/tcp-proxy.ts';
import { readFileSync } from 'node:fs';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const namespace = uniqueName('kubelet');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A Job the kubelet picks up and refuses at once (not kubernetes-session.sh): a run is recorded within moments. */
async function createJob(name: string): Promise<void> {
  await batch.createNamespacedJob({
    namespace,
    body: {
      metadata: { name, labels: { [LABEL_MANAGED_BY]: OPERATOR_NAME } },
      spec: {
        template: {
          metadata: { labels: { [LABEL_MANAGED_BY]: OPERATOR_NAME } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'launch', image: 'example.invalid/x', command: ['sleep'], args: ['1'] }] },
        },
      },
    },
  });
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

it('runs the Jobs it sees while it watches, and none after it was stopped', async () => {
  const kubelet = startLaunchKubelet(kc, stackEndpoints(), namespace);
  await createJob('first');
  await eventually('the kubelet to run the first Job', async () => (kubelet.runs.length === 1 ? true : undefined), 30_000);
  expect(kubelet.runs[0]).toMatchObject({ job: 'first', exitCode: -1 });

  await kubelet.stop();
  await sleep(2_500); // past the second after which a failed watch is started again
  await createJob('second');
  await sleep(3_000);
  expect(kubelet.runs.map((run) => run.job)).toEqual(['first']);
});

it('stops the client of a pod that is deleted while it runs, as a kubelet stops a container', async () => {
  const kubelet = startLaunchKubelet(kc, stackEndpoints(), namespace);
  try {
    await installFlinkSessionCrd(kc);
    const name = 'stopped';
    const created = (await kc.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: FLINKSESSION_PLURAL,
      body: { apiVersion: FLINKSESSION_API_VERSION, kind: FLINKSESSION_KIND, metadata: { name }, spec: { ...MINIMAL_SPEC, sa: 'default' } },
    })) as FlinkSession;
    const ref = { namespace, name, uid: created.metadata.uid, generation: created.metadata.generation };
    await core.createNamespacedConfigMap({ namespace, body: renderSessionFiles(ref, created.spec) });
    const job = renderLaunchJob(ref, created.spec, { attempt: 0, tag: 'ab12cd' });
    await batch.createNamespacedJob({ namespace, body: job });

    // Flink's client is a JVM: it is still starting when its pod is deleted, moments after it began.
    const pod = await pollUntil("Flink's client to start in the launch pod", async () => kubelet.running()[0], { timeoutMs: 60_000, intervalMs: 25 });
    const deletedAt = Date.now();
    await core.deleteNamespacedPod({ name: pod, namespace });
    await eventually('the run to end', async () => (kubelet.runs.some((run) => run.pod === pod) ? true : undefined), 20_000);
    const run = kubelet.runs.find((r) => r.pod === pod)!;
    expect(run.exitCode, run.output).toBe(EXIT_TERMINATED);
    expect(run.output).not.toContain(`Create flink session cluster ${name} successfully`);
    expect(Date.now() - deletedAt).toBeLessThan(15_000);
    expect(kubelet.running()).toEqual([]);
  } finally {
    await kubelet.stop();
  }
});

it('goes on after its watch drops: a Job created while the API server was out of reach runs once it is back', async () => {
  const proxy = await tcpProxy(new URL(stackEndpoints().kubernetes.server));
  const proxied = new k8s.KubeConfig();
  proxied.loadFromString(readFileSync(stackEndpoints().kubernetes.kubeconfig, 'utf8').replace(stackEndpoints().kubernetes.server, proxy.url));
  const kubelet = startLaunchKubelet(proxied, stackEndpoints(), namespace);
  try {
    await createJob('before-outage');
    await eventually(
      'the kubelet to run the Job created before the outage',
      async () => (kubelet.runs.some((r) => r.job === 'before-outage') ? true : undefined),
      30_000,
    );
    await proxy.cut();
    await createJob('during-outage');
    await sleep(3_000); // a few failed restarts of the watch, with backoff
    expect(kubelet.runs.map((run) => run.job)).not.toContain('during-outage');
    await proxy.restore();
    await eventually(
      'the kubelet to run the Job created during the outage',
      async () => (kubelet.runs.some((r) => r.job === 'during-outage') ? true : undefined),
      60_000,
    );
    expect(kubelet.runs.filter((run) => run.job === 'before-outage')).toHaveLength(1);
  } finally {
    await kubelet.stop();
    await proxy.close();
  }
});
