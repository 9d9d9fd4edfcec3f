// A cashier's day at an enrolled desk (issue 6): open the till; take a cash payment with change, a
// cheque split across two siblings and a mobile-money payment; lose the internet and take two
// more (one with only the keyboard); check the printed receipts; void one with a reason; get the
// connection back; see it all on a second desk and on the server; close the till with a shortfall
// and get the Z-report.
import { expect, test } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, type DeviceApproval, type LedgerEntry, type PullResponse } from '@feemaster/core';
import { pdfText } from '../../renderer/test/pdf-text.ts';
import { E2E_PORT } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { goOffline, goOnline, syncIndicator, waitForOfflineShell } from './desk.ts';
import { JANE, PETER, findBox, findFamily, mainOfficeId, openDesk, openTill, owner, pdfOf, saveReceipt, seedFamilies, takePayment } from './cashier.ts';

test('a cashier’s day: payments online and offline, receipts, a void, a second desk, and the till closed with its Z-report', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const { headers, schoolId } = await owner(request);
  const officeId = await mainOfficeId(request, headers);
  const register = async (code: string): Promise<string> => {
    const res = await request.post('/api/v1/devices', { headers, data: { name: `Cashier desk ${code}`, code, officeId } });
    expect(res.status()).toBe(201);
    return ((await res.json()) as DeviceApproval).approvalCode;
  };
  const [codeA, codeB] = [await register('D41'), await register('D42')];
  for (const person of [JANE, PETER]) expect((await request.post('/api/v1/users', { headers, data: { ...person, role: 'cashier' } })).status()).toBe(201);
  await seedFamilies(request, headers, schoolId);

  // Desk A, whose internet link the test can cut.
  const link = await startOutageProxy(E2E_PORT);
  const contextA = await browser.newContext({ baseURL: link.url, acceptDownloads: true });
  const deskA = await contextA.newPage();
  await openDesk(deskA, codeA, JANE);
  await waitForOfflineShell(deskA);
  await openTill(deskA, '2,000');
  // A second window of the same desk does not take payments beside the first.
  const otherWindow = await contextA.newPage();
  await otherWindow.goto('/');
  await expect(otherWindow.getByTestId('till-elsewhere')).toContainText('The till of desk MAIN-D41 is open in another window');
  await otherWindow.close();

  // 1. Cash with change, part of what the Wafulas owe.
  await findFamily(deskA, 'wafula', /Wafula family/);
  await expect(deskA.getByTestId('due-now')).toHaveText('KES 9,000.00');
  const first = await takePayment(deskA, async (form) => {
    await form.getByTestId('payment-amount').fill('5000');
    await form.getByLabel('Cash handed over (optional)').fill('6000');
    await expect(form.getByTestId('change-due')).toHaveText('Change to give: KES 1,000.00');
    await expect(form.getByTestId('owed-after')).toContainText('Still owed after this payment: KES 4,000.00');
  });
  expect(first).toBe('MAIN-D41-000001');
  const firstReceipt = await saveReceipt(deskA);
  for (const line of ['RECEIPT MAIN-D41-000001', 'Received from: Wafula family', 'KES 5,000.00', 'KES 6,000.00', 'KES 1,000.00', 'KES 4,000.00', 'Cashier: Jane Wanjiru']) expect(firstReceipt, line).toContain(line);
  expect(firstReceipt.join(' ')).not.toContain('OFFLINE');
  await deskA.getByRole('button', { name: 'Next family (Esc)' }).click();

  // 2. A cheque split across the Otieno siblings, oldest due first (Jabari's, then Amani's).
  await findFamily(deskA, '0712 345 678', /Grace Otieno/);
  await expect(deskA.getByTestId('due-now')).toHaveText('KES 27,000.00');
  const second = await takePayment(deskA, async (form) => {
    await form.getByTestId('payment-amount').fill('20,000');
    await form.getByLabel('Cheque', { exact: true }).check();
    await form.getByRole('button', { name: 'Take payment' }).click();
    await expect(form.getByText('Enter the cheque number')).toBeVisible();
    await form.getByLabel('Cheque number').fill('004512');
    await form.getByLabel('Bank it is drawn on').fill('Equity Bank');
    await expect(form.getByTestId('allocation-row')).toHaveText([/Jabari Otieno.*KES\s12,000\.00.*KES\s12,000\.00/, /Amani Otieno.*KES\s15,000\.00.*KES\s8,000\.00/]);
  });
  expect(second).toBe('MAIN-D41-000002');
  const secondReceipt = await saveReceipt(deskA);
  expect(secondReceipt.join(' ')).toMatch(/Jabari Otieno Tuition \(Term 1\) KES\s12,000\.00 Amani Otieno Tuition \(Term 1\) KES\s8,000\.00/);
  expect(secondReceipt.join(' ')).toContain('Cheque 004512, Equity Bank');
  await deskA.getByRole('button', { name: 'Next family (Esc)' }).click();

  // 3. Mobile money.
  await findFamily(deskA, 'CD-301', /Rotich, Akinyi/, 'Student');
  const third = await takePayment(deskA, async (form) => {
    await form.getByTestId('payment-amount').fill('10000');
    await form.getByLabel('Mobile money').check();
    await form.getByLabel('Service').fill('M-Pesa');
    await form.getByLabel('Transaction code').fill('QK45TY7');
  });
  expect(third).toBe('MAIN-D41-000003');
  await deskA.getByRole('button', { name: 'Next family (Esc)' }).click();

  // The office's internet goes down; the till keeps taking payments.
  await goOffline(contextA, link);
  await expect(syncIndicator(deskA)).not.toHaveAttribute('data-server', 'connected');

  // 4. The rest of what the Otienos owe, with the keyboard alone: the name, then Enter, Enter.
  await findBox(deskA).fill('otieno');
  await findBox(deskA).press('Enter');
  const amount = deskA.getByTestId('payment-amount');
  await expect(amount).toBeFocused();
  await expect(amount).toHaveValue('7,000.00');
  await expect(deskA.getByLabel('Card (Stripe)')).toBeDisabled();
  await amount.press('Enter');
  await expect(deskA.getByTestId('receipt-number')).toHaveText('MAIN-D41-000004');
  const offlineReceipt = await saveReceipt(deskA);
  for (const line of ['RECEIPT MAIN-D41-000004', 'KES 7,000.00', 'KES 0.00']) expect(offlineReceipt, line).toContain(line);
  expect(offlineReceipt.join(' ')).toContain('OFFLINE: taken while this desk had no connection');
  await deskA.keyboard.press('Escape');

  // 5. Another cash payment, taken in error.
  await findFamily(deskA, 'kevin', /Wafula, Kevin/, 'Student');
  const fifth = await takePayment(deskA, async (form) => {
    await form.getByTestId('payment-amount').fill('4000');
  });
  expect(fifth).toBe('MAIN-D41-000005');
  await deskA.getByRole('button', { name: 'Next family (Esc)' }).click();

  // Voided with a reason: the number stays, the receipt reads VOID.
  const till = deskA.getByRole('complementary', { name: 'Till' });
  await till.getByRole('button', { name: 'Void MAIN-D41-000005' }).click();
  const voidForm = deskA.getByRole('form', { name: 'Void MAIN-D41-000005' });
  await voidForm.getByRole('button', { name: 'Void payment' }).click();
  await expect(voidForm.getByRole('alert')).toContainText('Say why');
  await voidForm.getByLabel('Reason').fill('Wrong family: paid for by the Rotichs');
  await voidForm.getByRole('button', { name: 'Void payment' }).click();
  await expect(till.locator('[data-receipt="MAIN-D41-000005"]')).toContainText('VOID');
  await expect(till.getByTestId('till-taken')).toContainText('KES 42,000.00 in 4 receipts');
  // A reprint goes to the print dialog; the test keeps the PDF the desk hands to it.
  await deskA.evaluate(() => {
    const handed: Blob[] = [];
    const create = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      if (blob instanceof Blob) handed.push(blob);
      return create(blob);
    };
    Object.assign(window, { handedPdfs: handed });
  });
  await till.getByRole('button', { name: 'Reprint MAIN-D41-000005' }).click();
  await expect(deskA.locator('iframe[title="Receipt MAIN-D41-000005 (copy)"]')).toHaveCount(1);
  const reprinted = await deskA.evaluate(async () => {
    const handed = (window as unknown as { handedPdfs: Blob[] }).handedPdfs;
    const last = handed.at(-1);
    return last ? Array.from(new Uint8Array(await last.arrayBuffer())) : [];
  });
  const copy = await pdfText(new Uint8Array(reprinted));
  expect(copy).toEqual(expect.arrayContaining(['COPY', 'VOID', 'Voided: Wrong family: paid for by the Rotichs']));
  // The void register lists it, with its reason, and prints.
  await deskA.getByRole('button', { name: 'Void register' }).click();
  const voids = deskA.getByRole('region', { name: 'Void register' });
  // The register is the school's (other specs' desks void on the same server): this desk's line is in it.
  await expect(voids.getByTestId('void-line').filter({ hasText: 'MAIN-D41' })).toHaveText([/MAIN-D41-000005.*Wafula family.*KES\s4,000\.00.*Jane Wanjiru.*Wrong family: paid for by the Rotichs/]);
  const registerDownload = deskA.waitForEvent('download');
  await voids.getByRole('button', { name: 'Save void register PDF' }).click();
  const registerText = (await pdfOf(registerDownload)).join(' ');
  for (const part of ['VOID AND REFUND REGISTER', 'MAIN-D41-000005 Wafula family KES 4,000.00', 'Reason: Wrong family: paid for by the Rotichs', 'Voided or refunded in all (']) expect(registerText, part).toContain(part);
  await voids.getByRole('button', { name: 'Close' }).click();

  // The connection comes back: everything goes up.
  await goOnline(contextA, link);
  await expect(syncIndicator(deskA)).toHaveAttribute('data-server', 'connected', { timeout: 20_000 });
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0', { timeout: 20_000 });

  // On the server: five payments numbered in the desk's series, two of them offline, and the void.
  const ledger = await request.get(`/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/pull?limit=1000`, { headers });
  const entries = ((await ledger.json()) as PullResponse<LedgerEntry>).documents;
  const payments = entries.filter((e) => e.type === 'payment' && e.receiptNumber.startsWith('MAIN-D41-'));
  expect(payments.map((p) => (p.type === 'payment' ? [p.receiptNumber, p.method, p.amount, p.offline] : []))).toEqual([
    ['MAIN-D41-000001', 'cash', 500_000, false],
    ['MAIN-D41-000002', 'cheque', 2_000_000, false],
    ['MAIN-D41-000003', 'mobileMoney', 1_000_000, false],
    ['MAIN-D41-000004', 'cash', 700_000, true],
    ['MAIN-D41-000005', 'cash', 400_000, true],
  ]);
  // Of this desk (other specs' desks share the server).
  const paymentIds = new Set(payments.map((p) => p.id));
  const deskId = payments[0]?.type === 'payment' ? payments[0].deviceId : undefined;
  expect(entries.filter((e) => e.type === 'void' && paymentIds.has(e.paymentId)).map((e) => (e.type === 'void' ? e.reason : ''))).toEqual(['Wrong family: paid for by the Rotichs']);
  expect(entries.filter((e) => e.type === 'cashSessionOpen' && e.deviceId === deskId)).toHaveLength(1);

  // A second desk sees the same families: the Otienos paid up, the Wafulas' voided payment marked.
  const contextB = await browser.newContext();
  const deskB = await contextB.newPage();
  await openDesk(deskB, codeB, PETER);
  await openTill(deskB, '0');
  await findFamily(deskB, 'grace', /Grace Otieno/);
  await expect(deskB.getByTestId('due-now')).toHaveText('KES 0.00');
  await deskB.getByText(/Recent payments/).click();
  await expect(deskB.locator('.recent-payments li')).toHaveText([/MAIN-D41-000004.*KES\s7,000\.00/, /MAIN-D41-000002.*KES\s20,000\.00/]);
  await findFamily(deskB, 'wafula', /Wafula family/);
  await expect(deskB.getByTestId('due-now')).toHaveText('KES 4,000.00');
  await deskB.getByText(/Recent payments/).click();
  await expect(deskB.locator('.recent-payments li')).toHaveText([/MAIN-D41-000005.*VOIDED/, /MAIN-D41-000001/]);
  // Its statement: the term's bill, both payments, the void taking one back.
  await deskB.getByRole('button', { name: 'Statement' }).click();
  const statement = deskB.getByRole('region', { name: 'Statement of Wafula family' });
  await expect(statement.getByTestId('statement-line')).toHaveText([/Tuition \(Term 1\)/, /Payment MAIN-D41-000001 \(cash\)/, /Payment MAIN-D41-000005 \(cash\)/, /MAIN-D41-000005/]);
  await expect(statement.getByTestId('statement-balance')).toHaveText('KES 4,000.00');
  const statementDownload = deskB.waitForEvent('download');
  await statement.getByRole('button', { name: 'Save statement PDF' }).click();
  const statementText = (await pdfOf(statementDownload)).join(' ');
  for (const part of ['STATEMENT OF ACCOUNT', 'Wafula family', 'Payment MAIN-D41-000001 (cash)', 'Balance KES 4,000.00']) expect(statementText, part).toContain(part);

  // Desk A closes its till 50 shillings short, explains it, and saves the Z-report.
  await till.getByRole('button', { name: 'Close the till…' }).click();
  const close = deskA.getByRole('form', { name: 'Close the till' });
  await close.getByLabel('Counted Cash').fill('13,950');
  await close.getByLabel('Counted Cheque').fill('20,000');
  await close.getByLabel('Counted Mobile money').fill('10,000');
  await expect(close.getByTestId('variance-cash')).toHaveText('-KES 50.00');
  await close.getByRole('button', { name: 'Close till' }).click();
  await expect(close.getByRole('alert')).toContainText('give the reason');
  await close.getByLabel('Reason for the difference').fill('KES 50 change given twice');
  await close.getByRole('button', { name: 'Close till' }).click();
  await expect(deskA.getByRole('heading', { name: 'Till MAIN-D41 closed' })).toBeVisible();
  await expect(deskA.getByRole('heading', { name: 'Open the till' })).toBeVisible();
  const zDownload = deskA.waitForEvent('download');
  await deskA.getByRole('button', { name: 'Save Z-report PDF' }).click();
  const z = (await pdfOf(zDownload)).join(' ');
  for (const part of ['Z-REPORT MAIN-D41', 'Cashier: Jane Wanjiru', 'Receipts (5): MAIN-D41-000001 to MAIN-D41-000005', 'Float KES 2,000.00', 'Cash (2) KES 12,000.00', 'Cheque (1) KES 20,000.00', 'Mobile money (1) KES 10,000.00', 'Taken in all KES 42,000.00', 'Cash Expected KES 14,000.00 Counted KES 13,950.00 Variance -KES 50.00', 'Reason: KES 50 change given twice', 'Voids (1) MAIN-D41-000005 KES 4,000.00 Reason: Wrong family: paid for by the Rotichs']) {
    expect(z, part).toContain(part);
  }
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0', { timeout: 20_000 });
  const closing = ((await (await request.get(`/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/pull?limit=1000`, { headers })).json()) as PullResponse<LedgerEntry>).documents.find((e) => e.type === 'cashSessionClose' && e.deviceId === deskId);
  expect(closing).toMatchObject({ varianceReason: 'KES 50 change given twice', counted: [{ method: 'cash', amount: 1_395_000 }, { method: 'cheque', amount: 2_000_000 }, { method: 'mobileMoney', amount: 1_000_000 }] });

  await contextB.close();
  await contextA.close();
  await link.close();
});
