// Every change a push writes lands in the audit trail in the same transaction: who, which desk,
// the desk's clock and the server's, before and after. Repeats, conflicts and refusals do not.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asc, eq, sql } from 'drizzle-orm';
import { LEDGER_SCHEMA_VERSION, newId, type PaymentDoc } from '@feemaster/core';
import { auditLog, users } from '../db/schema.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, makeStudent, signInAs, startTestServer, type TestServer } from '../../test/fixtures.ts';

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
  // Signing in is audited too; start from an empty trail so the seqs are this scenario's.
  await database.db.execute(sql`truncate audit_log, audit_chains, audit_checkpoints`);
});

const USER_AGENT = 'FeeMaster-Desk/0.1 (MAIN-D02)';

async function push(collection: string, version: number, rows: unknown[], token = server.token) {
  return server.app.inject({
    method: 'POST',
    url: `/api/v1/sync/${collection}/${version}/push`,
    headers: { authorization: `Bearer ${token}`, 'user-agent': USER_AGENT },
    payload: rows as object,
  });
}
/** The entries pushes caused (sign-ins of extra test users are left out). */
async function entries() {
  return (await database.db.select().from(auditLog).orderBy(asc(auditLog.seq))).filter((entry) => !entry.action.startsWith('auth.'));
}
async function ownerId(): Promise<string> {
  const [owner] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, OWNER.email));
  if (!owner) throw new Error('the test owner is missing');
  return owner.id;
}
const withoutDeleted = <T extends { _deleted: boolean }>({ _deleted: _d, ...rest }: T) => rest;

describe('audit entries for pushed documents', () => {
  it('records a created student with who, where, the desk time and the server time', async () => {
    const deskTime = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const student = makeStudent(server.schoolId, { createdAt: deskTime, updatedAt: deskTime });
    const before = new Date().toISOString();
    expect((await push('students', 1, [{ newDocumentState: student }])).statusCode).toBe(200);
    const [entry, ...more] = await entries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      chain: server.schoolId,
      seq: 1,
      schoolId: server.schoolId,
      actorUserId: await ownerId(),
      actorRole: 'owner',
      action: 'students.create',
      entityType: 'students',
      entityId: student.id,
      before: null,
      after: withoutDeleted(student),
      deviceTime: deskTime,
      ip: '127.0.0.1',
      userAgent: USER_AGENT,
    });
    // Server time is when it arrived, not when the desk made it.
    const at = entry?.at ?? '';
    expect(at >= before && at <= new Date().toISOString(), `server time ${at}`).toBe(true);
  });

  it('records an update with the stored state before and the new state after, and a delete', async () => {
    const v1 = makeStudent(server.schoolId, { lastName: 'Kamau' });
    await push('students', 1, [{ newDocumentState: v1 }]);
    const v2 = { ...v1, lastName: 'Kamau-Njoroge', updatedAt: new Date(Date.now() + 1000).toISOString() };
    await push('students', 1, [{ assumedMasterState: v1, newDocumentState: v2 }]);
    const v3 = { ...v2, _deleted: true, updatedAt: new Date(Date.now() + 2000).toISOString() };
    await push('students', 1, [{ assumedMasterState: v2, newDocumentState: v3 }]);
    const [, update, deletion] = await entries();
    expect(update).toMatchObject({ seq: 2, action: 'students.update', before: withoutDeleted(v1), after: withoutDeleted(v2), deviceTime: v2.updatedAt });
    expect(deletion).toMatchObject({ seq: 3, action: 'students.delete', before: withoutDeleted(v2), after: { ...withoutDeleted(v3), _deleted: true } });
  });

  it('records a ledger entry by its type, with the desk and office that took it offline', async () => {
    const cashier = await signInAs(server, database, 'cashier');
    const takenAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const payment: PaymentDoc = {
      id: newId(),
      schoolId: server.schoolId,
      currency: 'KES',
      createdAt: takenAt,
      createdBy: newId(),
      type: 'payment',
      payerId: newId(),
      receiptNumber: 'MAIN-D02-000153',
      deviceId: newId(),
      officeId: newId(),
      method: 'cash',
      amount: 250_000,
      offline: true,
      allocations: [],
    };
    const res = await push('ledger', LEDGER_SCHEMA_VERSION, [{ newDocumentState: { ...payment, _deleted: false } }], cashier);
    expect(res.statusCode, res.body).toBe(200);
    const [entry] = await entries();
    expect(entry).toMatchObject({
      action: 'ledger.payment',
      actorRole: 'cashier',
      entityType: 'ledger',
      entityId: payment.id,
      deviceId: payment.deviceId,
      officeId: payment.officeId,
      deviceTime: takenAt,
      before: null,
      // The payment is kept once, in its own document, which the entry's hash covers.
      after: null,
      afterInDocument: true,
    });
    expect((entry?.at ?? '') > takenAt, `server time ${entry?.at ?? 'missing'} after desk time ${takenAt}`).toBe(true);
    // Readers of the trail see it in place: the audit screen's list and its export.
    const list = await server.app.inject({ method: 'GET', url: '/api/v1/audit/logs?action=ledger.', headers: { authorization: `Bearer ${server.token}` } });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ entries: unknown[] }>().entries).toEqual([expect.objectContaining({ action: 'ledger.payment', entityId: payment.id, after: payment })]);
    const exported = await server.app.inject({ method: 'GET', url: '/api/v1/audit/export?format=json&action=ledger.', headers: { authorization: `Bearer ${server.token}` } });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.body).toContain(`"receiptNumber":"MAIN-D02-000153"`);
    expect(exported.body).not.toContain('afterInDocument');
  });

  it('writes no change for a repeated push, a same-field conflict (only its record) or a refused push', async () => {
    const v1 = makeStudent(server.schoolId);
    await push('students', 1, [{ newDocumentState: v1 }]);
    await push('students', 1, [{ newDocumentState: v1 }]);
    const deskA = { ...v1, firstName: 'Ann', updatedAt: new Date(Date.now() + 1000).toISOString() };
    await push('students', 1, [{ assumedMasterState: v1, newDocumentState: deskA }]);
    const stale = await push('students', 1, [{ assumedMasterState: v1, newDocumentState: { ...v1, firstName: 'Bea', updatedAt: deskA.updatedAt } }]);
    expect(stale.json()).toEqual([deskA]);
    const refused = await push('students', 1, [{ newDocumentState: makeStudent(server.schoolId) }, { newDocumentState: { ...makeStudent(server.schoolId), status: 'expelled' } }]);
    expect(refused.statusCode).toBe(422);
    expect((await entries()).map((e) => e.action)).toEqual(['students.create', 'students.update', 'sync.conflict']);
  });

  it('keeps each entry of a multi-row push in order on one chain', async () => {
    const students = Array.from({ length: 4 }, (_, i) => makeStudent(server.schoolId, { admissionNumber: `B${i}` }));
    await push('students', 1, students.map((s) => ({ newDocumentState: s })));
    const rows = await entries();
    expect(rows.map((e) => [e.seq, e.entityId])).toEqual(students.map((s, i) => [i + 1, s.id]));
    rows.slice(1).forEach((row, i) => expect(row.prevHash).toBe(rows[i]?.hash));
  });
});
