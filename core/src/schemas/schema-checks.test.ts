// The checks compiled ahead of time answer exactly as TypeBox's interpreter does on the same
// schema, for documents that are valid and for documents broken in every way a desk could break
// them (that the generated file is up to date with the schemas is tested in tests/integration).
import { Kind, TypeGuard, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaChecks } from './checks.ts';
import { checkedSchemas } from './schema-checks-source.ts';
import { replicatedCollections } from '../sync/collections.ts';

const dateText = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

/** For each pattern the schemas use: strings that match it, and strings that nearly do. */
const byPattern: Record<string, { matching: fc.Arbitrary<string>; nearly: fc.Arbitrary<string> }> = {
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$': { matching: fc.uuid(), nearly: fc.uuid().map((id) => id.toUpperCase()) },
  '^[A-Za-z0-9][A-Za-z0-9/._-]*$': { matching: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9/._-]{0,12}$/), nearly: fc.constantFrom('-12', 'ADM 1', '') },
  '\\S': { matching: fc.string({ minLength: 3, maxLength: 20 }).filter((text) => /\S/.test(text)), nearly: fc.constantFrom(' ', '\t', '', '   ') },
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$': { matching: dateText.map((d) => d.slice(0, 10)), nearly: fc.constantFrom('2026-13-01', '2026-02-32', '26-01-01') },
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$': { matching: dateText, nearly: dateText.map((d) => d.replace('Z', '+00:00')) },
  '^[A-Z]{3}$': { matching: fc.constantFrom('KES', 'UGX', 'USD'), nearly: fc.constantFrom('kes', 'KE', 'KESH') },
  '^[A-Z0-9]+$': { matching: fc.stringMatching(/^[A-Z0-9]{1,8}$/), nearly: fc.constantFrom('d01', 'D 1', '') },
  '^[A-Z0-9]+-[A-Z0-9]+-\\d{6,}$': { matching: fc.constant('MAIN-D01-000042'), nearly: fc.constant('MAIN-D01-42') },
  '^[A-Za-z0-9+/]*={0,2}$': { matching: fc.base64String({ minLength: 4, maxLength: 24 }), nearly: fc.constantFrom('ab=c', 'abc!', '-_-_', '====') },
  '^[a-z0-9_]+$': { matching: fc.constantFrom('visa', 'mastercard', 'amex', 'eftpos_au'), nearly: fc.constantFrom('Visa', 'master card', '', 'amex-') },
  '^[0-9]{4}$': { matching: fc.stringMatching(/^[0-9]{4}$/), nearly: fc.constantFrom('424', '42424', '42a2', '') },
  '^[A-Za-z0-9_-]{43}$': { matching: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), nearly: fc.constantFrom(`${'A'.repeat(42)}=`, `${'A'.repeat(42)}+`) },
};

function stringFor(schema: TSchema & { pattern?: string; minLength?: number; maxLength?: number }): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 30, 30);
  if (schema.pattern === undefined) return fc.oneof({ weight: 12, arbitrary: fc.string({ minLength, maxLength }) }, { weight: 1, arbitrary: fc.string({ minLength: maxLength + 1, maxLength: maxLength + 3 }) });
  const known = byPattern[schema.pattern];
  if (!known) throw new Error(`the test has no strings for the pattern ${schema.pattern}: add them to byPattern`);
  return fc.oneof({ weight: 40, arbitrary: known.matching }, { weight: 1, arbitrary: known.nearly });
}

/** Values shaped by the schema, each part now and then replaced by anything at all. */
function arbitraryFor(schema: TSchema): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 60, arbitrary: shapedBy(schema) }, { weight: 1, arbitrary: fc.anything() });
}

function shapedBy(schema: TSchema): fc.Arbitrary<unknown> {
  if (TypeGuard.IsString(schema)) return stringFor(schema);
  if (TypeGuard.IsInteger(schema)) {
    const min = schema.minimum ?? -1_000_000;
    const max = schema.maximum ?? 1_000_000_000;
    return fc.oneof({ weight: 20, arbitrary: fc.integer({ min, max: Math.min(max, Number.MAX_SAFE_INTEGER) }) }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, 1.5, Number.NaN) });
  }
  if (TypeGuard.IsBoolean(schema)) return fc.boolean();
  if (TypeGuard.IsLiteral(schema)) return fc.constant(schema.const);
  if (TypeGuard.IsUnion(schema)) return fc.oneof(...schema.anyOf.map(arbitraryFor));
  if (TypeGuard.IsArray(schema)) {
    const minLength = schema.minItems ?? 0;
    const items = arbitraryFor(schema.items);
    const fitting = fc.array(items, { minLength, maxLength: Math.min(schema.maxItems ?? 3, minLength + 3) });
    return fc.oneof({ weight: 20, arbitrary: fitting }, { weight: 1, arbitrary: fc.array(items, { maxLength: Math.max(0, minLength - 1) }) });
  }
  if (TypeGuard.IsObject(schema)) {
    const required = new Set(schema.required ?? []);
    const shape = Object.fromEntries(Object.entries(schema.properties).map(([key, property]) => [key, arbitraryFor(property)]));
    const record = fc.record(shape, { requiredKeys: Object.keys(shape).filter((key) => required.has(key)) });
    return fc.tuple(record, fc.oneof({ weight: 30, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('extra', 'kind', 'type', 'id') }), fc.anything()).map(([value, extraKey, extra]) =>
      extraKey === null ? value : { ...value, [extraKey]: extra },
    );
  }
  throw new Error(`the test has no values for a ${schema[Kind]} schema`);
}

describe('schema checks compiled ahead of time', () => {
  it('has one compiled check for every schema, and nothing else', () => {
    expect(Object.keys(schemaChecks).sort()).toEqual(checkedSchemas().map(([key]) => key).sort());
  });

  for (const [key, schema] of checkedSchemas()) {
    it(`${key}: agrees with the interpreter on valid and broken documents`, () => {
      const check = schemaChecks[key as keyof typeof schemaChecks];
      let valid = 0;
      fc.assert(
        fc.property(arbitraryFor(schema), (value) => {
          const expected = Value.Check(schema, value);
          if (expected) valid += 1;
          expect(check(value)).toBe(expected);
        }),
        { numRuns: 400 },
      );
      // Not a vacuous agreement on rubbish alone: a good share of the documents were valid.
      expect(valid).toBeGreaterThan(20);
    });
  }

  it('explains a refused document in the same words as before', () => {
    const problems = replicatedCollections.ledger.validate({ type: 'payment', id: 'not-an-id' });
    expect(problems.length).toBeGreaterThan(1);
    expect(problems).toContainEqual({ path: '/schoolId', message: 'schoolId is required' });
    expect(replicatedCollections.ledger.validate({ type: 'cheese' })).toEqual([{ path: '/type', message: expect.stringContaining('type must be one of invoice') as unknown }]);
  });
});
