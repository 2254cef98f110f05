// FlinkSessionJob helpers for end-to-end tests: create, read, delete, and wait on the status.
import * as k8s from '@kubernetes/client-node';
import type { FlinkSessionJob, FlinkSessionJobSpec } from '../../model/flinksessionjob.ts';
import { API_GROUP, API_VERSION, FLINKSESSIONJOB_API_VERSION, FLINKSESSIONJOB_KIND, FLINKSESSIONJOB_PLURAL } from '../../model/names.ts';
import { eventually } from './stack.ts';

export function sessionJobApi(kc: k8s.KubeConfig, namespace: string) {
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const target = (name: string) => ({ group: API_GROUP, version: API_VERSION, namespace, plural: FLINKSESSIONJOB_PLURAL, name });
  const api = {
    create: async (name: string, spec: FlinkSessionJobSpec): Promise<FlinkSessionJob> =>
      (await objects.createNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace,
        plural: FLINKSESSIONJOB_PLURAL,
        body: { apiVersion: FLINKSESSIONJOB_API_VERSION, kind: FLINKSESSIONJOB_KIND, metadata: { name }, spec },
      })) as FlinkSessionJob,
    read: async (name: string): Promise<FlinkSessionJob | undefined> => {
      try {
        return (await objects.getNamespacedCustomObject(target(name))) as FlinkSessionJob;
      } catch (error: unknown) {
        if (error instanceof k8s.ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    remove: (name: string) => objects.deleteNamespacedCustomObject(target(name)),
    patch: async (name: string, patch: object): Promise<FlinkSessionJob> =>
      (await objects.patchNamespacedCustomObject(
        { ...target(name), body: patch },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )) as FlinkSessionJob,
    /** Waits until condition `type` has `status` for (at least) this generation; the job then. */
    waitCondition: (name: string, type: 'Ready' | 'Progressing' | 'Degraded', status: 'True' | 'False', timeoutMs = 180_000, reason?: string) =>
      eventually(
        `FlinkSessionJob ${namespace}/${name} ${type}=${status}${reason ? ` (${reason})` : ''}`,
        async () => {
          const job = await api.read(name);
          const condition = job?.status?.conditions?.find((c) => c.type === type);
          const current = (job?.status?.observedGeneration ?? 0) >= (job?.metadata.generation ?? 1);
          return condition?.status === status && current && (reason === undefined || condition.reason === reason) ? job : undefined;
        },
        timeoutMs,
      ),
    waitGone: (name: string, timeoutMs = 180_000) =>
      eventually(`FlinkSessionJob ${namespace}/${name} to be gone`, async () => ((await api.read(name)) === undefined ? true : undefined), timeoutMs),
    /** Reasons of the Events on the job, oldest first. */
    eventReasons: async (name: string): Promise<string[]> => {
      const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=${FLINKSESSIONJOB_KIND}` });
      return events.items
        .sort(
          (a, b) =>
            (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0) ||
            (a.metadata?.resourceVersion ?? '').localeCompare(b.metadata?.resourceVersion ?? '', undefined, { numeric: true }),
        )
        .map((e) => e.reason ?? '');
    },
  };
  return api;
}
