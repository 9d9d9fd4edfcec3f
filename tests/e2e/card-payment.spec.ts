// A card payment on the school's Stripe reader, here the server's built-in simulator (no Stripe
// key is set, so it is labelled simulated and only takes Stripe's test cards): a declined card is
// tried again and approved, the receipt names the Stripe payment and uses the next number (the
// declined try used none), a void gives the money back to the card, a charge left waiting when the
// desk reloads is cancelled, and with the connection down the card method is disabled, saying why.
import { expect, test } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, type LedgerEntry, type PullResponse } from '@feemaster/core';
import { E2E_PORT } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { goOffline, goOnline, openSection, signInAs, syncIndicator } from './desk.ts';
import { deskAndFamily, findFamily, openDesk, openTill, saveReceipt } from './cashier.ts';

const WANJIKU = { email: 'wanjiku.till@riverside.example', password: 'wanjiku-cashier-2026', displayName: 'Wanjiku Kariuki' };
const ACHIENG = { email: 'achieng.bursar@riverside.example', password: 'achieng-bursar-2026', displayName: 'Achieng Odhiambo' };

test('a card payment on the Stripe reader: declined, tried again, approved, voided back to the card, another refunded to the card by the bursar', async ({ browser, request }) => {
  const { headers, approvalCode, family } = await deskAndFamily(request, { name: 'Card desk', code: 'D71' }, [{ ...WANJIKU, role: 'cashier' }, { ...ACHIENG, role: 'bursar' }], {
    admissionNumber: 'CP-710', firstName: 'Tumaini', lastName: 'Chebet', family: 'Chebet household', phone: '0711 710 710',
  });

  const link = await startOutageProxy(E2E_PORT);
  const context = await browser.newContext({ baseURL: link.url });
  const page = await context.newPage();
  await openDesk(page, approvalCode, WANJIKU);
  await openTill(page, '1,000');
  await findFamily(page, 'Chebet', /Chebet household/);

  const form = page.getByRole('form', { name: 'Take a payment' });
  await form.getByTestId('payment-amount').fill('6,000');
  await form.getByRole('radio', { name: 'Card (Stripe)' }).check();
  await expect(form.getByTestId('card-reader')).toHaveValue('tmr_simulated_front');
  await expect(form.getByTestId('card-reader').locator('option')).toHaveText(['Front window reader (simulated)', 'Second window reader (simulated)']);
  await form.getByRole('button', { name: 'Charge the card' }).click();
  const charge = page.getByTestId('card-charge');
  await expect(charge.getByRole('note')).toHaveText('Simulated card reader: no money moves. Set STRIPE_SECRET_KEY on the server to take real cards.');
  await expect(charge.getByTestId('card-waiting')).toBeVisible();
  await charge.getByRole('button', { name: 'Tap test card (declined)' }).click();
  await expect(charge.getByTestId('card-failed')).toHaveText('Your card was declined. Nothing was taken: try the card again, another card, or another method.');
  await charge.getByRole('button', { name: 'Try the card again' }).click();
  await expect(charge.getByTestId('card-waiting')).toBeVisible();
  await charge.getByRole('button', { name: 'Tap test card (approved)' }).click();
  // The declined try used no receipt number: the approved card has the desk's first.
  await expect(page.getByTestId('receipt-number')).toHaveText('MAIN-D71-000001');
  const receipt = (await saveReceipt(page)).join(' ');
  for (const part of ['MAIN-D71-000001', 'Amount paid KES 6,000.00', 'Method Card', 'Visa •••• 4242, charged through Stripe, pi_', 'Balance after this payment KES 4,000.00']) expect(receipt, part).toContain(part);
  expect(receipt).not.toContain('OFFLINE');
  await page.getByRole('button', { name: 'Next family (Esc)' }).click();

  // Charged to the wrong family's card: voided in the same till, the money goes back to the card.
  const till = page.getByRole('complementary', { name: 'Till' });
  await till.getByRole('button', { name: 'Void MAIN-D71-000001' }).click();
  const voiding = page.getByRole('form', { name: 'Void MAIN-D71-000001' });
  await voiding.getByLabel(/Reason/).fill('Wrong card presented');
  await voiding.getByRole('button', { name: 'Void payment' }).click();
  await expect(voiding).toHaveCount(0);

  // A charge left waiting when the desk reloads is cancelled when it opens again; nothing is taken.
  await findFamily(page, 'Chebet', /Chebet household/);
  await form.getByTestId('payment-amount').fill('2,500');
  await form.getByRole('radio', { name: 'Card (Stripe)' }).check();
  await form.getByRole('button', { name: 'Charge the card' }).click();
  await expect(charge.getByTestId('card-waiting')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('card-recovered')).toHaveText('A card payment of KES 2,500.00 left unfinished was cancelled; nothing was taken from the card.');

  // With the connection down the card method is disabled, saying why; cash still goes.
  await goOffline(context, link);
  await expect(syncIndicator(page)).not.toHaveAttribute('data-server', 'connected');
  await findFamily(page, 'Chebet', /Chebet household/);
  await expect(form.getByRole('radio', { name: 'Card (Stripe)' })).toBeDisabled();
  await expect(form.getByText('Card payments need a connection to the server; take cash, cheque, bank transfer or mobile money while offline')).toBeVisible();
  await goOnline(context, link);
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0', { timeout: 20_000 });
  await expect(page.getByTestId('sync-refused')).toHaveCount(0);

  // Another card payment; its till closes with the card's takings, and the next till is opened.
  await findFamily(page, 'Chebet', /Chebet household/);
  await form.getByTestId('payment-amount').fill('4,000');
  await form.getByRole('radio', { name: 'Card (Stripe)' }).check();
  await form.getByRole('button', { name: 'Charge the card' }).click();
  await charge.getByRole('button', { name: 'Tap test card (approved)' }).click();
  await expect(page.getByTestId('receipt-number')).toHaveText('MAIN-D71-000002');
  await page.getByRole('button', { name: 'Next family (Esc)' }).click();
  await till.getByRole('button', { name: 'Close the till…' }).click();
  const close = page.getByRole('form', { name: 'Close the till' });
  await expect(close.getByRole('row', { name: /Card/ })).toContainText('KES 4,000.00');
  await close.getByLabel('Counted Cash').fill('1,000');
  await close.getByLabel('Counted Card').fill('4,000');
  await close.getByRole('button', { name: 'Close till' }).click();
  await page.getByRole('button', { name: 'Done' }).click();
  await openTill(page, '500');

  // The family asks for it back later: a cashier cannot send money back to a card, the bursar can.
  await findFamily(page, 'Chebet', /Chebet household/);
  await page.getByText(/^Recent payments/).click();
  await page.getByRole('button', { name: 'Refund MAIN-D71-000002' }).click();
  const refund = page.getByRole('form', { name: 'Refund MAIN-D71-000002' });
  await expect(refund).toContainText('all KES 4,000.00 goes back to the card it was paid with, through Stripe');
  await expect(refund.getByRole('note')).toHaveText('A card payment goes back to the card through Stripe, online: a bursar, administrator or the owner signs in on this desk and refunds it.');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  await signInAs(page, ACHIENG.email, ACHIENG.password);
  await expect(page.getByRole('banner')).toContainText(ACHIENG.displayName);
  await openSection(page, 'Take payments');
  await findFamily(page, 'Chebet', /Chebet household/);
  await page.getByText(/^Recent payments/).click();
  await page.getByRole('button', { name: 'Refund MAIN-D71-000002' }).click();
  await refund.getByLabel('Reason').fill('Paid twice, once by M-Pesa');
  await refund.getByRole('button', { name: 'Refund KES 4,000.00' }).click();
  await expect(page.getByTestId('refund-recorded')).toHaveText('Refunded KES 4,000.00 by card. It syncs now.');
  await expect(page.getByTestId('recent-payment').filter({ hasText: 'MAIN-D71-000002' }).getByTestId('payment-status')).toHaveText('REFUNDED');
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0', { timeout: 20_000 });
  await expect(page.getByTestId('sync-refused')).toHaveCount(0);

  // The server holds the card payments with their PaymentIntents, the void and the refund Stripe made.
  const pulled = (await (await request.get(`/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/pull?limit=1000`, { headers })).json()) as PullResponse<LedgerEntry>;
  const payment = pulled.documents.find((e) => e.type === 'payment' && e.receiptNumber === 'MAIN-D71-000001');
  expect(payment).toMatchObject({ method: 'card', amount: 600_000, offline: false, reference: expect.stringMatching(/^pi_/), card: { brand: 'visa', last4: '4242' }, payerId: family.id });
  expect(pulled.documents.find((e) => e.type === 'void' && e.paymentId === payment?.id)).toMatchObject({ reason: 'Wrong card presented' });
  const second = pulled.documents.find((e) => e.type === 'payment' && e.receiptNumber === 'MAIN-D71-000002');
  expect(second).toMatchObject({ method: 'card', amount: 400_000, reference: expect.stringMatching(/^pi_/) });
  expect(pulled.documents.find((e) => e.type === 'refund' && e.paymentId === second?.id)).toMatchObject({ method: 'card', amount: 400_000, reference: expect.stringMatching(/^re_/), reason: 'Paid twice, once by M-Pesa' });
  expect(pulled.documents.filter((e) => e.type === 'payment' && e.payerId === family.id)).toHaveLength(2);
  await context.close();
  await link.close();
});
