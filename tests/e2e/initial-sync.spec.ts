// A fresh desk downloads the school's data with progress per kind of record; closed halfway, it
// continues from what it already stored instead of starting again.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { newId, type LoginResponse, type Payer } from '@feemaster/core';
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

/** Lets the first page of payers through and holds every later one until `release`. */
async function holdPayersAfterFirstPage(page: Page): Promise<{ release: () => Promise<void> }> {
  const held: (() => Promise<void>)[] = [];
  let releasing = false;
  await page.route('**/api/v1/sync/payers/0/pull*', async (route) => {
    const checkpoint = new URL(route.request().url()).searchParams.get('checkpoint');
    if (releasing || !checkpoint) return route.continue();
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
  const context = await browser.newContext();
  const first = await context.newPage();
  await holdPayersAfterFirstPage(first);
  await signIn(first);
  const payers = first.getByTestId('initial-sync-payers');
  await expect(first.getByTestId('initial-sync')).toBeVisible();
  await expect(payers).toContainText(`1,000 of ${PAYERS.toLocaleString('en-US')}`);
  await expect(payers).toHaveAttribute('data-done', 'false');
  await expect(first.getByTestId('initial-sync-students')).toHaveAttribute('data-done', 'true');

  // Closed in the middle: the next start continues from the 1,000 already stored.
  await first.close();
  const second = await context.newPage();
  const gate = await holdPayersAfterFirstPage(second);
  await second.goto('/');
  // Its first request already carries a checkpoint (held here), and the count starts at what is stored.
  await expect(second.getByTestId('initial-sync-payers')).toContainText(`1,000 of ${PAYERS.toLocaleString('en-US')}`);
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
