import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchesWithin, canonicalJson, utf8Length } from './protocol.ts';

describe('batchesWithin', () => {
  it('cuts at the item limit', () => {
    expect(batchesWithin([1, 2, 3, 4, 5], 2, 1000)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('cuts before the byte limit, counting the JSON as sent', () => {
    const rows = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)];
    const batches = batchesWithin(rows, 100, 100);
    expect(batches).toEqual([[rows[0], rows[1]], [rows[2]]]);
    for (const batch of batches) expect(utf8Length(JSON.stringify(batch))).toBeLessThanOrEqual(100);
  });

  it('counts bytes, not characters', () => {
    const rows = ['é'.repeat(30), 'é'.repeat(30)];
    expect(batchesWithin(rows, 100, 100)).toHaveLength(2);
  });

  it('sends an item larger than the limit alone, and keeps the order', () => {
    const rows = ['x', 'y'.repeat(500), 'z'];
    expect(batchesWithin(rows, 100, 100)).toEqual([['x'], [rows[1]], ['z']]);
    expect(batchesWithin([], 10, 10)).toEqual([]);
  });
});

describe('utf8Length', () => {
  it('counts UTF-8 bytes of one-, two-, three- and four-byte characters', () => {
    expect(utf8Length('a')).toBe(1);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } })).toBe('{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}');
  });

  /** The definition: JSON.stringify with a replacer that rebuilds each object with its keys sorted. */
  const byDefinition = (value: unknown): string | undefined =>
    JSON.stringify(value, (_key, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
      return v;
    });

  it('writes what JSON.stringify with a key-sorting replacer writes, for any value', () => {
    const anything = fc.anything({ withDate: true, withNullPrototype: true, withSparseArray: true, withObjectString: true, key: fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom('4294967294', '4294967295', '01', '-1', '1e3')) });
    fc.assert(
      fc.property(fc.oneof(fc.array(anything), fc.dictionary(fc.string(), anything)), (value) => {
        expect(canonicalJson(value)).toBe(byDefinition(value));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a value with no JSON form instead of answering undefined', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(canonicalJson({ a: undefined, b: [undefined], c: Number.NaN, d: new Date('2026-01-02T00:00:00Z') })).toBe('{"b":[null],"c":null,"d":"2026-01-02T00:00:00.000Z"}');
  });
});
