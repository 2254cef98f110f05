// The FlinkSession `npm run dev` applies: Flink 1.20 with ZooKeeper HA and checkpoints in the local
// S3 server, autoClean on, so a `kubectl edit` shows the whole redeploy (JobManager deleted, znodes
// cleared, S3 purged, relaunch) in the Temporal UI.
import type { FlinkSession } from '../model/flinksession.ts';
import { FLINKSESSION_API_VERSION, FLINKSESSION_KIND, S3_ACCESS_KEY_KEY, S3_SECRET_KEY_KEY } from '../model/names.ts';
import type { StackEndpoints } from './stack.ts';

export const DEV_EXAMPLE = { namespace: 'default', name: 'example', credentialsSecret: 'example-s3' } as const;

export function devExampleSecret(stack: StackEndpoints) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: DEV_EXAMPLE.credentialsSecret, namespace: DEV_EXAMPLE.namespace },
    stringData: { [S3_ACCESS_KEY_KEY]: stack.s3.accessKeyId, [S3_SECRET_KEY_KEY]: stack.s3.secretAccessKey },
  };
}

export function devExampleSession(
  stack: StackEndpoints,
): Pick<FlinkSession, 'apiVersion' | 'kind' | 'spec'> & { metadata: { name: string; namespace: string } } {
  return {
    apiVersion: FLINKSESSION_API_VERSION,
    kind: FLINKSESSION_KIND,
    metadata: { name: DEV_EXAMPLE.name, namespace: DEV_EXAMPLE.namespace },
    spec: {
      flinkVersion: '1.20',
      image: 'flink:1.20',
      autoClean: true,
      numberOfTaskSlots: 2,
      resource: { jobManager: { memory: '1600m' }, taskManager: { memory: '1728m' } },
      s3: { endPoint: stack.s3.endpoint, bucket: 'flink-example', credentialsSecret: { name: DEV_EXAMPLE.credentialsSecret } },
      ha: { type: 'zookeeper', quorum: stack.zookeeper.connect, path: '/flink' },
    },
  };
}
