// GET /metrics (Prometheus text), /healthz (the process serves) and /readyz (it does its job: informers
// watching, the Temporal worker RUNNING) on one port, for Kubernetes probes and Prometheus scrapes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  /** undefined: ready; otherwise why not, shown in the /readyz body. */
  (): string | undefined;
}

export interface ObservabilityServer {
  port: number;
  close(): Promise<void>;
}

export interface ObservabilityServerOptions {
  port: number;
  host?: string;
  /** Prometheus text exposition of every metric source. */
  metrics: () => Promise<string>;
  readiness: Readiness[];
}

const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function startObservabilityServer(options: ObservabilityServerOptions): Promise<ObservabilityServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const reasons = options.readiness.map((check) => check()).filter((reason): reason is string => reason !== undefined);
      res
        .writeHead(reasons.length === 0 ? 200 : 503, { 'content-type': 'text/plain' })
        .end(reasons.length === 0 ? 'ok\n' : `not ready: ${reasons.join('; ')}\n`);
    } else if (path === '/metrics') {
      options.metrics().then(
        (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text),
        (error: unknown) =>
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
