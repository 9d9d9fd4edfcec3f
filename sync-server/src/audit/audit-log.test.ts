import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { auditLog } from '../db/schema.ts';
import { GENESIS_HASH, appendAudit, auditRecordOf, hashAuditRecord, prepareAuditEvent, redact, type AuditEvent } from './audit-log.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.reset();
});

const school = '0190a1b2-0000-7000-8000-0000000000aa';

describe('appendAudit', () => {
  it('links each entry to the previous one per chain, even when writers race', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        database.db.transaction((tx) => appendAudit(tx, [{ schoolId: i % 3 === 0 ? null : school, action: 'test.event', entityId: String(i) }])),
      ),
    );
    const rows = await database.db.select().from(auditLog).orderBy(asc(auditLog.chain), asc(auditLog.seq));
    expect(rows).toHaveLength(12);
    for (const chain of new Set(rows.map((r) => r.chain))) {
      let prev = GENESIS_HASH;
      const chainRows = rows.filter((r) => r.chain === chain);
      chainRows.forEach((row, index) => {
        expect(row.seq).toBe(index + 1);
        expect(row.prevHash).toBe(prev);
        const { prevHash: _p, hash, ...record } = row;
        expect(hashAuditRecord(prev, auditRecordOf(record))).toBe(hash);
        prev = hash;
      });
    }
  });

  it('never stores secrets in before/after', async () => {
    await database.db.transaction((tx) =>
      appendAudit(tx, [{ schoolId: school, action: 'users.update', before: { email: 'a@b.c', passwordHash: 'x' }, after: { nested: { apiKey: 'sk_live_1', name: 'ok' } } }]),
    );
    const [row] = await database.db.select().from(auditLog);
    expect(row?.before).toEqual({ email: 'a@b.c', passwordHash: '[redacted]' });
    expect(row?.after).toEqual({ nested: { apiKey: '[redacted]', name: 'ok' } });
    expect(redact({ refreshToken: 'r', tokens: [{ accessToken: 'a' }] })).toEqual({ refreshToken: '[redacted]', tokens: '[redacted]' });
    expect(redact([{ list: [{ clientSecret: 's', amount: 5 }] }])).toEqual([{ list: [{ clientSecret: '[redacted]', amount: 5 }] }]);
    // A document with nothing sensitive is kept as it is, not copied.
    const payment = { id: 'p1', amount: 5000, allocations: [{ chargeId: 'c1', amount: 5000 }] };
    expect(redact(payment)).toBe(payment);
  });

  it('stores prepared events as their own hash says, whatever they hold', async () => {
    // PostgreSQL cannot store U+0000 in jsonb or text; the pushes refuse it before the trail sees it.
    // Strings of any kind, and of what COPY's text format escapes or the templates use (\\ \t \n \r).
    const awkward = fc.string({ unit: fc.constantFrom('a', 'N', '\\', '\t', '\n', '\r', '"', ' ', '\u0001', '\u00e9', '\u{1f600}') });
    const text = fc.oneof(fc.string(), awkward).filter((t) => !t.includes('\u0000'));
    const json = fc.jsonValue({ maxDepth: 3 }).filter((value) => !JSON.stringify(value).includes('\\u0000'));
    const uuid = fc.uuid({ version: 7 });
    const event: fc.Arbitrary<AuditEvent> = fc.record(
      {
        schoolId: fc.constant(school),
        actorUserId: fc.option(uuid),
        actorRole: fc.option(text),
        deviceId: fc.option(uuid),
        officeId: fc.option(uuid),
        deviceTime: fc.option(text),
        action: text,
        entityType: fc.option(text),
        entityId: fc.option(text),
        before: json,
        after: fc.oneof(json, fc.dictionary(fc.constantFrom('amount', 'token', '10', '2', 'a b', '__proto__'), json), fc.dictionary(awkward, fc.oneof(awkward, json))),
        ip: fc.option(text),
        userAgent: fc.option(text),
        offlineSessionId: fc.option(uuid),
      },
      { requiredKeys: ['schoolId', 'action'] },
    );
    const events = fc.sample(event, { numRuns: 100, seed: 5 });
    // Prepared ahead (as a push does) and plain, in one append.
    await database.db.transaction((tx) => appendAudit(tx, events.map((e, i) => (i % 2 === 0 ? prepareAuditEvent(e) : e))));
    const rows = await database.db.select().from(auditLog).orderBy(asc(auditLog.seq));
    expect(rows).toHaveLength(events.length);
    let prev = GENESIS_HASH;
    rows.forEach((row, index) => {
      const { prevHash, hash, ...record } = row;
      expect(prevHash).toBe(prev);
      expect(hashAuditRecord(prev, auditRecordOf(record))).toBe(hash);
      const sent = events[index];
      expect(record).toMatchObject({
        action: sent?.action,
        actorRole: sent?.actorRole ?? null,
        entityType: sent?.entityType ?? null,
        entityId: sent?.entityId ?? null,
        offlineSessionId: sent?.offlineSessionId ?? null,
        deviceTime: sent?.deviceTime ?? null,
        ip: sent?.ip ?? null,
        userAgent: sent?.userAgent ?? null,
      });
      expect(record.before).toEqual(redact(sent?.before ?? null));
      expect(record.after).toEqual(redact(sent?.after ?? null));
      prev = hash;
    });
  });
});
