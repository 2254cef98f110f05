// FlinkSession helpers for end-to-end tests: create, patch, read, and wait on conditions.
import * as k8s from '@kubernetes/client-node';
import type { FlinkSession, FlinkSessionSpec } from '../../model/flinksession.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_API_VERSION, FLINKSESSION_KIND, FLINKSESSION_PLURAL } from '../../model/names.ts';
import { MERGE_PATCH } from '../../kube/resource-writes.ts';
import { eventually } from './stack.ts';

/** Running, with the Ready condition True for (at least) this generation. */
export function isReadyAt(session: FlinkSession, generation: number): boolean {
  const ready = session.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && (session.status?.observedGeneration ?? 0) >= generation && session.status?.phase === 'Running';
}

export function sessionApi(kc: k8s.KubeConfig, namespace: string) {
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const target = (name: string) => ({ group: API_GROUP, version: API_VERSION, namespace, plural: FLINKSESSION_PLURAL, name });
  const api = {
    create: async (name: string, spec: FlinkSessionSpec, annotations?: Record<string, string>): Promise<FlinkSession> =>
      (await objects.createNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace,
        plural: FLINKSESSION_PLURAL,
        body: { apiVersion: FLINKSESSION_API_VERSION, kind: FLINKSESSION_KIND, metadata: { name, ...(annotations ? { annotations } : {}) }, spec },
      })) as FlinkSession,
    read: async (name: string): Promise<FlinkSession | undefined> => {
      try {
        return (await objects.getNamespacedCustomObject(target(name))) as FlinkSession;
      } catch (error: unknown) {
        if (error instanceof k8s.ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    patch: async (name: string, patch: object): Promise<FlinkSession> =>
      (await objects.patchNamespacedCustomObject({ ...target(name), body: patch }, MERGE_PATCH)) as FlinkSession,
    remove: (name: string) => objects.deleteNamespacedCustomObject(target(name)),
    /** Waits until the Ready condition is True for (at least) this generation. */
    waitReady: (name: string, generation: number, timeoutMs = 120_000) =>
      eventually(
        `${namespace}/${name} Ready at generation ${generation}`,
        async () => {
          const session = await api.read(name);
          return session && isReadyAt(session, generation) ? session : undefined;
        },
        timeoutMs,
      ),
    /** Events the operator recorded on the session, oldest first, as reasons. */
    eventReasons: async (name: string): Promise<string[]> => {
      const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=${FLINKSESSION_KIND}` });
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

/**
 * A launch Job's name without the tag of its chain of workflow runs (random per chain), so tests can
 * compare `<name>-launch-g<generation>-<attempt>`.
 */
export const untagged = (job: string | undefined): string => (job ?? '').replace(/-launch-g(\d+)-[a-z0-9]{6}-(\d+)$/, '-launch-g$1-$2');
