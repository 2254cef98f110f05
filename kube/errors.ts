// Kubernetes API errors, narrowed in one place.
import { ApiException } from '@kubernetes/client-node';

export function apiStatusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export const isNotFound = (error: unknown): boolean => apiStatusCode(error) === 404;
export const isConflict = (error: unknown): boolean => apiStatusCode(error) === 409;
/**
 * A write made against a state that has changed since it was read: a conflicting resourceVersion
 * (409), or a JSON patch whose `test` of the resourceVersion failed (422). Read again and decide again.
 */
export const isStaleWrite = (error: unknown): boolean => isConflict(error) || apiStatusCode(error) === 422;

/**
 * 4xx answers that no retry can change: the request itself is wrong (400 Bad Request, 422 Invalid,
 * 405, 406, 413, 415). Not among them: 401/403 (credentials or RBAC, which an admin can fix while the
 * step retries), 404 and 409 (each caller decides), 408 and 429 (try again later).
 */
const RETRYABLE_CLIENT_ERRORS = new Set([401, 403, 404, 408, 409, 429]);
export function isPermanentApiError(error: unknown): boolean {
  const code = apiStatusCode(error);
  return code !== undefined && code >= 400 && code < 500 && !RETRYABLE_CLIENT_ERRORS.has(code);
}

/** Runs `call`; an error `expected` says is fine ends it with false, as if it had nothing to do. */
async function ignoring(expected: (error: unknown) => boolean, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error: unknown) {
    if (expected(error)) return false;
    throw error;
  }
}

/** Runs a delete; "already gone" is success. */
export const deleteIgnoringNotFound = (remove: () => Promise<unknown>): Promise<boolean> => ignoring(isNotFound, remove);

/** Runs a create; "already exists" is success (names are deterministic, so it is the same object). */
export const createIgnoringConflict = (create: () => Promise<unknown>): Promise<boolean> => ignoring(isConflict, create);

/** Runs a patch; an object that is gone is left alone (false). */
export const patchIgnoringNotFound = (patch: () => Promise<unknown>): Promise<boolean> => ignoring(isNotFound, patch);

/** The API server's message from a refused request, for error texts. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    try {
      return (JSON.parse(String(error.body)) as { message?: string }).message ?? String(error.body);
    } catch {
      return String(error.body);
    }
  }
  return error instanceof Error ? error.message : String(error);
}
