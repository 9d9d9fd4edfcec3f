// A fresh desk downloads the school's data with progress per kind of record; closed halfway, it
// continues from what it already stored instead of starting again.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, SYNC_SUMMARY_PATH, newId, replicatedCollections, type LoginResponse, type Payer, type PaymentDoc, type SyncSummary } from '@feemaster/core';
import { E2E_OWNER } from './e2e-env.ts';
import { signIn } from './desk.ts';

const PAYERS = 2_500;

async function seedPayers(request: APIRequestContext): Promise<void> {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  const { accessToken, school } = (await login.json()) as LoginResponse;
  const now = new Date().toISOString();
  const payers: (Payer & { _deleted: boolean })[] = Array.from({ length: PAYERS }, (_, i) => ({
    id: newId(),
    schoolId: school.id,
    kind: 'family',
    name: `Family ${String(i + 1).padStart(4, '0')}`,
    contacts: [{ type: 'phone', value: `+2547${String(10_000_000 + i)}` }],
    preferredChannel: 'sms',
    students: [],
    createdAt: now,
    updatedAt: now,
    _deleted: false,
  }));
  for (let i = 0; i < payers.length; i += 1000) {
    const res = await request.post('/api/v1/sync/payers/0/push', {
      headers: { authorization: `Bearer ${accessToken}` },
      data: payers.slice(i, i + 1000).map((doc) => ({ assumedMasterState: null, newDocumentState: doc })),
    });
    expect(res.status()).toBe(200);
  }
}

// The desk stores the ledger five pages (5,000 entries) at a time.
const PAYMENTS = 6_000;

/** Payments taken at another desk before this one was set up (credit on account, no allocations). */
async function seedPayments(request: APIRequestContext): Promise<void> {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  const { accessToken, school } = (await login.json()) as LoginResponse;
  const [deviceId, officeId, createdBy] = [newId(), newId(), newId()];
  const payments: (PaymentDoc & { _deleted: boolean })[] = Array.from({ length: PAYMENTS }, (_, i) => ({
    id: newId(),
    schoolId: school.id,
    currency: school.currency,
    createdAt: new Date(Date.UTC(2026, 0, 12, 8) + i * 60_000).toISOString(),
    createdBy,
    type: 'payment',
    payerId: newId(),
    receiptNumber: `MAIN-D09-${String(i + 1).padStart(6, '0')}`,
    deviceId,
    officeId,
    method: 'cash',
    amount: 50_000 + i,
    offline: false,
    allocations: [],
    _deleted: false,
  }));
  for (let i = 0; i < payments.length; i += 1000) {
    const res = await request.post(`/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/push`, {
      headers: { authorization: `Bearer ${accessToken}` },
      data: payments.slice(i, i + 1000).map((doc) => ({ assumedMasterState: null, newDocumentState: doc })),
    });
    expect(res.status(), await res.text()).toBe(200);
  }
}

/** What the server holds of a collection (the specs share one server, so others' records count too). */
async function serverCount(request: APIRequestContext, collection: 'payers' | 'ledger'): Promise<string> {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  const { accessToken } = (await login.json()) as LoginResponse;
  const summary = (await (await request.get(SYNC_SUMMARY_PATH, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as SyncSummary;
  const found = summary.collections.find((c) => c.name === collection);
  if (!found) throw new Error(`the server's summary has no ${collection}`);
  return found.documents.toLocaleString('en-US');
}

/** Lets the first page of payers through and holds every later one until `release`. */
function holdAfterFirstPage(page: Page, collection: 'payers'): Promise<{ release: () => Promise<void> }> {
  return holdPulls(page, collection, (url) => url.searchParams.get('checkpoint') !== '');
}

/** Lets `pages` ledger pages through and holds every later one until `release`. */
function holdLedgerAfter(page: Page, pages: number): Promise<{ release: () => Promise<void> }> {
  let passed = 0;
  return holdPulls(page, 'ledger', () => {
    passed += 1;
    return passed > pages;
  });
}

async function holdPulls(page: Page, collection: 'payers' | 'ledger', hold: (url: URL) => boolean): Promise<{ release: () => Promise<void> }> {
  const held: (() => Promise<void>)[] = [];
  let releasing = false;
  await page.route(`**/api/v1/sync/${collection}/${String(replicatedCollections[collection].schemaVersion)}/pull*`, async (route) => {
    if (releasing || !hold(new URL(route.request().url()))) return route.continue();
    held.push(() => route.continue());
  });
  return {
    release: async () => {
      releasing = true;
      await Promise.all(held.splice(0).map((go) => go().catch(() => undefined)));
    },
  };
}

test('a fresh desk shows its download progress and resumes an interrupted download', async ({ browser, request }) => {
  await seedPayers(request);
  const total = await serverCount(request, 'payers');
  const context = await browser.newContext();
  const first = await context.newPage();
  await holdAfterFirstPage(first, 'payers');
  await signIn(first);
  const payers = first.getByTestId('initial-sync-payers');
  await expect(first.getByTestId('initial-sync')).toBeVisible();
  await expect(payers).toContainText(`1,000 of ${total}`);
  await expect(payers).toHaveAttribute('data-done', 'false');
  await expect(first.getByTestId('initial-sync-students')).toHaveAttribute('data-done', 'true');

  // Closed in the middle: the next start continues from the 1,000 already stored.
  await first.close();
  const second = await context.newPage();
  const gate = await holdAfterFirstPage(second, 'payers');
  await second.goto('/');
  // Its first request already carries a checkpoint (held here), and the count starts at what is stored.
  await expect(second.getByTestId('initial-sync-payers')).toContainText(`1,000 of ${total}`);
  await gate.release();
  await expect(second.getByTestId('initial-sync')).toBeHidden({ timeout: 20_000 });
  await second.getByText('Per kind of record').click();
  await expect(second.getByTestId('last-sync-payers')).toContainText('synced');

  // Done once: a later start shows no download.
  await second.reload();
  await expect(second.getByTestId('sync-indicator')).toHaveAttribute('data-server', 'connected');
  await expect(second.getByTestId('initial-sync')).toHaveCount(0);
  await context.close();
});

test('a fresh desk downloads the ledger in bulk, resumes it, and sends none of it back', async ({ browser, request }) => {
  await seedPayments(request);
  const total = await serverCount(request, 'ledger');
  const context = await browser.newContext();
  const first = await context.newPage();
  await holdLedgerAfter(first, 5);
  await signIn(first);
  const ledger = first.getByTestId('initial-sync-ledger');
  await expect(ledger).toContainText(`5,000 of ${total}`);
  await expect(ledger).toHaveAttribute('data-done', 'false');

  await first.close();
  const second = await context.newPage();
  const uploads: string[] = [];
  second.on('request', (req) => {
    if (req.url().includes(`/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/push`)) uploads.push(req.postData() ?? '');
  });
  const gate = await holdLedgerAfter(second, 0);
  await second.goto('/');
  await expect(second.getByTestId('initial-sync-ledger')).toContainText(`5,000 of ${total}`);
  await gate.release();
  // Hidden once every collection's replication has caught up, its upload included.
  await expect(second.getByTestId('initial-sync')).toBeHidden({ timeout: 30_000 });
  expect(uploads).toEqual([]);
  await second.getByText('Per kind of record').click();
  await expect(second.getByTestId('last-sync-ledger')).toContainText('synced');
  await context.close();
});
