// Whether two plain JSON values (specs as the API server serves them) say the same: the same keys with
// the same values at every level, whatever order the keys come in. Pure and sandbox-safe (the workflow
// uses it): no Node API.
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameData(item, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keysA = definedKeys(a);
  const keysB = definedKeys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && sameData(a[key], b[key]));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Keys whose value is not undefined: JSON has no undefined, so `{ a: undefined }` says what `{}` says. */
const definedKeys = (value: Record<string, unknown>): string[] => Object.keys(value).filter((key) => value[key] !== undefined);
