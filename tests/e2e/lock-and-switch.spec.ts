// A desk left alone locks itself; the cashier unlocks it with their password, and another cashier
// takes it over without losing the open screen, online and with the server unreachable.
import { expect, test } from '@playwright/test';
import type { DeviceApproval, LedgerEntry, LoginResponse, PullResponse } from '@feemaster/core';
import { LEDGER_SCHEMA_VERSION, newId } from '@feemaster/core';
import { E2E_PORT } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { goOffline, goOnline, syncIndicator, waitForOfflineShell } from './desk.ts';
import { findFamily, mainOfficeId, openDesk, openTill, owner, push } from './cashier.ts';

const AMANI = { email: 'amani.lock@riverside.example', password: 'amani-cashier-2026', displayName: 'Amani Wekesa' };
const BAKARI = { email: 'bakari.lock@riverside.example', password: 'bakari-cashier-2026', displayName: 'Bakari Salim' };

test('a desk locks when left alone, unlocks with the password, and another cashier takes over the open screen', async ({ browser, request }) => {
  const { headers, schoolId } = await owner(request);
  const registered = await request.post('/api/v1/devices', { headers, data: { name: 'Lock desk', code: 'D51', officeId: await mainOfficeId(request, headers) } });
  const { approvalCode } = (await registered.json()) as DeviceApproval;
  for (const person of [AMANI, BAKARI]) expect((await request.post('/api/v1/users', { headers, data: { ...person, role: 'cashier' } })).status()).toBe(201);
  const now = new Date().toISOString();
  const payer = { id: newId(), schoolId, kind: 'family', name: 'Salim household', contacts: [{ type: 'phone', value: '0711 222 333' }], preferredChannel: 'sms', students: [], createdAt: now, updatedAt: now };
  await push(request, headers, '/api/v1/sync/payers/0/push', [payer]);

  const link = await startOutageProxy(E2E_PORT);
  const context = await browser.newContext({ baseURL: link.url });
  const page = await context.newPage();
  // Bakari signs in on this desk once, so that the desk can later let him in offline.
  await openDesk(page, approvalCode, BAKARI);
  await page.getByRole('button', { name: 'Sign out' }).click();
  const signIn = page.getByRole('form', { name: 'Sign in' });
  await signIn.getByLabel('Email').fill(AMANI.email);
  await signIn.getByLabel('Password').fill(AMANI.password);
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Open the till' })).toBeVisible();
  await waitForOfflineShell(page);
  await openTill(page, '500');

  // Amani starts a payment and steps away: the desk locks itself after its idle time.
  await page.evaluate(() => window.localStorage.setItem('feemaster.lockAfterMinutes', '0.03'));
  await page.reload();
  await findFamily(page, '0711 222 333', /Salim household/);
  await page.getByTestId('payment-amount').fill('1,250');
  const lock = page.getByRole('dialog', { name: 'Desk locked' });
  await expect(lock).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('payment-amount')).toHaveValue('1,250');
  await page.evaluate(() => window.localStorage.setItem('feemaster.lockAfterMinutes', '0'));

  const unlock = page.getByRole('form', { name: 'Unlock the desk' });
  await unlock.getByLabel('Password').fill('not-my-password');
  await unlock.getByRole('button', { name: 'Unlock' }).click();
  await expect(unlock.getByRole('alert')).toHaveText('That is not your password. Try again.');
  await unlock.getByLabel('Password').fill(AMANI.password);
  await unlock.getByRole('button', { name: 'Unlock' }).click();
  await expect(lock).toBeHidden();
  await expect(page.getByTestId('payment-amount')).toHaveValue('1,250');

  // The internet goes; Amani locks the desk for her break, and Bakari takes it over offline.
  await goOffline(context, link);
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.getByRole('button', { name: 'Switch cashier' }).click();
  const takeOver = page.getByRole('form', { name: 'Switch cashier' });
  await takeOver.getByLabel('Email').fill(BAKARI.email);
  await takeOver.getByLabel('Password').fill(BAKARI.password);
  await takeOver.getByRole('button', { name: 'Take over the desk' }).click();
  await expect(lock).toBeHidden();
  await expect(page.getByRole('banner')).toContainText('Bakari Salim');
  // The screen is as Amani left it: the family open, the amount typed.
  await expect(page.getByTestId('payment-amount')).toHaveValue('1,250');
  await page.getByRole('button', { name: 'Take payment', exact: true }).click();
  await expect(page.getByTestId('receipt-number')).toHaveText('MAIN-D51-000001');

  // Back online, the payment reaches the server as Bakari's, taken in the open till.
  await goOnline(context, link);
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0', { timeout: 20_000 });
  const bakari = (await (await request.post('/api/v1/auth/login', { data: { email: BAKARI.email, password: BAKARI.password } })).json()) as LoginResponse;
  const pulled = (await (await request.get(`/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/pull?limit=1000`, { headers })).json()) as PullResponse<LedgerEntry>;
  const payment = pulled.documents.find((e) => e.type === 'payment' && e.receiptNumber === 'MAIN-D51-000001');
  expect(payment).toMatchObject({ createdBy: bakari.user.id, amount: 125_000, offline: true, payerId: payer.id });
  await context.close();
  await link.close();
});
