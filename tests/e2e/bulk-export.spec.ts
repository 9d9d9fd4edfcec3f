// A bursar exports from the desk's own copy of the records: a week of payments to Excel, opened
// again to read the cells (receipt numbers, amounts as numbers, methods, a reference that would
// run as a formula defused), the voided one only when asked for; and one class's students as CSV.
import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { readSheet } from 'read-excel-file/node';
import { LEDGER_SCHEMA_VERSION, newId, type ClassDoc, type DeviceApproval, type InvoiceDoc, type LoginResponse, type Payer, type PaymentDoc, type PullResponse, type Student, type VoidDoc } from '@feemaster/core';
import { E2E_OWNER } from './e2e-env.ts';
import { push } from './cashier.ts';
import { signIn } from './desk.ts';

const LEDGER_PATH = `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`;

interface Seeded {
  suffix: string;
  series: string;
  deskName: string;
  officeName: string;
  ownerName: string;
  className: string;
  family: Payer;
  amani: Student;
  jabari: Student;
  payments: PaymentDoc[];
}

/**
 * A desk of its own with five payments by one family in February 2025 (one the next week, one
 * voided), and the family's two children in a class of their own, with a third child elsewhere.
 */
async function seedSchool(request: APIRequestContext): Promise<Seeded> {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  expect(login.status()).toBe(200);
  const { accessToken, school, user } = (await login.json()) as LoginResponse;
  const headers = { authorization: `Bearer ${accessToken}` };
  const suffix = Date.now().toString(36).toUpperCase();
  const pull = await request.get('/api/v1/sync/reference/1/pull?limit=500', { headers });
  const office = ((await pull.json()) as PullResponse<{ id: string; kind: string; name: string; data: { code?: string } }>).documents.find((d) => d.kind === 'office' && d.data.code === 'MAIN');
  if (!office) throw new Error('the school has no main office');
  const deskName = `Export desk ${suffix}`;
  const registered = await request.post('/api/v1/devices', { headers, data: { name: deskName, code: `X${suffix}`, officeId: office.id } });
  expect(registered.status(), await registered.text()).toBe(201);
  const { device } = (await registered.json()) as DeviceApproval;
  if (!device.receiptSeries) throw new Error('the new desk has no receipt series');
  const series = device.receiptSeries;

  const now = new Date().toISOString();
  const className = `Grade 3 Mvule ${suffix}`;
  const mvule: ClassDoc = { id: newId(), schoolId: school.id, kind: 'class', name: className, data: { code: `M${suffix}` }, createdAt: now, updatedAt: now };
  const student = (admissionNumber: string, firstName: string, lastName: string, classId: string | undefined, dateOfBirth: string): Student => ({
    id: newId(), schoolId: school.id, admissionNumber, firstName, lastName, status: 'active', dateOfBirth, ...(classId ? { classId } : {}), createdAt: now, updatedAt: now,
  });
  const amani = student(`EX-${suffix}-1`, 'Amani', 'Otieno', mvule.id, '2015-03-09');
  const jabari = student(`EX-${suffix}-2`, 'Jabari', 'Achieng', mvule.id, '2016-11-30');
  const other = student(`EX-${suffix}-3`, 'Kevin', 'Otieno', undefined, '2014-01-15');
  const family: Payer = {
    id: newId(), schoolId: school.id, kind: 'family', name: `Zoë Núñez-Wambui ${suffix}`, contacts: [{ type: 'phone', value: '+254712000111' }], preferredChannel: 'sms',
    students: [amani, jabari, other].map((s) => ({ studentId: s.id, share: 10_000 })), createdAt: now, updatedAt: now,
  };
  const charge = { id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2025-02-28', amount: 5_000_000 };
  const invoice: InvoiceDoc = { id: newId(), schoolId: school.id, currency: 'KES', createdAt: now, createdBy: user.id, type: 'invoice', studentId: amani.id, termId: newId(), classId: mvule.id, feeStructureId: newId(), issuedOn: '2025-01-06', charges: [charge] };

  const payment = (seq: number, createdAt: string, amount: number, method: PaymentDoc['method'], extra: Partial<PaymentDoc> = {}): PaymentDoc => ({
    id: newId(), schoolId: school.id, currency: 'KES', createdAt, createdBy: user.id, type: 'payment', payerId: family.id, receiptNumber: `${series}-${String(seq).padStart(6, '0')}`,
    deviceId: device.id, officeId: office.id, method, amount, offline: false, allocations: [], ...extra,
  });
  const payments = [
    payment(1, '2025-02-03T07:30:00.000Z', 1_250_050, 'cash', { allocations: [{ studentId: amani.id, chargeId: charge.id, amount: 1_250_050 }] }),
    payment(2, '2025-02-04T09:00:00.000Z', 300_000, 'mobileMoney', { mobileMoneyProvider: 'M-Pesa', reference: '+QK7TY2', offline: true }),
    payment(3, '2025-02-04T12:15:00.000Z', 99_999, 'bankTransfer', { reference: '=SUM(A1:A9)' }),
    payment(4, '2025-02-05T06:00:00.000Z', 700_000, 'cheque', { cheque: { number: '004512', bank: 'Equity Bank', date: '2025-02-05' } }),
    payment(5, '2025-02-10T08:00:00.000Z', 100_000, 'cash'),
  ];
  const voiding: VoidDoc = { id: newId(), schoolId: school.id, currency: 'KES', createdAt: '2025-02-05T07:00:00.000Z', createdBy: user.id, type: 'void', paymentId: payments[3]?.id ?? '', payerId: family.id, reason: 'Cheque made out to another school' };

  await push(request, headers, '/api/v1/sync/reference/1/push', [mvule]);
  await push(request, headers, '/api/v1/sync/students/1/push', [amani, jabari, other]);
  await push(request, headers, '/api/v1/sync/payers/0/push', [family]);
  await push(request, headers, LEDGER_PATH, [invoice, ...payments]);
  await push(request, headers, LEDGER_PATH, [voiding]);
  return { suffix, series, deskName, officeName: office.name, ownerName: user.displayName, className, family, amani, jabari, payments };
}

/** Signed in as the owner, the whole school downloaded to the desk, the export panel open. */
async function openExport(page: Page): Promise<Locator> {
  await signIn(page);
  await expect(page.getByTestId('initial-sync')).toHaveCount(0, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Export…' }).click();
  return page.getByRole('region', { name: 'Export' });
}

/** Clicks Export and returns the downloaded file with its name. */
async function exported(page: Page, panel: Locator): Promise<{ name: string; bytes: Buffer }> {
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export', exact: true }).click();
  const file = await download;
  await expect(panel.getByRole('status')).toContainText(`Saved ${file.suggestedFilename()}`);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

test('payments exported to Excel read back cell for cell; the voided one only when asked for', async ({ page, request }) => {
  const seeded = await seedSchool(request);
  const panel = await openExport(page);
  await panel.getByLabel('What to export').selectOption({ label: 'Payments' });
  await panel.getByLabel('Format').selectOption({ label: 'Excel (.xlsx)' });
  await panel.getByLabel('From', { exact: true }).fill('2025-02-03');
  await panel.getByLabel('To', { exact: true }).fill('2025-02-05');

  const standing = await exported(page, panel);
  expect(standing.name).toMatch(/^payments-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const [header, ...rows] = await readSheet(standing.bytes);
  expect(header).toEqual(['Receipt number', 'Date', 'Taken at', 'Payer', 'Students', 'Method', 'Reference', 'Particulars', 'Amount', 'Currency', 'Taken offline', 'Cashier', 'Office', 'Desk', 'Status', 'Void/refund reason', 'Payment id']);
  const ours = rows.filter((row) => String(row[0]).startsWith(`${seeded.series}-`));
  const [cash, mpesa, transfer, cheque] = seeded.payments.map((p) => p.id);
  const day = (date: string): Date => new Date(`${date}T00:00:00.000Z`);
  // Taken at is the school's wall-clock time (Nairobi, UTC+3) as a spreadsheet date-time.
  const at = (wallClock: string): Date => new Date(`${wallClock}:00.000Z`);
  const desk = [seeded.ownerName, seeded.officeName, seeded.deskName];
  expect(ours).toEqual([
    [`${seeded.series}-000001`, day('2025-02-03'), at('2025-02-03T10:30'), seeded.family.name, `Amani Otieno (${seeded.amani.admissionNumber})`, 'Cash', null, null, 12500.5, 'KES', false, ...desk, 'active', null, cash],
    [`${seeded.series}-000002`, day('2025-02-04'), at('2025-02-04T12:00'), seeded.family.name, null, 'Mobile money', "'+QK7TY2", 'M-Pesa +QK7TY2', 3000, 'KES', true, ...desk, 'active', null, mpesa],
    [`${seeded.series}-000003`, day('2025-02-04'), at('2025-02-04T15:15'), seeded.family.name, null, 'Bank transfer', "'=SUM(A1:A9)", 'Ref =SUM(A1:A9)', 999.99, 'KES', false, ...desk, 'active', null, transfer],
  ]);

  await panel.getByLabel('Include voided, refunded and returned payments').check();
  const withVoided = await exported(page, panel);
  const all = (await readSheet(withVoided.bytes)).filter((row) => String(row[0]).startsWith(`${seeded.series}-`));
  expect(all.map((row) => row[0])).toEqual([1, 2, 3, 4].map((n) => `${seeded.series}-00000${String(n)}`));
  expect(all[3]).toEqual([
    `${seeded.series}-000004`, day('2025-02-05'), at('2025-02-05T09:00'), seeded.family.name, null, 'Cheque', '004512', 'Cheque 004512, Equity Bank, dated 2025-02-05', 7000, 'KES', false, ...desk, 'voided', 'Cheque made out to another school', cheque,
  ]);

  // Only cash: the other methods drop out.
  await panel.getByLabel('Cash', { exact: true }).check();
  const cashOnly = (await readSheet((await exported(page, panel)).bytes)).filter((row) => String(row[0]).startsWith(`${seeded.series}-`));
  expect(cashOnly.map((row) => row[0])).toEqual([`${seeded.series}-000001`]);
});

test('one class’s students exported as CSV, with the students screen’s class filter', async ({ page, request }) => {
  const seeded = await seedSchool(request);
  await signIn(page);
  await expect(page.getByTestId('initial-sync')).toHaveCount(0, { timeout: 30_000 });
  await page.getByLabel('Class filter').selectOption({ label: seeded.className });
  await expect(page.getByTestId('student-row').filter({ hasText: `EX-${seeded.suffix}-` })).toHaveCount(2);
  await page.getByRole('button', { name: 'Export…' }).click();
  const panel = page.getByRole('region', { name: 'Export' });
  await expect(panel.getByRole('combobox', { name: 'Class', exact: true })).toHaveValue(seeded.amani.classId ?? '');
  await panel.getByLabel('Format').selectOption({ label: 'CSV (.csv)' });

  const file = await exported(page, panel);
  expect(file.name).toMatch(/^students-\d{4}-\d{2}-\d{2}\.csv$/);
  // A UTF-8 byte-order mark first, so Excel reads the accents; CRLF line ends; by last name.
  expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const payer = `${seeded.family.name},'+254712000111`;
  expect(file.bytes.subarray(3).toString('utf8')).toBe(
    [
      'Admission number,First name,Last name,Other names,Date of birth,Class,Category,Status,Joined on,Staff child,Payers,Payer phones',
      `${seeded.jabari.admissionNumber},Jabari,Achieng,,2016-11-30,${seeded.className},,active,,FALSE,${payer}`,
      `${seeded.amani.admissionNumber},Amani,Otieno,,2015-03-09,${seeded.className},,active,,FALSE,${payer}`,
      '',
    ].join('\r\n'),
  );
});
