// Same-field conflicts between desks: merged on push, listed for admins, decided again.
import { describe, expect, it } from 'vitest';
import type { AuditLogsPage, RealtimeEvent, Student, SyncConflict, SyncConflictList } from '@feemaster/core';
import { makeStudent, signInAs, startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';
import { openStreamAt } from '../../test/sse.ts';

const ctx = serverPerTest((database) => startTestServer(database));
type Doc = Student & { _deleted: boolean };

async function push(token: string, rows: { assumedMasterState: Doc | null; newDocumentState: Doc }[]): Promise<Doc[]> {
  const res = await ctx.server.app.inject({ method: 'POST', url: '/api/v1/sync/students/1/push', headers: { authorization: `Bearer ${token}` }, payload: rows });
  expect(res.statusCode).toBe(200);
  return res.json<Doc[]>();
}
async function pullAll(): Promise<Doc[]> {
  const res = await ctx.server.app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull?checkpoint=&limit=100', headers: { authorization: `Bearer ${ctx.server.token}` } });
  return res.json<{ documents: Doc[] }>().documents;
}
async function conflicts(status: 'open' | 'all' = 'open'): Promise<SyncConflictList> {
  const res = await ctx.server.app.inject({ method: 'GET', url: `/api/v1/sync/conflicts?status=${status}`, headers: { authorization: `Bearer ${ctx.server.token}` } });
  expect(res.statusCode).toBe(200);
  return res.json<SyncConflictList>();
}
function decide(id: string, keep: 'server' | 'desk') {
  return ctx.server.app.inject({ method: 'POST', url: `/api/v1/sync/conflicts/${id}/decision`, headers: { authorization: `Bearer ${ctx.server.token}` }, payload: { keep } });
}
async function auditActions(prefix: string): Promise<AuditLogsPage['entries']> {
  const res = await ctx.server.app.inject({ method: 'GET', url: `/api/v1/audit/logs?action=${prefix}`, headers: { authorization: `Bearer ${ctx.server.token}` } });
  return res.json<AuditLogsPage>().entries;
}
const later = (ms: number): string => new Date(Date.now() + ms).toISOString();

/** v1 on the server; the office changed the phone and the last name; a cashier's desk, offline from v1, changed the last name and the first name. */
async function conflictingEdits(): Promise<{ v1: Doc; office: Doc; desk: Doc; cashier: string }> {
  const cashier = await signInAs(ctx.server, ctx.database, 'cashier');
  const v1 = makeStudent(ctx.server.schoolId, { lastName: 'Kamau' });
  await push(ctx.server.token, [{ assumedMasterState: null, newDocumentState: v1 }]);
  const office = { ...v1, lastName: 'Kamau-Njoroge', admissionNumber: `${v1.admissionNumber}A`, updatedAt: later(1000) };
  await push(ctx.server.token, [{ assumedMasterState: v1, newDocumentState: office }]);
  const desk = { ...v1, lastName: 'Kamau Wanjiku', firstName: 'Ann', updatedAt: later(2000) };
  return { v1, office, desk, cashier };
}

describe('conflicting edits from two desks', () => {
  it('keeps both sides of different fields, keeps the server on the same field, and tells the desk what it now is', async () => {
    const { v1, office, desk, cashier } = await conflictingEdits();
    const answer = await push(cashier, [{ assumedMasterState: v1, newDocumentState: desk }]);
    const kept = { ...office, firstName: 'Ann', updatedAt: desk.updatedAt };
    expect(answer).toEqual([kept]);
    expect(await pullAll()).toEqual([kept]);

    const list = await conflicts();
    expect(list.open).toBe(1);
    const [conflict] = list.conflicts;
    expect(conflict).toMatchObject({
      collection: 'students',
      documentId: v1.id,
      label: `Student Ann Kamau-Njoroge (${office.admissionNumber})`,
      fields: [{ path: '/lastName', base: 'Kamau', server: 'Kamau-Njoroge', desk: 'Kamau Wanjiku', kept: 'server' }],
      user: { displayName: 'Test cashier' },
      decision: null,
    });
    const [audit] = await auditActions('sync.conflict');
    expect(audit?.entityId).toBe(v1.id);
    expect(audit?.actorRole).toBe('cashier');
    expect(audit?.before).toMatchObject({ assumedMasterState: v1, server: office });
    expect(audit?.after).toMatchObject({ desk, kept });
  });

  it('records a conflict once when the same upload is repeated', async () => {
    const { v1, desk, cashier } = await conflictingEdits();
    const first = await push(cashier, [{ assumedMasterState: v1, newDocumentState: desk }]);
    const again = await push(cashier, [{ assumedMasterState: v1, newDocumentState: desk }]);
    expect(again).toEqual(first);
    expect((await conflicts()).open).toBe(1);
    expect(await auditActions('sync.conflict')).toHaveLength(1);
  });

  it("applies the desk's values when an admin decides so, as a new version every desk receives", async () => {
    const { v1, desk, cashier } = await conflictingEdits();
    await push(cashier, [{ assumedMasterState: v1, newDocumentState: desk }]);
    const [conflict] = (await conflicts()).conflicts;
    if (!conflict) throw new Error('no conflict recorded');
    const res = await decide(conflict.id, 'desk');
    expect(res.statusCode).toBe(200);
    expect(res.json<SyncConflict>()).toMatchObject({ decision: 'desk' });
    const [doc] = await pullAll();
    expect(doc?.lastName).toBe('Kamau Wanjiku');
    expect(doc?.firstName).toBe('Ann');
    expect((await conflicts()).open).toBe(0);
    expect((await conflicts('all')).conflicts).toHaveLength(1);
    expect(await auditActions('sync.conflict-decided')).toHaveLength(1);
    expect((await auditActions('students.update')).length).toBeGreaterThanOrEqual(3);

    const twice = await decide(conflict.id, 'server');
    expect(twice.statusCode).toBe(409);
    expect(twice.json<{ message: string }>().message).toContain("the desk's values applied");
  });

  it('keeps the document as it is when an admin decides for the server', async () => {
    const { v1, desk, cashier } = await conflictingEdits();
    const [kept] = await push(cashier, [{ assumedMasterState: v1, newDocumentState: desk }]);
    const [conflict] = (await conflicts()).conflicts;
    if (!conflict) throw new Error('no conflict recorded');
    expect((await decide(conflict.id, 'server')).statusCode).toBe(200);
    expect(await pullAll()).toEqual([kept]);
    expect((await conflicts()).open).toBe(0);
  });

  it('answers 404 for a conflict of no school of the caller', async () => {
    const res = await decide('0190a1b2-0000-7000-8000-000000000000', 'desk');
    expect(res.statusCode).toBe(404);
  });

  it('alerts the admins connected live', async () => {
    const { v1, desk, cashier } = await conflictingEdits();
    const base = await ctx.server.app.listen({ port: 0, host: '127.0.0.1' });
    const stream = await openStreamAt(base, '/api/v1/realtime/stream', ctx.server.token);
    try {
      expect((await stream.next()).data).toBe('"READY"');
      await push(cashier, [{ assumedMasterState: v1, newDocumentState: desk }]);
      const event = JSON.parse((await stream.next()).data) as RealtimeEvent;
      expect(event.kind).toBe('sync-conflict');
      expect(event.title).toContain('Student Ann Kamau-Njoroge');
    } finally {
      stream.close();
    }
  });
});
