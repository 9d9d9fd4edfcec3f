// The settings document and the school row move together: a new time zone or (before any money
// is recorded) a new currency reaches `schools`, which sessions, receipts and exports read; once
// the ledger holds entries, changing the currency is refused and nothing is saved.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { LEDGER_SCHEMA_VERSION, newId, type ErrorBody, type InvoiceDoc, type PullResponse, type SettingsDoc } from '@feemaster/core';
import { startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';
import { schools } from '../db/schema.ts';

const suite = serverPerTest((database) => startTestServer(database));
const headers = () => ({ authorization: `Bearer ${suite.server.token}` });

async function settings(): Promise<SettingsDoc> {
  const pulled = await suite.server.app.inject({ method: 'GET', url: '/api/v1/sync/reference/1/pull?limit=100', headers: headers() });
  const doc = pulled.json<PullResponse<SettingsDoc>>().documents.find((d) => d.kind === 'settings');
  if (!doc) throw new Error('the school has no settings document');
  return doc;
}

async function change(data: Partial<SettingsDoc['data']>) {
  const before = await settings();
  const after = { ...before, data: { ...before.data, ...data }, updatedAt: new Date().toISOString() };
  return suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/reference/1/push', headers: headers(), payload: [{ assumedMasterState: before, newDocumentState: after }] });
}

const school = async () => (await suite.database.db.select({ currency: schools.currency, timezone: schools.timezone }).from(schools).where(eq(schools.id, suite.server.schoolId)))[0];

describe("the school's settings", () => {
  it('carries a new time zone and, before any money is recorded, a new currency to the school', async () => {
    expect((await change({ timezone: 'Africa/Kampala' })).statusCode).toBe(200);
    expect(await school()).toEqual({ currency: 'KES', timezone: 'Africa/Kampala' });
    expect((await change({ currency: 'UGX' })).statusCode).toBe(200);
    expect(await school()).toEqual({ currency: 'UGX', timezone: 'Africa/Kampala' });
  });

  it('refuses a new currency once the ledger holds an entry, saving nothing', async () => {
    const invoice: InvoiceDoc = {
      id: newId(), schoolId: suite.server.schoolId, currency: 'KES', createdAt: new Date().toISOString(), createdBy: newId(), type: 'invoice', studentId: newId(), termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-05',
      charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 100_000 }],
    };
    const pushed = await suite.server.app.inject({ method: 'POST', url: `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`, headers: headers(), payload: [{ newDocumentState: { ...invoice, _deleted: false } }] });
    expect(pushed.statusCode, pushed.body).toBe(200);
    const refused = await change({ currency: 'UGX', receiptFooter: 'Thank you' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<ErrorBody>().message).toBe("The school's currency cannot change from KES to UGX: 1 ledger entry is recorded in KES, and every amount would change meaning. Nothing from this upload was saved; keep KES.");
    expect((await settings()).data).toMatchObject({ currency: 'KES', receiptFooter: '' });
    expect(await school()).toEqual({ currency: 'KES', timezone: 'Africa/Nairobi' });
    // Other settings still change.
    expect((await change({ receiptFooter: 'Thank you' })).statusCode).toBe(200);
  });
});
