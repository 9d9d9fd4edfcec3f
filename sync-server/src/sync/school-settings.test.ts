// The settings document and the school row move together: a new time zone or (before any money
// is recorded) a new currency reaches `schools`, which sessions, receipts and exports read; once
// the ledger holds entries, changing the currency is refused and nothing is saved.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { LEDGER_SCHEMA_VERSION, MAX_LOGO_BYTES, encodeBase64, newId, type ErrorBody, type InvoiceDoc, type PullResponse, type SettingsDoc } from '@feemaster/core';
import { startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';
import { schools } from '../db/schema.ts';
import { CREST_JPEG_BASE64, pngImage } from '../../../core/src/fees/test-images.ts';

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

describe("the school's logo", () => {
  // The push carries the old and the new state of the document, each with its logo, through the push route's body limit.
  it('travels with the settings to every desk, and a logo of the largest allowed size fits one upload', async () => {
    expect((await change({ logo: { mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 } })).statusCode).toBe(200);
    expect((await settings()).data.logo).toEqual({ mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 });
    // Bytes padding a PNG to just under the cap (after its IEND chunk) still make a valid logo.
    const png = pngImage(600, 600);
    const largest = new Uint8Array(MAX_LOGO_BYTES);
    largest.set(png);
    const pushed = await change({ logo: { mediaType: 'image/png', base64: encodeBase64(largest) } });
    expect(pushed.statusCode, pushed.body).toBe(200);
    expect((await settings()).data.logo?.base64.length).toBe(encodeBase64(largest).length);
    // Removing it is a change like any other.
    const current = await settings();
    const { logo: _removed, ...withoutLogo } = current.data;
    const removed = await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/reference/1/push', headers: headers(), payload: [{ assumedMasterState: current, newDocumentState: { ...current, data: withoutLogo, updatedAt: new Date().toISOString() } }] });
    expect(removed.statusCode).toBe(200);
    expect((await settings()).data).not.toHaveProperty('logo');
  });

  it('refuses a logo over 200 KB or a file that is no PNG or JPEG, saying what to do, and saves nothing', async () => {
    const tooBig = new Uint8Array(MAX_LOGO_BYTES + 1);
    tooBig.set(pngImage(100, 100));
    const refused = await change({ logo: { mediaType: 'image/png', base64: encodeBase64(tooBig) }, receiptFooter: 'Thank you' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<ErrorBody>().message).toMatch(/^Setting [0-9a-f-]{36} was refused: The logo is 201 KB; use a PNG or JPEG under 200 KB, e\.g\. the logo saved at 600 × 600 pixels or smaller\. Nothing from this upload was saved/);
    const gif = await change({ logo: { mediaType: 'image/png', base64: encodeBase64(new TextEncoder().encode('GIF89a…')) } });
    expect(gif.statusCode).toBe(422);
    expect(gif.json<ErrorBody>().message).toContain('This file is not a PNG or JPEG image.');
    expect((await settings()).data).not.toHaveProperty('logo');
    expect((await settings()).data.receiptFooter).toBe('');
  });
});
