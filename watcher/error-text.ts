// How the watcher's log lines name an error: short, and never a request body (it could hold a spec).
import { apiStatusCode } from '../kube/errors.ts';

export function errorText(error: unknown): string {
  const code = apiStatusCode(error);
  if (code !== undefined) return `Kubernetes API answered ${code}`;
  if (error instanceof Error) {
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? ` (HTTP ${error.statusCode})` : '';
    return `${error.name}: ${error.message}${status}`;
  }
  return String(error);
}
