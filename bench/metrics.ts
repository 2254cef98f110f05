// Reading Prometheus text: the watcher's /metrics and the API server's. Pure parsing plus two fetches.
import * as k8s from '@kubernetes/client-node';
import { request } from 'node:https';

/** The sum of every sample of `metric` whose labels include all of `labels`. */
export function sumSamples(text: string, metric: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric) || (line[metric.length] !== '{' && line[metric.length] !== ' ')) continue;
    const labelText = line[metric.length] === '{' ? line.slice(metric.length + 1, line.indexOf('}')) : '';
    if (!Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return response.text();
}

/** The API server's own /metrics, read with the kubeconfig's credentials. */
export async function scrapeApiServer(kc: k8s.KubeConfig): Promise<string> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const options: import('node:https').RequestOptions = { method: 'GET', hostname: server.hostname, port: server.port, path: '/metrics' };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}
