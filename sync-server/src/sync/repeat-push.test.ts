// A desk whose replication restarted before it noted what it had pulled (a quick sign-out, another
// person signing in) sends the documents it holds back to the server. Sent exactly as the server
// has them they are repeats, accepted from anyone and stored nowhere; changed, the permission
// table still decides.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { LEDGER_SCHEMA_VERSION, newId, type LoginResponse, type PullResponse } from '@feemaster/core';
import { buildApp } from '../app.ts';
import { auditLog, syncDocuments } from '../db/schema.ts';
import { initSchool } from '../setup/init-school.ts';
import { insertMember } from '../../test/fixtures.ts';
import type { TestDatabase } from '../../test/database.ts';
import { serverPerTest } from '../../test/server-per-test.ts';

const OWNER = { email: 'head@hillside.example', password: 'owner-passphrase-1' };
const CASHIER = { email: 'till@hillside.example', password: 'cashier-passphrase-1' };

async function start(database: TestDatabase) {
  const { schoolId } = await initSchool(database.db, { schoolName: 'Hillside Academy', currency: 'KES', timezone: 'Africa/Nairobi', ownerName: 'Grace Wanjiru', ownerEmail: OWNER.email, ownerPassword: OWNER.password });
  await insertMember(database.db, { id: newId(), ...CASHIER, schoolId, role: 'cashier' });
  const { app } = await buildApp({ database, setupCode: null, authRateLimitPerMinute: 1000 });
  const cashier = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: CASHIER });
  return { app, schoolId, token: cashier.json<LoginResponse>().accessToken };
}

const suite = serverPerTest(start);

type Reference = { id: string; kind: string; updatedAt: string; data: Record<string, unknown> } & Record<string, unknown>;

async function settingsOnServer(): Promise<Reference> {
  const { app, token } = suite.server;
  const pulled = await app.inject({ method: 'GET', url: '/api/v1/sync/reference/1/pull?limit=100', headers: { authorization: `Bearer ${token}` } });
  const settings = pulled.json<PullResponse<Reference>>().documents.find((d) => d.kind === 'settings');
  if (!settings) throw new Error('the school has no settings document');
  return settings;
}

function pushBack(doc: Record<string, unknown>) {
  const { app, token } = suite.server;
  return app.inject({ method: 'POST', url: '/api/v1/sync/reference/1/push', headers: { authorization: `Bearer ${token}` }, payload: [{ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } }] });
}

describe('a document sent back unchanged', () => {
  it('is accepted from a cashier as a repeat and changes nothing on the server', async () => {
    const settings = await settingsOnServer();
    const before = await suite.database.db.select().from(syncDocuments).where(and(eq(syncDocuments.collection, 'reference'), eq(syncDocuments.id, settings.id)));
    const audits = (await suite.database.db.select().from(auditLog)).length;
    const res = await pushBack(settings);
    expect(res.statusCode, res.body).toBe(200);
    const after = await suite.database.db.select().from(syncDocuments).where(and(eq(syncDocuments.collection, 'reference'), eq(syncDocuments.id, settings.id)));
    expect(after[0]?.seq).toBe(before[0]?.seq);
    expect((await suite.database.db.select().from(auditLog)).length).toBe(audits);
  });

  it('is accepted for a ledger entry the cashier may not record (an invoice), and nothing is stored twice', async () => {
    const { app, schoolId } = suite.server;
    const owner = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER })).json<LoginResponse>();
    const invoice = {
      id: newId(), schoolId, currency: 'KES', createdAt: new Date().toISOString(), createdBy: owner.user.id, type: 'invoice', studentId: newId(), termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-05',
      charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 1_000_000 }],
    };
    const path = `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`;
    const pushAs = (token: string) => app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${token}` }, payload: [{ assumedMasterState: null, newDocumentState: { ...invoice, _deleted: false } }] });
    expect((await pushAs(owner.accessToken)).statusCode).toBe(200);
    const repeated = await pushAs(suite.server.token);
    expect(repeated.statusCode, repeated.body).toBe(200);
    const stored = await suite.database.db.select().from(syncDocuments).where(and(eq(syncDocuments.collection, 'ledger'), eq(syncDocuments.id, invoice.id)));
    expect(stored).toHaveLength(1);
    const changed = await app.inject({ method: 'POST', url: path, headers: { authorization: `Bearer ${suite.server.token}` }, payload: [{ assumedMasterState: null, newDocumentState: { ...invoice, issuedOn: '2026-01-06', _deleted: false } }] });
    expect(changed.statusCode).toBe(403);
  });

  it('is still refused once anything in it differs, with the reason', async () => {
    const settings = await settingsOnServer();
    const res = await pushBack({ ...settings, data: { ...settings.data, receiptFooter: 'Changed at the till' } });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ message: string }>().message).toContain('a cashier cannot change school settings');
  });
});
