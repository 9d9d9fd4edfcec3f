// `npm run audit:verify` against an audit trail tampered with directly in the database: an
// untouched chain passes; an edited, deleted, inserted or replaced row, a deleted newest row and
// a forged retention checkpoint are each reported at the right seq; so is a ledger entry edited or
// deleted in its own table (its audit entry keeps it there, under the same hash). Runs on PGlite
// and PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, asc, eq, sql } from 'drizzle-orm';
import { LEDGER_SCHEMA_VERSION, newId, type PaymentDoc } from '@feemaster/core';
import type { Db } from '../../../sync-server/src/db/client.ts';
import { openDatabase } from '../../../sync-server/src/db/client.ts';
import { auditChains, auditCheckpoints, auditLog, schools, syncDocuments } from '../../../sync-server/src/db/schema.ts';
import { appendAudit, auditRecordOf, hashAuditRecord, type AuditRecord } from '../../../sync-server/src/audit/audit-log.ts';
import { AuditPruneError, pruneAudit } from '../../../sync-server/src/audit/prune.ts';
import { verifyAuditChains, type ChainVerification } from '../../../sync-server/src/audit/verify.ts';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../../sync-server/test/database.ts';
import { makeStudent, startTestServer, type TestServer } from '../../../sync-server/test/fixtures.ts';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await server.app.close();
  await database.close();
});
beforeEach(async () => {
  await server?.app.close();
  await database.reset();
  server = await startTestServer(database);
  // Signing in is audited too; start from an empty trail so the seqs below are the pushes'.
  await database.db.execute(sql`truncate audit_log, audit_chains, audit_checkpoints`);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each push of one student appends one audit entry, as a desk would cause it. */
async function pushStudents(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/students/1/push',
      headers: { authorization: `Bearer ${server.token}` },
      payload: [{ newDocumentState: makeStudent(server.schoolId) }],
    });
    expect(res.statusCode, res.body).toBe(200);
  }
}
async function verifySchool(pageSize?: number): Promise<ChainVerification> {
  const [report] = await verifyAuditChains(database.db, { chain: server.schoolId, pageSize });
  if (!report) throw new Error('no report for the school chain');
  return report;
}
async function entryAt(seq: number) {
  const [row] = await database.db.select().from(auditLog).where(and(eq(auditLog.chain, server.schoolId), eq(auditLog.seq, seq)));
  if (!row) throw new Error(`no audit entry ${seq}`);
  return row;
}
/** What a forger who knows the hashing would write: a row correctly chained to `previous`. */
async function insertForgery(seq: number, previous: { hash: string }): Promise<void> {
  const { prevHash: _p, hash: _h, ...template } = await entryAt(1);
  const record: AuditRecord = auditRecordOf({ ...template, seq, action: 'ledger.refund', entityType: 'ledger', entityId: newId(), before: null, after: { amount: 5_000_000 } });
  await database.db.insert(auditLog).values({ ...record, prevHash: previous.hash, hash: hashAuditRecord(previous.hash, record) });
}
const run = (statement: ReturnType<typeof sql>) => database.db.execute(statement);

describe('an untouched chain', () => {
  it('verifies, however it is paged', async () => {
    await pushStudents(6);
    for (const pageSize of [1, 2, 5, 1000]) {
      expect(await verifySchool(pageSize)).toEqual({ chain: server.schoolId, ok: true, entries: 6, checkpoint: null, broken: null });
    }
    expect((await verifyAuditChains(database.db)).every((r) => r.ok)).toBe(true);
  });
});

describe('tampering directly in the database is found at the right entry', () => {
  beforeEach(async () => {
    await pushStudents(6);
    expect((await verifySchool()).ok).toBe(true);
  });

  it("finds a row whose 'after' was edited", async () => {
    await run(sql`update audit_log set after = jsonb_set(after::jsonb, '{lastName}', '"Mallory"') where chain = ${server.schoolId} and seq = 3`);
    expect(await verifySchool(2)).toMatchObject({ ok: false, broken: { seq: 3, problem: 'edited', reason: expect.stringContaining('entry 3 (students.create') as string } });
  });

  it('finds a row whose actor was changed, and one whose link was rewritten', async () => {
    await run(sql`update audit_log set actor_role = 'auditor' where chain = ${server.schoolId} and seq = 4`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 4, problem: 'edited' });
    await run(sql`update audit_log set actor_role = 'owner', prev_hash = ${'f'.repeat(64)} where chain = ${server.schoolId} and seq = 4`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 4, problem: 'edited' });
  });

  it('finds a deleted middle row', async () => {
    await run(sql`delete from audit_log where chain = ${server.schoolId} and seq = 3`);
    expect((await verifySchool(2)).broken).toMatchObject({ seq: 3, problem: 'deleted', reason: expect.stringContaining('entry 3 is missing') as string });
  });

  it('finds a forged row added after the newest, even one chained correctly', async () => {
    await insertForgery(7, await entryAt(6));
    expect((await verifySchool()).broken).toMatchObject({ seq: 7, problem: 'inserted', reason: expect.stringContaining('beyond the chain head') as string });
  });

  it('finds a row replaced by a correctly hashed forgery', async () => {
    await run(sql`delete from audit_log where chain = ${server.schoolId} and seq = 3`);
    await insertForgery(3, await entryAt(2));
    expect((await verifySchool()).broken).toMatchObject({ seq: 3, problem: 'inserted' });
  });

  it('finds the newest row deleted, and the newest rows deleted with the head wound back', async () => {
    await run(sql`delete from audit_log where chain = ${server.schoolId} and seq = 6`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 6, problem: 'deleted', reason: expect.stringContaining('newest entries were deleted') as string });
    await run(sql`update audit_chains set last_seq = 5 where chain = ${server.schoolId}`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 5, problem: 'head-mismatch' });
  });

  it('finds entries left without their chain head', async () => {
    await database.db.delete(auditChains).where(eq(auditChains.chain, server.schoolId));
    expect((await verifySchool()).broken).toMatchObject({ seq: 1, problem: 'head-mismatch' });
  });
});

describe('ledger entries, kept once in their own documents', () => {
  const payments: PaymentDoc[] = [];
  beforeEach(async () => {
    payments.length = 0;
    for (const [index, method] of (['cash', 'cheque', 'mobileMoney'] as const).entries()) {
      payments.push({
        id: newId(),
        schoolId: server.schoolId,
        currency: 'KES',
        createdAt: new Date().toISOString(),
        createdBy: newId(),
        type: 'payment',
        payerId: newId(),
        receiptNumber: `MAIN-D01-00000${String(index + 1)}`,
        deviceId: newId(),
        officeId: newId(),
        method,
        ...(method === 'cash' ? {} : { reference: `REF-${String(index)}` }),
        amount: 150_000 * (index + 1),
        offline: false,
        allocations: [],
      });
    }
    // Entry 1 a student, entries 2–4 the payments (one upload), entry 5 a student.
    await pushStudents(1);
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/push`,
      headers: { authorization: `Bearer ${server.token}` },
      payload: payments.map((payment) => ({ newDocumentState: { ...payment, _deleted: false } })),
    });
    expect(res.statusCode, res.body).toBe(200);
    await pushStudents(1);
    const stored = await database.db.select({ seq: auditLog.seq, after: auditLog.after, afterInDocument: auditLog.afterInDocument }).from(auditLog).where(eq(auditLog.chain, server.schoolId)).orderBy(asc(auditLog.seq));
    expect(stored.map((row) => [row.seq, row.after === null, row.afterInDocument])).toEqual([
      [1, false, false],
      [2, true, true],
      [3, true, true],
      [4, true, true],
      [5, false, false],
    ]);
    expect(await verifySchool(2)).toMatchObject({ ok: true, entries: 5 });
  });
  const documentOf = (payment: PaymentDoc) => and(eq(syncDocuments.collection, 'ledger'), eq(syncDocuments.id, payment.id));

  it('finds a payment whose amount was edited in its table', async () => {
    const [second] = payments.slice(1);
    if (!second) throw new Error('no second payment');
    await database.db.update(syncDocuments).set({ data: { ...second, amount: 1 } }).where(documentOf(second));
    expect(await verifySchool(2)).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: 'edited', reason: expect.stringContaining(`records ledger ${second.id}, whose stored document no longer matches`) as string },
    });
  });

  it('finds a payment deleted from its table, and one marked deleted', async () => {
    const [first, , third] = payments;
    if (!first || !third) throw new Error('no payments');
    await database.db.update(syncDocuments).set({ deleted: true }).where(documentOf(third));
    expect((await verifySchool()).broken).toMatchObject({ seq: 4, problem: 'deleted', reason: expect.stringContaining('is marked deleted') as string });
    await database.db.delete(syncDocuments).where(documentOf(first));
    expect((await verifySchool()).broken).toMatchObject({ seq: 2, problem: 'deleted', reason: expect.stringContaining(`records ledger ${first.id}, which is missing from the stored documents`) as string });
  });

  it('finds an entry edited to name another payment', async () => {
    const [first, second] = payments;
    if (!first || !second) throw new Error('no payments');
    await run(sql`update audit_log set entity_id = ${first.id} where chain = ${server.schoolId} and seq = 3`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 3, problem: 'edited' });
  });
});

describe('retention behind a signed checkpoint', () => {
  /** Three entries before the cut-off, three after it. */
  async function pushAroundCutOff(): Promise<string> {
    await pushStudents(3);
    await sleep(5);
    const cutOff = new Date().toISOString();
    await sleep(5);
    await pushStudents(3);
    return cutOff;
  }
  async function remainingSeqs(): Promise<number[]> {
    return (await database.db.select({ seq: auditLog.seq }).from(auditLog).where(eq(auditLog.chain, server.schoolId)).orderBy(asc(auditLog.seq))).map((r) => r.seq);
  }

  it('drops old entries, records the prune, and still verifies from the checkpoint', async () => {
    const cutOff = await pushAroundCutOff();
    const result = await pruneAudit(database.db, { chain: server.schoolId, beforeAt: cutOff });
    expect(result).toMatchObject({ prunedEntries: 3, checkpoint: { upToSeq: 3, hashAtSeq: expect.any(String) as string } });
    expect(await remainingSeqs()).toEqual([4, 5, 6, 7]);
    expect((await entryAt(7)).action).toBe('audit.prune');
    expect(await verifySchool(2)).toMatchObject({ ok: true, entries: 4, checkpoint: { upToSeq: 3 } });
    await pushStudents(1);
    expect(await verifySchool()).toMatchObject({ ok: true, entries: 5 });
    // Pruning again with the same cut-off finds nothing new to drop.
    expect(await pruneAudit(database.db, { chain: server.schoolId, beforeAt: cutOff })).toMatchObject({ prunedEntries: 0, checkpoint: null });
    // And kept entries are as protected as before.
    await run(sql`update audit_log set after = '{}'::jsonb where chain = ${server.schoolId} and seq = 5`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 5, problem: 'edited' });
  });

  it('finds an edited checkpoint, a forged one, a deleted one and an old entry slipped back in', async () => {
    const cutOff = await pushAroundCutOff();
    await pruneAudit(database.db, { chain: server.schoolId, beforeAt: cutOff });
    const [checkpoint] = await database.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.chain, server.schoolId));
    if (!checkpoint) throw new Error('the prune left no checkpoint');

    await run(sql`update audit_checkpoints set hash_at_seq = ${'a'.repeat(64)} where chain = ${server.schoolId}`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 3, problem: 'checkpoint-invalid' });
    await run(sql`update audit_checkpoints set hash_at_seq = ${checkpoint.hashAtSeq} where chain = ${server.schoolId}`);
    expect((await verifySchool()).ok).toBe(true);

    // A forger "prunes" further by hand: a new checkpoint at seq 5 without the key.
    const row5 = await entryAt(5);
    await database.db.insert(auditCheckpoints).values({ chain: server.schoolId, upToSeq: 5, hashAtSeq: row5.hash, createdAt: new Date().toISOString(), signature: 'b'.repeat(64) });
    await run(sql`delete from audit_log where chain = ${server.schoolId} and seq <= 5`);
    expect((await verifySchool()).broken).toMatchObject({ seq: 5, problem: 'checkpoint-invalid' });

    await database.db.delete(auditCheckpoints).where(eq(auditCheckpoints.chain, server.schoolId));
    expect((await verifySchool()).broken).toMatchObject({ seq: 1, problem: 'deleted', reason: expect.stringContaining('entries 1–5 are missing') as string });
  });

  it('finds a pruned entry put back', async () => {
    const cutOff = await pushAroundCutOff();
    const old = await entryAt(2);
    await pruneAudit(database.db, { chain: server.schoolId, beforeAt: cutOff });
    await database.db.insert(auditLog).values(old);
    expect((await verifySchool()).broken).toMatchObject({ seq: 2, problem: 'inserted' });
  });

  it('refuses to prune over a damaged range, so pruning cannot hide tampering', async () => {
    const cutOff = await pushAroundCutOff();
    await run(sql`update audit_log set actor_role = 'auditor' where chain = ${server.schoolId} and seq = 2`);
    await expect(pruneAudit(database.db, { chain: server.schoolId, beforeAt: cutOff })).rejects.toThrow(AuditPruneError);
    await expect(pruneAudit(database.db, { chain: server.schoolId, beforeAt: cutOff })).rejects.toThrow(/broken at seq 2/);
    expect(await remainingSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await database.db.select().from(auditCheckpoints)).toEqual([]);
  });

  it('refuses a cut-off that is not a date or lies in the future', async () => {
    await expect(pruneAudit(database.db, { chain: server.schoolId, beforeAt: 'last year' })).rejects.toThrow(/is not a date/);
    await expect(pruneAudit(database.db, { chain: server.schoolId, beforeAt: '2999-01-01' })).rejects.toThrow(/in the future/);
  });
});

describe('the verify-audit command', () => {
  const serverEntry = fileURLToPath(new URL('../../../sync-server/src/server.ts', import.meta.url));

  function verifyAudit(env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', serverEntry, 'verify-audit', ...args], { env });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  /**
   * The database the command is pointed at: this suite's PostgreSQL database, or an embedded
   * data directory (PGlite allows one process at a time, so the test lets go while it runs).
   */
  async function commandTarget(): Promise<{ env: NodeJS.ProcessEnv; withDb(work: (db: Db) => Promise<void>): Promise<void>; cleanup(): Promise<void> }> {
    const { DATABASE_URL: _ignored, ...base } = process.env;
    if (testDatabaseKind === 'postgres') {
      const url = new URL(process.env.TEST_DATABASE_URL ?? '');
      const [row] = await database.db.select({ name: sql<string>`current_database()` }).from(schools).limit(1);
      url.pathname = `/${row?.name ?? ''}`;
      return { env: { ...base, DATABASE_URL: url.toString() }, withDb: (work) => work(database.db), cleanup: async () => undefined };
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'feemaster-audit-'));
    return {
      env: { ...base, FEEMASTER_DATA_DIR: dataDir },
      async withDb(work) {
        const opened = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
        try {
          await work(opened.db);
        } finally {
          await opened.close();
        }
      },
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  }

  it('exits 0 on an untouched trail and 1, naming the entry, once a row is edited', async () => {
    const target = await commandTarget();
    try {
      const schoolId = newId();
      await target.withDb(async (db) => {
        await db.insert(schools).values({ id: schoolId, name: 'Mount Elgon School', currency: 'UGX', timezone: 'Africa/Kampala' });
        for (const name of ['Akello', 'Okello', 'Nakato', 'Mukasa']) {
          await db.transaction((tx) => appendAudit(tx, [{ schoolId, action: 'students.create', entityType: 'students', entityId: newId(), after: { firstName: name } }]));
        }
      });
      const clean = await verifyAudit(target.env);
      expect(clean.output).toContain(`Mount Elgon School (${schoolId}): ok (4 entries)`);
      expect(clean.code).toBe(0);

      await target.withDb(async (db) => {
        await db.execute(sql`update audit_log set after = '{"firstName":"Mallory"}'::jsonb where chain = ${schoolId} and seq = 2`);
      });
      const tampered = await verifyAudit(target.env);
      expect(tampered.output).toContain(`Mount Elgon School (${schoolId}): BROKEN at seq 2: entry 2 (students.create`);
      expect(tampered.output).toContain('Keep a copy of the database as evidence');
      expect(tampered.code).toBe(1);
    } finally {
      await target.cleanup();
    }
    // Four starts of the server process (two here, two in the test) on PGlite take a while.
  }, 120_000);
});
