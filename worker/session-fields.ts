// Which session an activity call is about, read from its arguments, so the worker's log lines about a
// step carry namespace, name and generation. Pure.

export interface SessionFields {
  namespace?: string;
  name?: string;
  generation?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The activities take a SessionRef, `{ ref }`, an S3 target `{ namespace, session }` or `{ target }`, or `{ clusterId }`. */
export function sessionFieldsOf(args: readonly unknown[]): SessionFields {
  const first = args[0];
  if (!isObject(first)) return {};
  const holder = isObject(first.ref) ? first.ref : isObject(first.target) ? first.target : first;
  const fields: SessionFields = {};
  if (typeof holder.namespace === 'string') fields.namespace = holder.namespace;
  const name = holder.name ?? holder.session ?? first.clusterId;
  if (typeof name === 'string') fields.name = name;
  if (typeof holder.generation === 'number' && holder.generation > 0) fields.generation = holder.generation;
  return fields;
}
