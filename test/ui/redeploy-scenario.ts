// A redeploy on the real stack, for the Temporal UI's pages: the operator running as users run it, a
// FlinkSession with autoClean (S3 and ZooKeeper HA) created, Ready (Flink's own JobManager, run by
// the stack's Flink kubelet as a local process, writing its ZooKeeper HA data), edited, and Ready
// again at generation 2. Used by the browser test and by `npm run generate:screenshots` (no vitest in here).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as k8s from '@kubernetes/client-node';
import { temporalUiWorkflowUrl } from '../../config/temporal.ts';
import type { FlinkSessionSpec } from '../../model/flinksession.ts';
import { workflowId } from '../../model/names.ts';
import { installFlinkSessionCrd } from '../../stack/crd.ts';
import { startFlinkRestProxy } from '../../stack/flink-rest-proxy.ts';
import { startLaunchKubelet } from '../../stack/launch-kubelet.ts';
import { stackS3Client } from '../../stack/s3.ts';
import type { StackEndpoints } from '../../stack/stack.ts';
import { startOperator } from '../support/operator.ts';
import { sessionApi } from '../support/sessions.ts';

export interface RedeployedSession {
  namespace: string;
  name: string;
  bucket: string;
  workflowId: string;
  /** The Temporal UI page of the run that redeployed (its history). */
  runUrl: string;
  kubeconfig: string;
  /** Stops what it started (the operator, the kubelets, the REST proxy); the objects stay on the stack. */
  stop(): Promise<void>;
}

export async function redeployedSession(
  stack: StackEndpoints,
  options: { namespace: string; name: string; bucket: string; taskQueue: string },
): Promise<RedeployedSession> {
  const { namespace, name, bucket } = options;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(stack.kubernetes.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await installFlinkSessionCrd(kc);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'flink' } } });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: 's3-credentials' }, stringData: { accessKey: stack.s3.accessKeyId, secretKey: stack.s3.secretAccessKey } },
  });
  const kubelet = startLaunchKubelet(kc, stack, namespace, { flinkPods: 'process' });
  const rest = await startFlinkRestProxy((ns, session) => (ns === namespace ? kubelet.flink?.restUrl(ns, session) : undefined));
  const stopStandIns = async () => {
    await kubelet.stop();
    await rest.close();
  };
  const operator = await startOperator({ stack, namespace, taskQueue: options.taskQueue, restUrlTemplate: rest.urlTemplate }).catch(async (error: unknown) => {
    await stopStandIns();
    throw error;
  });
  const stop = async () => {
    await operator.stop();
    await stopStandIns();
  };
  try {
    const sessions = sessionApi(kc, namespace);
    const spec: FlinkSessionSpec = {
      image: 'example.invalid/flink:1.20',
      flinkVersion: '1.20',
      sa: 'flink',
      autoClean: true,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: stack.s3.endpoint, bucket, credentialsSecret: { name: 's3-credentials' } },
      ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: `/flink-${namespace}` },
    };
    await sessions.create(name, spec);
    await sessions.waitReady(name, 1, 180_000);
    // The JobManager wrote its leader znodes; no job runs, so a checkpoint is put by hand for the purge to clear.
    const s3 = stackS3Client(stack.s3);
    try {
      for (const key of [`${name}/flink/ha/metadata/a`, `${name}/flink/checkpoints/chk-1/_metadata`])
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    } finally {
      s3.destroy();
    }
    await sessions.patch(name, { spec: { resource: { taskManager: { memory: '2g' } } } });
    const ready = await sessions.waitReady(name, 2, 180_000);
    const runId = ready.status?.workflow?.runId;
    if (!runId) throw new Error(`the status of ${namespace}/${name} names no workflow run: ${JSON.stringify(ready.status)}`);
    const id = workflowId(namespace, name);
    return {
      namespace,
      name,
      bucket,
      workflowId: id,
      kubeconfig: stack.kubernetes.kubeconfig,
      runUrl: temporalUiWorkflowUrl(stack.temporal.uiUrl, stack.temporal.namespace, id, runId),
      stop,
    };
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}
