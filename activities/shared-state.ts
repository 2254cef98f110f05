// Whether another FlinkSession (any namespace) came first to this session's state locations (S3 prefix,
// ZooKeeper node): asked in validation (such a session is refused) and again before every clean-up, so
// that nothing another session owns is cleared on this one's behalf (model/shared-state.ts).
import * as k8s from '@kubernetes/client-node';
import type { FlinkSession, FlinkSessionSpec, SessionRef } from '../model/flinksession.ts';
import { API_GROUP, API_VERSION, FLINKSESSION_PLURAL } from '../model/names.ts';
import { describeSharedState, sharedStateWith, type StateOwner } from '../model/shared-state.ts';

export function createSharedStateActivities(deps: { kubeConfig: k8s.KubeConfig }) {
  const objects = deps.kubeConfig.makeApiClient(k8s.CustomObjectsApi);

  /** Why this session must not use (or clear) its state locations; undefined when it may. */
  async function stateSharedWith(input: { ref: SessionRef; spec: FlinkSessionSpec }): Promise<{ sharedWith?: string }> {
    const { ref, spec } = input;
    const list = (await objects.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: FLINKSESSION_PLURAL })) as { items: FlinkSession[] };
    const owner = (s: FlinkSession): StateOwner => ({
      namespace: s.metadata.namespace,
      name: s.metadata.name,
      created: s.metadata.creationTimestamp ?? '',
      spec: s.spec,
    });
    const me = list.items.find((s) => s.metadata.uid === ref.uid);
    // A session gone from the API server (its finalizer removed by hand) is compared as if created now: any other came first.
    const self: StateOwner = me ? { ...owner(me), spec } : { namespace: ref.namespace, name: ref.name, created: new Date().toISOString(), spec };
    const found = sharedStateWith(self, list.items.filter((s) => s.metadata.uid !== ref.uid).map(owner));
    return found.length > 0 ? { sharedWith: describeSharedState(`${ref.namespace}/${ref.name}`, found) } : {};
  }

  return { stateSharedWith };
}
