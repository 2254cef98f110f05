// The operator registers its search attributes at start, so every run can be found by session.
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/contract.ts';

// @temporalio/proto is CommonJS: its namespaces come through the default export under Node's ESM.
const { IndexedValueType } = proto.temporal.api.enums.v1;
const INDEXED_TYPE: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(SEARCH_ATTRIBUTES).filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes(addSearchAttributesRequest(namespace, missing));
  return missing.map((key) => key.name);
}

type SearchAttributeKey = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES];

/** Registers `keys` (by default every one of the contract); also for servers that cannot list them (the time-skipping test server). */
export function addSearchAttributesRequest(namespace: string, keys: readonly SearchAttributeKey[] = Object.values(SEARCH_ATTRIBUTES)) {
  return { namespace, searchAttributes: Object.fromEntries(keys.map((key) => [key.name, INDEXED_TYPE[key.type]!])) };
}
