// Derives an RxDB collection schema from a TypeBox document schema, so the replica and the
// server validate against the same definition.
import type { TObject } from '@sinclair/typebox';

export interface RxSchemaOptions {
  version: number;
  indexes?: (string | string[])[];
}

/** The subset of RxDB's RxJsonSchema we produce; structurally compatible with rxdb's type. */
export interface DerivedRxJsonSchema {
  title: string;
  version: number;
  primaryKey: 'id';
  type: 'object';
  properties: Record<string, unknown>;
  required: string[];
  indexes: (string | string[])[];
  additionalProperties: false;
}

export function toRxJsonSchema(schema: TObject, options: RxSchemaOptions): DerivedRxJsonSchema {
  const title = schema.$id;
  if (!title) throw new Error('A replicated document schema needs an $id naming its collection');
  // JSON round-trip drops TypeBox's symbol keys, leaving plain JSON Schema for RxDB.
  const properties = JSON.parse(JSON.stringify(schema.properties)) as Record<string, unknown>;
  return {
    title,
    version: options.version,
    primaryKey: 'id',
    type: 'object',
    properties,
    required: [...(schema.required ?? [])],
    indexes: options.indexes ?? [],
    additionalProperties: false,
  };
}
