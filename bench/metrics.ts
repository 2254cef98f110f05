// Reading Prometheus text (the watcher's /metrics and the API server's: pure parsing plus two fetches),
// and the CPU time a stack's server process has used.
import * as k8s from '@kubernetes/client-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

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

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux; clock ticks
 * of 1/100 s, the kernel's USER_HZ). Undefined when the process cannot be read.
 */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A process's resident memory now and its peak (VmRSS, VmHWM of /proc/<pid>/status, in bytes). */
export interface ProcessMemory {
  rss: number;
  peakRss: number;
}

/** Reads VmRSS and VmHWM out of /proc/<pid>/status text (kB there). Pure (metrics.test.ts). */
export function parseProcessMemory(status: string): ProcessMemory | undefined {
  const kb = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rss = kb('VmRSS');
  const peakRss = kb('VmHWM');
  return rss === undefined || peakRss === undefined ? undefined : { rss, peakRss };
}

/** Read from /proc without asking the process anything (a /metrics scrape costs it CPU). */
export function processMemory(pid: number): ProcessMemory | undefined {
  try {
    return parseProcessMemory(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Starts the process's peak (VmHWM) afresh at its current RSS (writing 5 to clear_refs); false if refused. */
export function resetPeakMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The pid of one of the stack's servers (`s3`, `zookeeper` …), from the stack's state file. */
export function stackServerPid(stateDir: string, server: string): number | undefined {
  try {
    const state = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { pids?: Record<string, number> };
    return state.pids?.[server];
  } catch {
    return undefined;
  }
}
