// Flink's REST of the JobManagers the stack runs as processes (flink-kubelet.ts), under one local
// address: /<namespace>/<name>/… goes to that session's JobManager on its own 127.0.0.1 port, so the
// operator's FSO_REST_URL_TEMPLATE can point here. A session without a running JobManager answers 503.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlinkRestProxy {
  /** For FSO_REST_URL_TEMPLATE. */
  urlTemplate: string;
  /** Every request it was asked, `<method> /<namespace>/<name>/<path>`, in order: what the operator asked Flink. */
  log: string[];
  close(): Promise<void>;
}

/** `restUrl` finds the REST base URL of a session's JobManager (undefined: none runs). */
export async function startFlinkRestProxy(restUrl: (namespace: string, name: string) => string | undefined): Promise<FlinkRestProxy> {
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    log.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    const match = /^\/([^/]+)\/([^/]+)(\/.*)?$/.exec(req.url ?? '');
    const target = match ? restUrl(match[1]!, match[2]!) : undefined;
    if (!match || !target) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: ['no JobManager runs for this session'] }));
      return;
    }
    const upstream = request(`${target}${match[3] ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [`JobManager REST: ${error.message}`] }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlTemplate: `http://127.0.0.1:${port}/{namespace}/{name}`,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
