// Live notices between desks: an owner sends a notice to the cashiers from the desk; a cashier's
// desk shows it at once, with who sent it, and it can be dismissed.
import { expect, test } from '@playwright/test';
import type { LoginResponse } from '@feemaster/core';
import { E2E_OWNER } from './e2e-env.ts';
import { signIn } from './desk.ts';

const CASHIER = { email: 'baraka.notices@riverside.example', password: 'baraka-cashier-2026', displayName: 'Baraka Otieno' };

test('an owner sends the cashiers a notice and a cashier desk shows it live', async ({ browser, request }) => {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  const headers = { authorization: `Bearer ${((await login.json()) as LoginResponse).accessToken}` };
  expect((await request.post('/api/v1/users', { headers, data: { ...CASHIER, role: 'cashier' } })).status()).toBe(201);

  const ownerContext = await browser.newContext();
  const cashierContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const till = await cashierContext.newPage();
  await signIn(owner);
  await till.goto('/');
  const form = till.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(CASHIER.email);
  await form.getByLabel('Password').fill(CASHIER.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(till.getByRole('navigation', { name: 'Desk sections' })).toBeVisible();
  // A cashier cannot send notices, so is not offered it.
  await expect(till.getByRole('button', { name: 'Send a notice' })).toHaveCount(0);

  await owner.getByRole('button', { name: 'Send a notice' }).click();
  const notice = owner.getByRole('form', { name: 'Send a notice' });
  await notice.getByLabel('Title').fill('Cash pick-up at 15:00');
  await notice.getByLabel('Message').fill('Close your tills by 14:45, please.');
  await notice.getByLabel('To').selectOption({ label: 'Cashiers' });
  // The cashier's desk may still be connecting its notices: send until it has heard one.
  await expect(async () => {
    await notice.getByRole('button', { name: 'Send notice' }).click();
    await expect(notice.getByRole('status')).toContainText('One desk connected to this server got it now', { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });

  const shown = till.getByTestId('notification').first();
  await expect(shown).toContainText('Cash pick-up at 15:00');
  await expect(shown).toContainText('Close your tills by 14:45, please.');
  await expect(shown).toContainText('from Esther Njeri');
  // The owner was not among the cashiers.
  await expect(owner.getByTestId('notification')).toHaveCount(0);
  // A retried send may have delivered it twice; each copy is dismissed the same way.
  const dismiss = till.getByRole('button', { name: 'Dismiss: Cash pick-up at 15:00' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await expect(till.getByTestId('notification')).toHaveCount(0);

  await ownerContext.close();
  await cashierContext.close();
});
