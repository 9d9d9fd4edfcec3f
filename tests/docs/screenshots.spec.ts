// The pictures in docs/ that the README shows: the payment screen with a payment split across
// two siblings, and a printed receipt (its PDF rendered to PNG with poppler's pdftoppm). Run with
// `npm run docs:screenshots`; not part of `npm test`.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { DeviceApproval } from '@feemaster/core';
import { JANE, findFamily, mainOfficeId, openDesk, openTill, owner, seedFamilies } from '../e2e/cashier.ts';

const docs = resolve(import.meta.dirname, '../../docs');

test('the payment screen and a receipt, for the README', async ({ browser, request }) => {
  const { headers, schoolId } = await owner(request);
  const registered = await request.post('/api/v1/devices', { headers, data: { name: 'Front office desk', code: 'D02', officeId: await mainOfficeId(request, headers) } });
  const { approvalCode } = (await registered.json()) as DeviceApproval;
  expect((await request.post('/api/v1/users', { headers, data: { ...JANE, role: 'cashier' } })).status()).toBe(201);
  await seedFamilies(request, headers, schoolId);

  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1, acceptDownloads: true });
  const page = await context.newPage();
  await openDesk(page, approvalCode, JANE);
  await openTill(page, '2,000');
  await findFamily(page, 'grace', /Grace Otieno/);
  const form = page.getByRole('form', { name: 'Take a payment' });
  await form.getByTestId('payment-amount').fill('20,000');
  await form.getByLabel('Cash handed over (optional)').fill('20,500');
  await expect(form.getByTestId('owed-after')).toContainText('Still owed after this payment');
  await page.screenshot({ path: join(docs, 'payment-screen.png') });

  await form.getByRole('button', { name: 'Take payment' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save PDF' }).click();
  const work = await mkdtemp(join(tmpdir(), 'feemaster-docs-'));
  try {
    const pdf = join(work, 'receipt.pdf');
    await (await download).saveAs(pdf);
    execFileSync('pdftoppm', ['-png', '-r', '150', '-singlefile', pdf, join(work, 'receipt')]);
    await copyFile(join(work, 'receipt.png'), join(docs, 'receipt-80mm.png'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await context.close();
});
