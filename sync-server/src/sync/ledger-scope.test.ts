// An admin limits what desks download of the ledger to the active and previous academic years.
import { describe, expect, it } from 'vitest';
import { LEDGER_SCHEMA_VERSION, newId, type AuditLogsPage, type PullResponse, type SyncSettings, type SyncSummary } from '@feemaster/core';
import { syncDocuments } from '../db/schema.ts';
import { signInAs, startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';

const ctx = serverPerTest((database) => startTestServer(database));

/** Reference and ledger rows as the change feed holds them (pull does not re-check documents). */
async function seed(): Promise<{ oldEntry: string; lastYear: string; thisYear: string }> {
  const { schoolId } = ctx.server;
  const years = [
    ['2024-01-08', '2024-11-29'],
    ['2025-01-06', '2025-11-28'],
    ['2026-01-05', '2026-11-27'],
  ];
  let seq = 1000;
  const row = (collection: string, data: Record<string, unknown>) => ({ collection, id: String(data.id), schoolId, seq: (seq += 1), deleted: false, data });
  await ctx.database.db.insert(syncDocuments).values(years.map(([startDate, endDate]) => row('reference', { id: newId(), schoolId, kind: 'academicYear', name: `Year ${startDate}`, data: { startDate, endDate } })));
  const entry = (createdAt: string) => ({ id: newId(), schoolId, type: 'payment', createdAt });
  const entries = { oldEntry: entry('2024-03-01T08:00:00.000Z'), lastYear: entry('2025-03-01T08:00:00.000Z'), thisYear: entry('2026-03-01T08:00:00.000Z') };
  await ctx.database.db.insert(syncDocuments).values(Object.values(entries).map((e) => row('ledger', e)));
  return { oldEntry: entries.oldEntry.id, lastYear: entries.lastYear.id, thisYear: entries.thisYear.id };
}

async function pulledLedgerIds(token = ctx.server.token): Promise<string[]> {
  const res = await ctx.server.app.inject({ method: 'GET', url: `/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/pull?checkpoint=&limit=1000`, headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  return res.json<PullResponse<{ id: string }>>().documents.map((d) => d.id);
}

function setScope(ledgerScope: SyncSettings['ledgerScope'], token = ctx.server.token) {
  return ctx.server.app.inject({ method: 'PUT', url: '/api/v1/sync/settings', headers: { authorization: `Bearer ${token}` }, payload: { ledgerScope } });
}

describe('ledger scope', () => {
  it('sends every year by default', async () => {
    const ids = await seed();
    expect(await pulledLedgerIds()).toEqual([ids.oldEntry, ids.lastYear, ids.thisYear]);
  });

  it('limited by an admin, sends the ledger from the start of the previous academic year, and counts that part in the summary', async () => {
    const ids = await seed();
    const res = await setScope('recent-years');
    expect(res.statusCode).toBe(200);
    expect(await pulledLedgerIds()).toEqual([ids.lastYear, ids.thisYear]);

    const summary = await ctx.server.app.inject({ method: 'GET', url: '/api/v1/sync/summary', headers: { authorization: `Bearer ${ctx.server.token}` } });
    const body = summary.json<SyncSummary>();
    expect(body.ledgerScope).toBe('recent-years');
    expect(body.collections.find((c) => c.name === 'ledger')?.documents).toBe(2);

    const cashier = await signInAs(ctx.server, ctx.database, 'cashier');
    const settings = await ctx.server.app.inject({ method: 'GET', url: '/api/v1/sync/settings', headers: { authorization: `Bearer ${cashier}` } });
    expect(settings.json<SyncSettings>()).toEqual({ ledgerScope: 'recent-years' });
    expect(await pulledLedgerIds(cashier)).toEqual([ids.lastYear, ids.thisYear]);

    const audit = await ctx.server.app.inject({ method: 'GET', url: '/api/v1/audit/logs?action=sync.settings', headers: { authorization: `Bearer ${ctx.server.token}` } });
    expect(audit.json<AuditLogsPage>().entries.map((e) => [e.action, e.before, e.after])).toEqual([['sync.settings-changed', { ledgerScope: 'all' }, { ledgerScope: 'recent-years' }]]);
  });

  it('sends everything again once set back to all years', async () => {
    const ids = await seed();
    await setScope('recent-years');
    await setScope('all');
    expect(await pulledLedgerIds()).toEqual([ids.oldEntry, ids.lastYear, ids.thisYear]);
  });

  it('refuses a scope it does not know', async () => {
    const res = await ctx.server.app.inject({ method: 'PUT', url: '/api/v1/sync/settings', headers: { authorization: `Bearer ${ctx.server.token}` }, payload: { ledgerScope: 'last-week' } });
    expect(res.statusCode).toBe(400);
  });
});
