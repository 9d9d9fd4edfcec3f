// The schema checks compiled ahead of time (./generated, from ./schema-checks-source.ts), by
// collection and, for a discriminated collection, by variant.
import type { SchemaCheck } from '../validation.ts';
import { schemaChecks } from './generated/schema-checks.js';

export { schemaChecks };

/** The compiled checks of one discriminated collection's variants, by discriminator value. */
export function variantChecks(collection: 'reference' | 'ledger'): Record<string, SchemaCheck> {
  const prefix = `${collection}:`;
  return Object.fromEntries(Object.entries(schemaChecks).flatMap(([key, check]) => (key.startsWith(prefix) ? [[key.slice(prefix.length), check]] : [])));
}
