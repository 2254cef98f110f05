// The operator's kubeconfig, loaded once at start: the file(s) KUBECONFIG (or --kubeconfig) names, else
// ~/.kube/config, else the pod's service account. Problems name what to fix. Its requests share their
// connections (connection-reuse.ts).
import type { KubeConfig } from '@kubernetes/client-node';
import { accessSync, constants } from 'node:fs';
import { delimiter } from 'node:path';
import { ConfigError } from '../config/errors.ts';
import { ConnectionReusingKubeConfig } from './connection-reuse.ts';

export function loadKubeConfig(files: string | undefined): KubeConfig {
  const kubeConfig = new ConnectionReusingKubeConfig();
  const paths = (files ?? '').split(delimiter).filter(Boolean);
  const unreadable = paths.flatMap((path) => {
    try {
      accessSync(path, constants.R_OK);
      return [];
    } catch (error: unknown) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
      return [
        `KUBECONFIG: cannot read ${path} (${code}); point KUBECONFIG or --kubeconfig at a kubeconfig file, ` +
          "or unset it in a pod to use the pod's service account",
      ];
    }
  });
  if (unreadable.length > 0) throw new ConfigError(unreadable, 'Kubernetes configuration');
  try {
    if (paths.length === 1) kubeConfig.loadFromFile(paths[0]!);
    else if (paths.length > 1) kubeConfig.loadFromDefault({}, false);
    else kubeConfig.loadFromDefault();
  } catch (error: unknown) {
    throw new ConfigError(
      [
        `cannot load the kubeconfig ${paths.join(delimiter) || '(~/.kube/config or the pod service account)'}: ` +
          (error instanceof Error ? error.message : String(error)),
      ],
      'Kubernetes configuration',
    );
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new ConfigError(
      [
        `the kubeconfig ${paths.join(delimiter) || '~/.kube/config'} names no current cluster: ` +
          'set its current-context, set KUBECONFIG, or run in a pod with a service account',
      ],
      'Kubernetes configuration',
    );
  }
  return kubeConfig;
}
