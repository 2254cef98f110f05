// The launch kubelet of the local stack (tests, dev mode, benchmarks): once stopped, it runs nothing
// more. Its watch ends with an error when it is stopped, and it used to take that for a failure and
// start watching again a second later, which also kept `npm run bench:lifecycle` from exiting.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LABEL_MANAGED_BY, OPERATOR_NAME } from '../../model/names.ts';
import { startLaunchKubelet } from '../../stack/launch-kubelet.ts';
import { eventually, kubeConfig, stackEndpoints, uniqueName } from '../support/stack.ts';

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
      spec: { template: { metadata: { labels: { [LABEL_MANAGED_BY]: OPERATOR_NAME } }, spec: { restartPolicy: 'Never', containers: [{ name: 'launch', image: 'example.invalid/x', command: ['sleep'], args: ['1'] }] } } },
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
