// Which session an activity call is about, read from its arguments, so the worker's log lines about a
// step carry namespace, name and generation. Pure.

export interface SessionFields {
  namespace?: string;
  name?: string;
  generation?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The activities take a SessionRef, `{ ref }`, or an S3 target `{ target: { ref } }`. */
export function sessionFieldsOf(args: readonly unknown[]): SessionFields {
  const first = args[0];
  if (!isObject(first)) return {};
  const target = isObject(first.target) ? first.target : first;
  const holder = isObject(first.ref) ? first.ref : isObject(target.ref) ? target.ref : first;
  const fields: SessionFields = {};
  if (typeof holder.namespace === 'string') fields.namespace = holder.namespace;
  if (typeof holder.name === 'string') fields.name = holder.name;
  if (typeof holder.generation === 'number') fields.generation = holder.generation;
  return fields;
}
