// The school's logo: an admin refuses a file that is no picture, uploads a PNG, sees it as it will
// print and saves it; a second desk, open all along, shows the same logo; removing it reaches the
// server. A logo pushed through the API that the printer cannot use is shown as such on the settings
// screen. The shared e2e school is left without a logo, as the other specs expect it.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { encodeBase64, type PullResponse, type ReferenceDoc, type SettingsDoc } from '@feemaster/core';
import { pngImage } from '../../core/src/fees/test-images.ts';
import { owner } from './cashier.ts';
import { signIn, syncIndicator } from './desk.ts';

const tag = Date.now().toString(36).toUpperCase();

async function openSchoolSettings(page: Page) {
  await page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button', { name: 'Setup', exact: true }).click();
  await page.getByRole('navigation', { name: 'Setup pages' }).getByRole('button', { name: 'School settings', exact: true }).click();
  return page.getByRole('form', { name: 'School settings' });
}

/** The school's settings as the server holds them. */
async function serverSettings(request: APIRequestContext, headers: Record<string, string>): Promise<SettingsDoc & { _deleted: boolean }> {
  const pulled = (await (await request.get('/api/v1/sync/reference/1/pull?limit=1000', { headers })).json()) as PullResponse<ReferenceDoc>;
  const settings = pulled.documents.find((d): d is SettingsDoc & { _deleted: boolean } => d.kind === 'settings');
  if (!settings) throw new Error('the school has no settings');
  return settings;
}

test('an admin gives the school a logo, sees it as it will print, and a second desk receives it', async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  const { headers } = await owner(request);
  const crest = pngImage(240, 120);

  const deskB = await (await browser.newContext()).newPage();
  await signIn(deskB);
  await signIn(page);
  const settings = await openSchoolSettings(page);
  await expect(settings.getByText('No logo: receipts print the school’s name alone.')).toBeVisible();

  // A drawing saved as SVG but named .png is refused by its bytes, beside the field.
  await settings.getByLabel('School logo').setInputFiles({ name: `crest-${tag}.png`, mimeType: 'image/png', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
  await expect(settings.getByText(`crest-${tag}.png: This file is not a PNG or JPEG image. Save the logo as PNG or JPEG`)).toBeVisible();
  await expect(settings.getByLabel('School logo')).toHaveAttribute('aria-invalid', 'true');

  await settings.getByLabel('School logo').setInputFiles({ name: `crest-${tag}.png`, mimeType: 'image/png', buffer: Buffer.from(crest) });
  await expect(settings.getByText(`crest-${tag}.png (PNG, 240 × 120 pixels, 1 KB) is chosen: save the settings to keep it.`)).toBeVisible();
  await expect(settings.getByLabel('School logo')).not.toHaveAttribute('aria-invalid', 'true');
  const preview = settings.getByRole('img', { name: 'The school’s logo as receipts print it' });
  await expect(preview).toBeVisible();
  // The browser really decoded the picture: it is not a broken-image icon.
  expect(await preview.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([240, 120]);
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');
  await expect.poll(async () => (await serverSettings(request, headers)).data.logo).toEqual({ mediaType: 'image/png', base64: encodeBase64(crest) });

  // The second desk was open all along: the logo reaches it live.
  const settingsB = await openSchoolSettings(deskB);
  const previewB = settingsB.getByRole('img', { name: 'The school’s logo as receipts print it' });
  await expect(previewB).toHaveAttribute('src', `data:image/png;base64,${encodeBase64(crest)}`);
  expect(await previewB.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);

  // Removed on the first desk: gone on the server and on the second desk.
  await settings.getByRole('button', { name: 'Remove logo' }).click();
  await expect(settings.getByText('The logo is removed: save the settings to print receipts without it.')).toBeVisible();
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await expect.poll(async () => 'logo' in (await serverSettings(request, headers)).data).toBe(false);
  await expect(settingsB.getByText('No logo: receipts print the school’s name alone.')).toBeVisible();
});

test('a logo pushed through the API that the printer cannot use is shown as such, and removed', async ({ page, request }) => {
  test.setTimeout(120_000);
  const { headers } = await owner(request);
  // A PNG's signature and header over image data that is not deflate: the server's schema checks
  // the header (the API does not read further), the desk's printer code cannot inflate it.
  const broken = pngImage(120, 80);
  broken.fill(0x5a, 41, broken.length - 16);
  const before = await serverSettings(request, headers);
  const pushed = await request.post('/api/v1/sync/reference/1/push', {
    headers,
    data: [{ assumedMasterState: before, newDocumentState: { ...before, data: { ...before.data, logo: { mediaType: 'image/png', base64: encodeBase64(broken) } }, updatedAt: new Date().toISOString() } }],
  });
  expect(pushed.status(), await pushed.text()).toBe(200);
  expect(await pushed.json()).toEqual([]);

  await signIn(page);
  const settings = await openSchoolSettings(page);
  const warning = settings.getByRole('alert').filter({ hasText: 'The saved logo cannot be printed' });
  await expect(warning).toContainText('so receipts, Z-reports, statements and the void register print without it. Choose the logo again as a PNG or JPEG, or remove it.');
  await settings.getByRole('button', { name: 'Remove logo' }).click();
  await expect(warning).toBeHidden();
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');
  await expect.poll(async () => 'logo' in (await serverSettings(request, headers)).data).toBe(false);
});
