// Plays the kubelet for launch Jobs in a benchmark of many sessions, and does what Flink's client would
// do without running it: for each launch pod it creates the objects `kubernetes-session.sh` creates
// (the JobManager Deployment with Flink's labels, its internal and rest Services and the flink-config
// ConfigMap, these owned by the Deployment), then ends the pod Succeeded. kwok runs the JobManager's
// pod (nothing runs in it) and the REST stand-in answers once the Deployment is available. A client
// JVM per launch (~1 s of CPU each on two cores) would measure the JVMs, not the operator.
import * as k8s from '@kubernetes/client-node';
import { Semaphore } from '../concurrency/limit.ts';
import { createIgnoringConflict } from '../kube/errors.ts';
import {
  FLINK_LABEL_APP,
  FLINK_LABEL_COMPONENT,
  FLINK_LABEL_TYPE,
  FLINK_MAIN_CONTAINER,
  FLINK_REST_PORT,
  FLINK_REST_PORT_NAME,
  FLINK_TYPE_NATIVE,
  LABEL_MANAGED_BY,
  LABEL_SESSION,
  OPERATOR_NAME,
  flinkConfigMapName,
  jobManagerDeploymentName,
  restServiceName,
} from '../model/names.ts';
import { finishPod } from '../stack/pod-status.ts';
import { watchPods } from '../stack/pod-informer.ts';

export interface DirectLauncher {
  stop(): Promise<void>;
}

/** Launches handled at once: each is a handful of API requests. */
const AT_ONCE = 16;

export function startDirectLauncher(kc: k8s.KubeConfig, namespace: string): DirectLauncher {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const seen = new Set<string>();
  const slots = new Semaphore(AT_ONCE);

  async function launch(pod: k8s.V1Pod): Promise<void> {
    const { name, labels } = pod.metadata as { name: string; labels: Record<string, string> };
    const session = labels[LABEL_SESSION]!;
    const flinkLabels = { [FLINK_LABEL_APP]: session, [FLINK_LABEL_TYPE]: FLINK_TYPE_NATIVE };
    const jobManagerLabels = { ...flinkLabels, [FLINK_LABEL_COMPONENT]: 'jobmanager' };
    const deploymentName = jobManagerDeploymentName(session);
    await createIgnoringConflict(() =>
      apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name: deploymentName, labels: jobManagerLabels },
          spec: {
            replicas: 1,
            selector: { matchLabels: jobManagerLabels },
            template: {
              metadata: { labels: jobManagerLabels },
              spec: {
                containers: [
                  {
                    name: FLINK_MAIN_CONTAINER,
                    image: 'example.invalid/flink:direct',
                    ports: [{ name: FLINK_REST_PORT_NAME, containerPort: FLINK_REST_PORT }],
                  },
                ],
              },
            },
          },
        },
      }),
    );
    const deployment = await apps.readNamespacedDeployment({ namespace, name: deploymentName });
    const owner = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata!.name!,
      uid: deployment.metadata!.uid!,
      blockOwnerDeletion: true,
      controller: true,
    };
    const metadata = (objectName: string) => ({ name: objectName, labels: flinkLabels, ownerReferences: [owner] });
    const ports = [{ name: FLINK_REST_PORT_NAME, port: FLINK_REST_PORT }];
    await Promise.all([
      createIgnoringConflict(() =>
        core.createNamespacedService({ namespace, body: { metadata: metadata(session), spec: { clusterIP: 'None', selector: jobManagerLabels, ports } } }),
      ),
      createIgnoringConflict(() =>
        core.createNamespacedService({ namespace, body: { metadata: metadata(restServiceName(session)), spec: { selector: jobManagerLabels, ports } } }),
      ),
      createIgnoringConflict(() =>
        core.createNamespacedConfigMap({ namespace, body: { metadata: metadata(flinkConfigMapName(session)), data: { 'config.yaml': '' } } }),
      ),
    ]);
    await finishPod(core, namespace, name, 0, `Create flink session cluster ${session} successfully (created directly by the benchmark)`);
  }

  const pods = watchPods(kc, namespace, `${LABEL_MANAGED_BY}=${OPERATOR_NAME}`, {
    changed: (pod) => {
      const uid = pod.metadata?.uid;
      if (!uid || seen.has(uid) || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName || !pod.metadata?.labels?.[LABEL_SESSION]) return;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      seen.add(uid);
      void slots.run(() => launch(pod)).catch((error: unknown) => console.error(`direct launch of ${pod.metadata?.name} failed:`, error));
    },
    deleted: () => undefined,
  });
  return { stop: () => pods.stop() };
}
