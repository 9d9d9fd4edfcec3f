// A payment of a till already closed is refunded later by a cashier, with the internet down, on
// the bursar's approval typed on the desk: the payment reads REFUNDED, the dues reopen, the
// refund is on the register, and once online the server accepts it with the bursar's signature.
import { expect, test } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, type LedgerEntry, type LoginResponse, type PullResponse } from '@feemaster/core';
import { E2E_PORT } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { goOffline, goOnline, signInAs, syncIndicator, waitForOfflineShell } from './desk.ts';
import { deskAndFamily, enrolDesk, findFamily, openTill, pdfOf, takePayment } from './cashier.ts';

const NJERI = { email: 'njeri.bursar@riverside.example', password: 'njeri-bursar-2026', displayName: 'Njeri Mwangi' };
const OMONDI = { email: 'omondi.till@riverside.example', password: 'omondi-cashier-2026', displayName: 'Omondi Were' };

test('a cashier refunds a closed till’s payment offline with the bursar’s approval typed on the desk', async ({ browser, request }) => {
  const { headers, approvalCode, family } = await deskAndFamily(request, { name: 'Refund desk', code: 'D61' }, [{ ...NJERI, role: 'bursar' }, { ...OMONDI, role: 'cashier' }], {
    admissionNumber: 'RF-610', firstName: 'Imani', lastName: 'Langat', family: 'Langat household', phone: '0700 610 610',
  });

  const link = await startOutageProxy(E2E_PORT);
  const context = await browser.newContext({ baseURL: link.url });
  const page = await context.newPage();
  // The bursar signs in on this desk once while online: the desk keeps her approval key, sealed with her password.
  await enrolDesk(page, approvalCode);
  await signInAs(page, NJERI.email, NJERI.password);
  await expect(page.getByRole('banner')).toContainText(NJERI.displayName);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();

  // The cashier's morning till: a payment of 4,000, then the till closed.
  await signInAs(page, OMONDI.email, OMONDI.password);
  await expect(page.getByRole('heading', { name: 'Open the till' })).toBeVisible();
  await waitForOfflineShell(page);
  await openTill(page, '1,000');
  await findFamily(page, '0700 610 610', /Langat household/);
  const receipt = await takePayment(page, async (form) => {
    await form.getByTestId('payment-amount').fill('4,000');
  });
  expect(receipt).toBe('MAIN-D61-000001');
  await page.getByRole('button', { name: 'Next family (Esc)' }).click();
  const till = page.getByRole('complementary', { name: 'Till' });
  await till.getByRole('button', { name: 'Close the till…' }).click();
  const close = page.getByRole('form', { name: 'Close the till' });
  await close.getByLabel('Counted Cash').fill('5,000');
  await close.getByRole('button', { name: 'Close till' }).click();
  await page.getByRole('button', { name: 'Done' }).click();
  await openTill(page, '2,000');

  // Afternoon, internet down: the family asks for the money back.
  await goOffline(context, link);
  await findFamily(page, 'Langat', /Langat household/);
  await expect(page.getByTestId('due-now')).toHaveText('KES 6,000.00');
  await page.getByText('Recent payments (1)').click();
  // The payment of the open till would be voided there; this one, of a closed till, is refunded.
  await page.getByRole('button', { name: 'Refund MAIN-D61-000001' }).click();
  const refund = page.getByRole('form', { name: 'Refund MAIN-D61-000001' });
  await refund.getByLabel('Reason').fill('Imani moved to another school');
  await refund.getByLabel('Manager’s email').fill(NJERI.email);
  await refund.getByLabel('Manager’s password').fill('not-her-password');
  await refund.getByRole('button', { name: 'Refund KES 4,000.00' }).click();
  // Cash comes out of the till, which holds only its float: the money goes back by M-Pesa instead.
  await expect(refund.getByRole('alert')).toHaveText('The till holds only KES 2,000.00 in cash: pay it back by bank transfer, mobile money or cheque, or once the till holds enough.');
  await refund.getByLabel('Paid back by').selectOption({ label: 'Mobile money' });
  await refund.getByLabel('Reference (optional)').fill('QK7TY2');
  await refund.getByRole('button', { name: 'Refund KES 4,000.00' }).click();
  await expect(refund.getByRole('alert')).toHaveText('That is not the manager’s password. Try again.');
  // A cashier cannot approve: only a manager's key signs a refund.
  await refund.getByLabel('Manager’s email').fill(OMONDI.email);
  await refund.getByLabel('Manager’s password').fill(OMONDI.password);
  await refund.getByRole('button', { name: 'Refund KES 4,000.00' }).click();
  await expect(refund.getByRole('alert')).toContainText('is a cashier and cannot approve refunds');
  await refund.getByLabel('Manager’s email').fill(NJERI.email);
  await refund.getByLabel('Manager’s password').fill(NJERI.password);
  await refund.getByRole('button', { name: 'Refund KES 4,000.00' }).click();
  await expect(page.getByTestId('refund-recorded')).toHaveText('Refunded KES 4,000.00 by mobile money, approved by a manager on this desk. It syncs when the connection is back.');
  await expect(page.getByTestId('recent-payment').filter({ hasText: 'MAIN-D61-000001' }).getByTestId('payment-status')).toHaveText('REFUNDED');
  await expect(page.getByTestId('due-now')).toHaveText('KES 10,000.00');
  await expect(page.getByRole('button', { name: 'Refund MAIN-D61-000001' })).toHaveCount(0);
  // The family pays 12,000 (2,000 more than owed, left as credit) and asks for 500 of it back.
  await findFamily(page, 'Langat', /Langat household/);
  await takePayment(page, async (form) => {
    await form.getByTestId('payment-amount').fill('12,000');
  });
  await page.getByRole('button', { name: 'Next family (Esc)' }).click();
  await findFamily(page, 'Langat', /Langat household/);
  await expect(page.getByTestId('credit')).toHaveText('KES 2,000.00');
  await page.getByRole('button', { name: 'Refund credit…' }).click();
  const creditRefund = page.getByRole('form', { name: 'Refund credit' });
  await creditRefund.getByLabel(/Amount/).fill('2,500');
  await creditRefund.getByLabel('Reason').fill('Overpaid term 1');
  await creditRefund.getByLabel('Manager’s email').fill(NJERI.email);
  await creditRefund.getByLabel('Manager’s password').fill(NJERI.password);
  await creditRefund.getByRole('button', { name: 'Refund KES 2,500.00' }).click();
  await expect(creditRefund.getByRole('alert')).toHaveText('Enter an amount above nothing and at most the credit of KES 2,000.00.');
  await creditRefund.getByLabel(/Amount/).fill('500');
  await creditRefund.getByLabel('Manager’s password').fill(NJERI.password);
  await creditRefund.getByRole('button', { name: 'Refund KES 500.00' }).click();
  await expect(page.getByTestId('refund-recorded')).toContainText('Refunded KES 500.00 by cash, approved by a manager on this desk: pay it out of the till');
  await expect(page.getByTestId('credit')).toHaveText('KES 1,500.00');

  // The till paid the cash refund out: of the 2,000 float and the 12,000 payment, 13,500 is left.
  await till.getByRole('button', { name: 'Close the till…' }).click();
  const closing = page.getByRole('form', { name: 'Close the till' });
  await expect(closing.getByRole('row', { name: /Cash/ })).toContainText('KES 13,500.00');
  await closing.getByLabel('Counted Cash').fill('13,500');
  await closing.getByRole('button', { name: 'Close till' }).click();
  const zDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save Z-report PDF' }).click();
  const z = (await pdfOf(zDownload)).join(' ');
  for (const part of ['Cash Expected KES 13,500.00 Counted KES 13,500.00', 'Refunds paid out (1) credit (Cash) KES 500.00', 'Reason: Overpaid term 1']) expect(z, part).toContain(part);
  expect(z).not.toContain('MAIN-D61-000001 (Mobile money)');
  await page.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'Void register' }).click();
  const register = page.getByRole('region', { name: 'Void register' });
  const line = register.getByTestId('void-line').filter({ hasText: 'MAIN-D61-000001' });
  await expect(line).toHaveAttribute('data-kind', 'refund');
  await expect(line).toContainText('Refunded (mobile money)');
  await expect(line).toContainText('Imani moved to another school');

  // Online again: the server takes the refund, signed by the bursar, recorded by the cashier.
  await goOnline(context, link);
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0', { timeout: 20_000 });
  await expect(page.getByTestId('sync-refused')).toHaveCount(0);
  const login = async (person: { email: string; password: string }) => (await (await request.post('/api/v1/auth/login', { data: person })).json()) as LoginResponse;
  const [njeri, omondi] = [await login(NJERI), await login(OMONDI)];
  const pulled = (await (await request.get(`/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/pull?limit=1000`, { headers })).json()) as PullResponse<LedgerEntry>;
  const payment = pulled.documents.find((e) => e.type === 'payment' && e.receiptNumber === 'MAIN-D61-000001');
  const stored = pulled.documents.find((e) => e.type === 'refund' && e.paymentId === payment?.id);
  expect(stored).toMatchObject({ createdBy: omondi.user.id, amount: 400_000, method: 'mobileMoney', reference: 'QK7TY2', payerId: family.id, reason: 'Imani moved to another school', approval: { approvedBy: njeri.user.id } });
  expect(stored && 'cashSessionId' in stored).toBe(false);
  const ofCredit = pulled.documents.find((e) => e.type === 'refund' && e.payerId === family.id && e.paymentId === undefined);
  expect(ofCredit).toMatchObject({ createdBy: omondi.user.id, amount: 50_000, method: 'cash', cashSessionId: expect.any(String), reason: 'Overpaid term 1', approval: { approvedBy: njeri.user.id } });
  await context.close();
  await link.close();
});
