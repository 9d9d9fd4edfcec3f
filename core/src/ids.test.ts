// Document ids: UUIDv7 generation, validation and reading back the creation time.
import { describe, expect, it } from 'vitest';
import { idMadeAt, idMillis, idTimestamp, isUuid, newId } from './ids.ts';

// The UUIDv7 example from RFC 9562 appendix A.6: 2022-02-22T19:22:22Z.
const RFC_V7 = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
const RFC_V4 = '919108f7-52d1-4320-9bac-f847db4148a8';
const RFC_V1 = 'c232ab00-9414-11ec-b3c8-9f6bdeced846';

describe('newId', () => {
  it('returns lowercase UUIDv7 strings', () => {
    const id = newId();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(id).toBe(id.toLowerCase());
  });

  it('is unique and sorts in creation order over 10k ids', () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    // Strictly increasing, so many ids within one millisecond still keep their order.
    for (let i = 1; i < ids.length; i++) {
      const previous = ids[i - 1] ?? '';
      const current = ids[i] ?? '';
      expect(previous < current, `${previous} < ${current}`).toBe(true);
    }
  });

  it('draws fresh random bits for every id (none shared between ids, past many refills of its pool)', () => {
    // The last 12 hex digits are 48 random bits: two of 10k ids alike by chance is about 1 in 5 million.
    const tails = Array.from({ length: 10_000 }, () => newId().slice(-12));
    expect(new Set(tails).size).toBe(tails.length);
  });

  it('carries the time it was made', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    const stamp = idTimestamp(id).getTime();
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(after);
  });
});

describe('isUuid', () => {
  it('accepts canonical lowercase UUIDs of any RFC 9562 version', () => {
    expect(isUuid(RFC_V7)).toBe(true);
    expect(isUuid(RFC_V4)).toBe(true);
    expect(isUuid(RFC_V1)).toBe(true);
  });

  it('rejects junk', () => {
    const junk: unknown[] = [
      RFC_V7.toUpperCase(),
      RFC_V7.replaceAll('-', ''),
      `{${RFC_V7}}`,
      `urn:uuid:${RFC_V7}`,
      ` ${RFC_V7}`,
      `${RFC_V7}\n`,
      RFC_V7.slice(0, -1),
      `${RFC_V7}0`,
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '017f22e2-79b0-7cc3-c8c4-dc0c0c07398f', // Microsoft variant, not RFC
      '017f22e2-79b0-9cc3-98c4-dc0c0c07398f', // version 9 does not exist
      '017f22e2-79b0-7cc3-98c4-dc0c0c07398g',
      '',
      42,
      null,
      undefined,
      { id: RFC_V7 },
    ];
    for (const value of junk) expect(isUuid(value), String(value)).toBe(false);
  });
});

describe('idTimestamp', () => {
  it('reads the millisecond prefix of a v7 id', () => {
    expect(idTimestamp(RFC_V7).toISOString()).toBe('2022-02-22T19:22:22.000Z');
    expect(idTimestamp('00000000-0001-7000-8000-000000000000').getTime()).toBe(1);
    expect(idTimestamp('ffffffff-ffff-7fff-bfff-ffffffffffff').getTime()).toBe(2 ** 48 - 1);
  });

  it('refuses ids that are not v7', () => {
    expect(() => idTimestamp(RFC_V4)).toThrow(`'${RFC_V4}' is not a UUIDv7`);
    expect(() => idTimestamp('not-an-id')).toThrow('is not a UUIDv7');
  });
});

describe('idMillis and idMadeAt', () => {
  it('reads the millisecond of a v7 id, and null for any other id', () => {
    expect(idMillis(RFC_V7)).toBe(Date.parse('2022-02-22T19:22:22.000Z'));
    expect(idMillis(RFC_V4)).toBeNull();
    expect(idMillis('not-an-id-but-thirty-six-chars-7ong')).toBeNull();
    expect(idMillis(RFC_V7.toUpperCase())).toBeNull();
  });

  it('makes a v7 id carrying the time given, different each time, in that time\'s order', () => {
    const at = Date.parse('2026-01-05T20:00:00.123Z');
    const [a, b, later] = [idMadeAt(at), idMadeAt(at), idMadeAt(at + 1)];
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe('7');
    expect(idMillis(a)).toBe(at);
    expect(idTimestamp(later).getTime()).toBe(at + 1);
    expect(a).not.toBe(b);
    expect([later, a].sort()).toEqual([a, later]);
    expect([later, b].sort()).toEqual([b, later]);
  });
});
