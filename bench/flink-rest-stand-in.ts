// Stands in for Flink's REST endpoint in the lifecycle benchmark (bench/lifecycle.ts), whose sessions run
// on kwok's fake pods so that it measures the operator, not JobManager JVMs: this local server answers
// /<namespace>/<name>/v1/overview, and /jobs/overview with no jobs (a session nobody submitted to), only
// while the session's JobManager Deployment is available, so "REST answers" still means "the JobManager
// Deployment Flink created is there". No test uses it: the tests' sessions run Flink's own JobManagers.
import * as k8s from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlinkRestStandIn {
  /** For FSO_REST_URL_TEMPLATE. */
  urlTemplate: string;
  close(): Promise<void>;
}

export async function startFlinkRestStandIn(kc: k8s.KubeConfig): Promise<FlinkRestStandIn> {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const standIn = {} as FlinkRestStandIn;
  const server: Server = createServer((req, res) => {
    const match = /^\/([^/]+)\/([^/]+)\/(v1\/overview|jobs\/overview)$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    apps.readNamespacedDeployment({ namespace: match[1]!, name: match[2]! }).then(
      (deployment) => {
        const ready = (deployment.status?.availableReplicas ?? 0) > 0;
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            !ready
              ? { errors: ['JobManager not available'] }
              : match[3] === 'jobs/overview'
                ? { jobs: [] }
                : { taskmanagers: 0, 'slots-total': 0, 'slots-available': 0, 'jobs-running': 0, 'flink-version': 'stand-in' },
          ),
        );
      },
      () => res.writeHead(503).end(JSON.stringify({ errors: ['no JobManager'] })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  standIn.urlTemplate = `http://127.0.0.1:${port}/{namespace}/{name}`;
  standIn.close = () => new Promise((resolve) => server.close(() => resolve()));
  return standIn;
}
