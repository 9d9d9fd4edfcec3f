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

/**
 * An RxDB schema for a collection whose documents come in variants (by `type` or `kind`):
 * properties are merged; a property whose definition differs between variants is loosened to
 * its JSON type (full checking is done by core's validator); required = required by all.
 */
export function toRxJsonSchemaFromVariants(title: string, variants: readonly TObject[], options: RxSchemaOptions): DerivedRxJsonSchema {
  const definitions = new Map<string, unknown[]>();
  for (const variant of variants) {
    const plain = JSON.parse(JSON.stringify(variant.properties)) as Record<string, unknown>;
    for (const [name, definition] of Object.entries(plain)) definitions.set(name, [...(definitions.get(name) ?? []), definition]);
  }
  const merged: Record<string, unknown> = {};
  for (const [name, defs] of definitions) {
    const [first] = defs;
    if (defs.every((d) => JSON.stringify(d) === JSON.stringify(first))) {
      merged[name] = first;
      continue;
    }
    const types = new Set(defs.map(jsonType));
    const type = types.size === 1 ? [...types][0] : undefined;
    // RxDB pads indexed strings to maxLength: keep the widest one any variant allows.
    merged[name] = type === 'string' ? { type, maxLength: Math.max(...defs.map(stringLength)) } : type ? { type } : {};
  }
  const required = variants
    .map((v) => new Set(v.required ?? []))
    .reduce((a, b) => new Set([...a].filter((name) => b.has(name))));
  return {
    title,
    version: options.version,
    primaryKey: 'id',
    type: 'object',
    properties: merged,
    required: [...required],
    indexes: options.indexes ?? [],
    additionalProperties: false,
  };
}

function stringLength(definition: unknown): number {
  if (typeof definition !== 'object' || definition === null) return 1000;
  const { maxLength, const: constant, anyOf } = definition as { maxLength?: unknown; const?: unknown; anyOf?: unknown[] };
  if (typeof maxLength === 'number') return maxLength;
  if (typeof constant === 'string') return constant.length;
  if (Array.isArray(anyOf)) return Math.max(...anyOf.map(stringLength));
  return 1000;
}

function jsonType(definition: unknown): string | undefined {
  if (typeof definition !== 'object' || definition === null) return undefined;
  const type = (definition as { type?: unknown }).type;
  if (typeof type === 'string') return type;
  // A union of literals (e.g. `type: 'sibling' | 'staffChild'`) is a string.
  const anyOf = (definition as { anyOf?: unknown[] }).anyOf;
  if (Array.isArray(anyOf)) {
    const types = new Set(anyOf.map(jsonType));
    if (types.size === 1) return [...types][0];
  }
  const constant = (definition as { const?: unknown }).const;
  return constant === undefined ? undefined : typeof constant;
}
