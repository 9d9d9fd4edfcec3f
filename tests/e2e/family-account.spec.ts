// A student nobody pays for yet, found at the till: the cashier opens a family account with the
// phone as the parent says it (0712 345 678). It is stored in E.164, as the families screen and
// the import store numbers, so an import naming +254712345678 later finds this family.
import { expect, test } from '@playwright/test';
import { newId, type Payer, type PullResponse, type Student } from '@feemaster/core';
import { mainOfficeId, openDesk, openTill, owner, push, findBox } from './cashier.ts';
import { syncIndicator } from './desk.ts';

const CASHIER = { email: 'faith.cashier@riverside.example', password: 'faith-passphrase-1', displayName: 'Faith Achieng', role: 'cashier' as const };

test('a family account opened at the till stores the phone in E.164, and refuses one that is no number', async ({ page, request }) => {
  test.setTimeout(120_000);
  const { headers, schoolId } = await owner(request);
  const registered = await request.post('/api/v1/devices', { headers, data: { name: 'Family desk', code: 'D81', officeId: await mainOfficeId(request, headers) } });
  expect(registered.status()).toBe(201);
  const { approvalCode } = (await registered.json()) as { approvalCode: string };
  expect((await request.post('/api/v1/users', { headers, data: CASHIER })).status()).toBe(201);
  const now = new Date().toISOString();
  const tag = Date.now().toString(36).toUpperCase();
  const student: Student = { id: newId(), schoolId, admissionNumber: `FA${tag}`, firstName: 'Zawadi', lastName: `Njeri${tag}`, status: 'active', createdAt: now, updatedAt: now };
  await push(request, headers, '/api/v1/sync/students/1/push', [student]);

  await openDesk(page, approvalCode, CASHIER);
  await openTill(page, '0');
  await findBox(page).fill(`Njeri${tag}`);
  await page.getByRole('option', { name: /^Student/ }).filter({ hasText: `Njeri${tag}` }).click();
  const form = page.getByRole('form', { name: 'Open a family account' });
  await form.getByLabel('Family or guardian').fill(`Njeri${tag} family`);
  await form.getByLabel('Phone (optional)').fill('0722 300');
  await form.getByRole('button', { name: 'Open family account' }).click();
  await expect(form.getByRole('alert')).toContainText('"0722 300" is not a valid phone number');
  await form.getByLabel('Phone (optional)').fill('0712 345 678');
  await form.getByRole('button', { name: 'Open family account' }).click();
  await expect(page.getByRole('form', { name: 'Take a payment' })).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0', { timeout: 20_000 });

  const pulled = (await (await request.get('/api/v1/sync/payers/0/pull?limit=1000', { headers })).json()) as PullResponse<Payer>;
  const family = pulled.documents.find((p) => p.name === `Njeri${tag} family`);
  expect(family).toMatchObject({ contacts: [{ type: 'phone', value: '+254712345678' }], preferredChannel: 'sms', students: [{ studentId: student.id, share: 10_000 }] });
});
