import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { auditLog } from '../db/schema.ts';
import { GENESIS_HASH, appendAudit, auditRecordOf, hashAuditRecord, redact } from './audit-log.ts';

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
});
