// What a pod's ConfigMap and Secret volumes show inside it, read from the API server, for the stack's
// process kubelets (launch-runner.ts, flink-kubelet.ts), which lay the files out in a local folder.
import * as k8s from '@kubernetes/client-node';

/** The files a ConfigMap or Secret volume shows in a pod: key (or item path) → content. */
export async function volumeFiles(core: k8s.CoreV1Api, namespace: string, volume: k8s.V1Volume): Promise<Map<string, string | Buffer>> {
  let data: Record<string, string | Buffer>;
  let items: k8s.V1KeyToPath[] | undefined;
  if (volume.configMap) {
    data = (await core.readNamespacedConfigMap({ name: volume.configMap.name!, namespace })).data ?? {};
    items = volume.configMap.items;
  } else if (volume.secret) {
    const secret = await core.readNamespacedSecret({ name: volume.secret.secretName!, namespace });
    data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    items = volume.secret.items;
  } else {
    throw new Error(`the stack's kubelets lay out configMap and secret volumes only, not ${volume.name}`);
  }
  if (!items) return new Map(Object.entries(data));
  return new Map(items.flatMap((item) => (data[item.key] === undefined ? [] : [[item.path, data[item.key]!] as const])));
}

/** A container's environment as the pod would see it; field references are answered as on this machine (pod IP 127.0.0.1). */
export async function containerEnv(core: k8s.CoreV1Api, pod: k8s.V1Pod, container: k8s.V1Container): Promise<Record<string, string>> {
  const namespace = pod.metadata!.namespace!;
  const env: Record<string, string> = {};
  const fields: Record<string, string> = {
    'status.podIP': '127.0.0.1',
    'status.hostIP': '127.0.0.1',
    'metadata.name': pod.metadata!.name!,
    'metadata.namespace': namespace,
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? 'default',
    'metadata.uid': pod.metadata!.uid!,
  };
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      env[variable.name] = variable.value ?? '';
    } else if (from.fieldRef) {
      env[variable.name] = fields[from.fieldRef.fieldPath] ?? '';
    } else if (from.secretKeyRef) {
      const secret = await core.readNamespacedSecret({ name: from.secretKeyRef.name!, namespace });
      const value = secret.data?.[from.secretKeyRef.key];
      if (value !== undefined) env[variable.name] = Buffer.from(value, 'base64').toString('utf8');
    } else if (from.configMapKeyRef) {
      const configMap = await core.readNamespacedConfigMap({ name: from.configMapKeyRef.name!, namespace });
      const value = configMap.data?.[from.configMapKeyRef.key];
      if (value !== undefined) env[variable.name] = value;
    }
  }
  return env;
}
