// The pictures in docs/ that the README shows: the payment screen with a payment split across
// two siblings, and a printed receipt with the school's logo (its PDF rendered to PNG with poppler's pdftoppm). Run with
// `npm run docs:screenshots`; not part of `npm test`.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { encodeBase64, type DeviceApproval, type PullResponse, type ReferenceDoc, type SettingsDoc } from '@feemaster/core';
import { pngImage } from '../../core/src/fees/test-images.ts';
import { JANE, findFamily, mainOfficeId, openDesk, openTill, owner, seedFamilies } from '../e2e/cashier.ts';

const docs = resolve(import.meta.dirname, '../../docs');

test('the payment screen and a receipt, for the README', async ({ browser, request }) => {
  const { headers, schoolId } = await owner(request);
  const registered = await request.post('/api/v1/devices', { headers, data: { name: 'Front office desk', code: 'D02', officeId: await mainOfficeId(request, headers) } });
  const { approvalCode } = (await registered.json()) as DeviceApproval;
  expect((await request.post('/api/v1/users', { headers, data: { ...JANE, role: 'cashier' } })).status()).toBe(201);
  await seedFamilies(request, headers, schoolId);
  // The school's logo (Setup → School settings), which the receipt prints above its name.
  const pulled = (await (await request.get('/api/v1/sync/reference/1/pull?limit=1000', { headers })).json()) as PullResponse<ReferenceDoc>;
  const settings = pulled.documents.find((d): d is SettingsDoc & { _deleted: boolean } => d.kind === 'settings');
  if (!settings) throw new Error('the school has no settings');
  const withLogo = { ...settings, data: { ...settings.data, logo: { mediaType: 'image/png', base64: encodeBase64(pngImage(240, 120)) } }, updatedAt: new Date().toISOString() };
  const pushed = await request.post('/api/v1/sync/reference/1/push', { headers, data: [{ newDocumentState: withLogo, assumedMasterState: settings }] });
  expect(await pushed.json()).toEqual([]);

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
