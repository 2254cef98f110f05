// What the trust tests share: namespaces with a `flink` ServiceAccount and an S3 credentials Secret,
// the launch kubelet (Flink's own client runs every launch Job), Flink's REST stand-in and the
// operator's two processes watching those namespaces.
import * as k8s from '@kubernetes/client-node';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestStandIn, type FlinkRestStandIn } from '../../stack/flink-rest.ts';
import { startLaunchKubelet, type LaunchKubelet } from '../../stack/launch-kubelet.ts';
import { startOperator, type OperatorProcesses } from './operator.ts';
import { kubeConfig, stackEndpoints, uniqueName } from './stack.ts';

export const S3_SECRET = 's3-credentials';

export interface TrustStack {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  batch: k8s.BatchV1Api;
  operator: OperatorProcesses;
  taskQueue: string;
  kubelets: LaunchKubelet[];
  /** Flink's REST stand-in the operator talks to, with its request log. */
  rest: FlinkRestStandIn;
  stop(): Promise<void>;
}

export async function startTrustStack(namespaces: string[], env: Record<string, string> = {}): Promise<TrustStack> {
  const stack = stackEndpoints();
  const kc = kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await installFlinkSessionCrd(kc);
  for (const namespace of namespaces) {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: S3_SECRET }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey } },
    });
  }
  const rest: FlinkRestStandIn = await startFlinkRestStandIn(kc);
  const kubelets = namespaces.map((namespace) => startLaunchKubelet(kc, stack, namespace));
  const taskQueue = uniqueName('fso');
  const operator = await startOperator({ stack, namespace: namespaces.join(','), taskQueue, restUrlTemplate: rest.urlTemplate, env });
  return {
    kc,
    core,
    apps: kc.makeApiClient(k8s.AppsV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    operator,
    taskQueue,
    kubelets,
    rest,
    async stop() {
      await operator.stop();
      await Promise.all(kubelets.map((kubelet) => kubelet.stop()));
      await rest.close();
    },
  };
}
