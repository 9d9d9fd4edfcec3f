// Page and server helpers for the cashier's desk specs: a school's families seeded through the
// API, an enrolled desk with a cashier signed in, the till, the search box and the payment form.
import { readFile } from 'node:fs/promises';
import { expect, type APIRequestContext, type Download, type Page } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, newId, type DeviceApproval, type InvoiceDoc, type LoginResponse, type Payer, type PullResponse, type Student } from '@feemaster/core';
import { pdfText } from '../../renderer/test/pdf-text.ts';
import { E2E_OWNER } from './e2e-env.ts';
import { syncIndicator } from './desk.ts';

export const JANE = { email: 'jane.till@riverside.example', password: 'jane-cashier-2026', displayName: 'Jane Wanjiru' };
export const PETER = { email: 'peter.till@riverside.example', password: 'peter-cashier-2026', displayName: 'Peter Kamau' };

export async function owner(request: APIRequestContext): Promise<{ headers: Record<string, string>; schoolId: string }> {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  expect(login.status()).toBe(200);
  const body = (await login.json()) as LoginResponse;
  return { headers: { authorization: `Bearer ${body.accessToken}` }, schoolId: body.school.id };
}

export async function push(request: APIRequestContext, headers: Record<string, string>, path: string, docs: object[]): Promise<void> {
  const res = await request.post(path, { headers, data: docs.map((doc) => ({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } })) });
  expect(res.status(), await res.text()).toBe(200);
}

/** Three families: the Otienos with two children, the Wafulas and the Rotichs, each billed for term 1. */
export async function seedFamilies(request: APIRequestContext, headers: Record<string, string>, schoolId: string): Promise<void> {
  const now = new Date().toISOString();
  const student = (admissionNumber: string, firstName: string, lastName: string): Student => ({ id: newId(), schoolId, admissionNumber, firstName, lastName, status: 'active', createdAt: now, updatedAt: now });
  const amani = student('CD-104', 'Amani', 'Otieno');
  const jabari = student('CD-105', 'Jabari', 'Otieno');
  const kevin = student('CD-201', 'Kevin', 'Wafula');
  const akinyi = student('CD-301', 'Akinyi', 'Rotich');
  const payer = (name: string, phone: string, children: Student[]): Payer => ({
    id: newId(),
    schoolId,
    kind: 'family',
    name,
    contacts: [{ type: 'phone', value: phone }],
    preferredChannel: 'sms',
    students: children.map((c) => ({ studentId: c.id, share: 10_000 })),
    createdAt: now,
    updatedAt: now,
  });
  const invoice = (s: Student, amount: number, dueDate: string): InvoiceDoc => ({
    id: newId(),
    schoolId,
    currency: 'KES',
    createdAt: now,
    createdBy: newId(),
    type: 'invoice',
    studentId: s.id,
    termId: newId(),
    classId: newId(),
    feeStructureId: newId(),
    issuedOn: '2026-01-05',
    charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate, amount }],
  });
  await push(request, headers, '/api/v1/sync/students/1/push', [amani, jabari, kevin, akinyi]);
  await push(request, headers, '/api/v1/sync/payers/0/push', [payer('Grace Otieno', '+254 712 345 678', [amani, jabari]), payer('Wafula family', '0733 100 200', [kevin]), payer('Rotich family', '0722 555 010', [akinyi])]);
  await push(request, headers, `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`, [
    invoice(amani, 1_500_000, '2026-01-31'),
    invoice(jabari, 1_200_000, '2026-01-20'),
    invoice(kevin, 900_000, '2026-01-31'),
    invoice(akinyi, 2_000_000, '2026-01-31'),
  ]);
}

export async function mainOfficeId(request: APIRequestContext, headers: Record<string, string>): Promise<string> {
  const pull = await request.get('/api/v1/sync/reference/1/pull?limit=500', { headers });
  const office = ((await pull.json()) as PullResponse<{ id: string; kind: string; data: { code?: string } }>).documents.find((d) => d.kind === 'office' && d.data.code === 'MAIN');
  if (!office) throw new Error('the school has no main office');
  return office.id;
}

/**
 * A desk registered at the main office and the staff who will work it, and one family with one
 * child billed 10,000 for term 1: what a desk spec starts from. Returns the desk's approval code.
 */
export async function deskAndFamily(
  request: APIRequestContext,
  desk: { name: string; code: string },
  staff: readonly { email: string; password: string; displayName: string; role: 'cashier' | 'bursar' }[],
  child: { admissionNumber: string; firstName: string; lastName: string; family: string; phone: string },
): Promise<{ headers: Record<string, string>; approvalCode: string; family: Payer }> {
  const { headers, schoolId } = await owner(request);
  const registered = await request.post('/api/v1/devices', { headers, data: { ...desk, officeId: await mainOfficeId(request, headers) } });
  const { approvalCode } = (await registered.json()) as DeviceApproval;
  for (const person of staff) expect((await request.post('/api/v1/users', { headers, data: person })).status()).toBe(201);
  const now = new Date().toISOString();
  const student: Student = { id: newId(), schoolId, admissionNumber: child.admissionNumber, firstName: child.firstName, lastName: child.lastName, status: 'active', createdAt: now, updatedAt: now };
  const family: Payer = { id: newId(), schoolId, kind: 'family', name: child.family, contacts: [{ type: 'phone', value: child.phone }], preferredChannel: 'sms', students: [{ studentId: student.id, share: 10_000 }], createdAt: now, updatedAt: now };
  const invoice: InvoiceDoc = {
    id: newId(), schoolId, currency: 'KES', createdAt: now, createdBy: newId(), type: 'invoice', studentId: student.id, termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-05',
    charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 1_000_000 }],
  };
  await push(request, headers, '/api/v1/sync/students/1/push', [student]);
  await push(request, headers, '/api/v1/sync/payers/0/push', [family]);
  await push(request, headers, `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`, [invoice]);
  return { headers, approvalCode, family };
}

/** Enrols the browser as a registered desk with an admin's approval code; its sign-in form shows next. */
export async function enrolDesk(page: Page, approvalCode: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enrol this desk' }).click();
  const enrol = page.getByRole('form', { name: 'Enrol this desk' });
  await enrol.getByLabel('Approval code').fill(approvalCode);
  await enrol.getByRole('button', { name: 'Enrol desk' }).click();
  await expect(page.getByText(/This computer is now desk/)).toBeVisible();
}

/** An enrolled desk with a cashier signed in, at the till. */
export async function openDesk(page: Page, approvalCode: string, cashier: { email: string; password: string }): Promise<void> {
  await enrolDesk(page, approvalCode);
  const signIn = page.getByRole('form', { name: 'Sign in' });
  await signIn.getByLabel('Email').fill(cashier.email);
  await signIn.getByLabel('Password').fill(cashier.password);
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Open the till' })).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-server', 'connected');
}

export async function openTill(page: Page, float: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Open the till' });
  await form.getByLabel(/Float/).fill(float);
  await form.getByRole('button', { name: 'Open till' }).click();
  await expect(page.getByRole('complementary', { name: 'Till' })).toBeVisible();
}

export const findBox = (page: Page) => page.getByRole('combobox', { name: 'Find a student or family' });

/** Types in the search box and opens the family: a family's result, or a student's (who has one payer). */
export async function findFamily(page: Page, typed: string, name: RegExp, result: 'Family' | 'Student' = 'Family'): Promise<void> {
  await findBox(page).fill(typed);
  await page.getByRole('option', { name: new RegExp(`^${result}`) }).filter({ hasText: name }).click();
  await expect(page.getByRole('form', { name: 'Take a payment' })).toBeVisible();
}

export async function takePayment(page: Page, fill: (form: ReturnType<Page['getByRole']>) => Promise<void>): Promise<string> {
  const form = page.getByRole('form', { name: 'Take a payment' });
  await fill(form);
  await form.getByRole('button', { name: 'Take payment' }).click();
  const receipt = page.getByTestId('receipt-number');
  await expect(receipt).toBeVisible();
  return (await receipt.textContent()) ?? '';
}

export async function pdfOf(download: Promise<Download>): Promise<string[]> {
  const file = await (await download).path();
  return pdfText(new Uint8Array(await readFile(file)));
}

export async function saveReceipt(page: Page): Promise<string[]> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save PDF' }).click();
  return pdfOf(download);
}

