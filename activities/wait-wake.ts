// What wakes the activities' waits (kube/change-wake.ts): watches of what each waits on. A watch the
// API server refuses leaves the wait polling; the step's log then says which permission is missing.
import type { KubeConfig } from '@kubernetes/client-node';
import { watchForChanges, type ChangeWake, type WatchedResources } from '../kube/change-wake.ts';
import { warnIfInActivity } from './heartbeat.ts';

export function wakeOnChanges(kubeConfig: KubeConfig, collections: readonly WatchedResources[], pollIntervalMs: number): ChangeWake {
  return watchForChanges(kubeConfig, collections, (path, answer) =>
    warnIfInActivity(
      `this wait looks again every ${pollIntervalMs} ms only: the API server refused to watch ${path}: ${answer} ` +
        "(the worker's role needs watch on it, see deploy/worker-cluster-role.yaml)",
      { path },
    ),
  );
}
