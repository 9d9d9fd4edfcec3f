// The audit trail as an owner reads it on the desk: the sign-in and a student's admission are
// there, filters and details work, the chain checks out, the CSV export holds what the table
// shows; and signing out really ends the sign-in on the server.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import type { AuditLogsPage, LoginResponse } from '@feemaster/core';
import { E2E_OWNER } from './e2e-env.ts';
import { addStudent, auditRows, currentRefreshToken, openSection, signIn, syncIndicator } from './desk.ts';

test('an owner reads, filters, checks and exports the audit trail, then signs out for good', async ({ page, context, request }) => {
  await signIn(page);
  const admissionNumber = `AU-${Date.now().toString(36).toUpperCase()}`;
  await addStudent(page, { admissionNumber, firstName: 'Wanjiru', lastName: 'Kamau' });
  // The audit entry is written when the server accepts the push.
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');

  await openSection(page, 'Audit trail');
  await expect(page.getByRole('heading', { name: /Audit trail/ })).toBeVisible();
  const signInRow = auditRows(page, 'auth.sign-in').first();
  await expect(signInRow).toBeVisible();
  // The signed-in owner is named; times are the school's (Africa/Nairobi).
  await expect(signInRow).toContainText('Esther Njeri');
  await expect(signInRow).toContainText('(owner)');
  await expect(page.getByText('Times in Africa/Nairobi')).toBeVisible();
  await expect(auditRows(page, 'students.create').first()).toBeVisible();

  // Filter by action prefix: only students.* entries remain, the newest being this admission.
  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByLabel('Action starts with').fill('students.');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(auditRows(page, 'auth.sign-in')).toHaveCount(0);
  const rows = auditRows(page);
  await expect(rows.first()).toHaveAttribute('data-action', 'students.create');
  const actions = await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-action')));
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.every((a) => a?.startsWith('students.'))).toBe(true);

  // The details show the record as the server stored it.
  await rows.first().getByRole('button', { name: /^Show the change of entry \d+$/ }).click();
  const details = page.getByTestId('audit-details');
  await expect(details).toContainText(`"admissionNumber": "${admissionNumber}"`);
  await expect(details).toContainText('Nothing: this created it.');

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(/^The audit chain is intact: \d+ entries checked, none edited, deleted or inserted\.$/)).toBeVisible();

  // The CSV export carries the same filter: a header and this student's creation.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.replace(/^\ufeff/, '').split('\r\n').filter((line) => line !== '');
  const header = (lines[0] ?? '').split(',');
  expect(header.slice(0, 3)).toEqual(['seq', 'at', 'action']);
  expect(header).toEqual(expect.arrayContaining(['actorUserId', 'actorRole', 'deviceId', 'entityType', 'entityId', 'before', 'after', 'prevHash', 'hash']));
  const created = lines.filter((line) => line.includes(',students.create,') && line.includes(admissionNumber));
  expect(created).toHaveLength(1);
  expect(lines.slice(1).every((line) => /^\d+,[^,]+,students\./.test(line))).toBe(true);
  await expect(page.getByText(`Downloaded ${download.suggestedFilename()}`)).toBeVisible();

  // Offline, the screen says where the trail lives and what to do; back online, it reads again.
  await context.setOffline(true);
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('alert')).toContainText('The audit trail lives on the sync server; connect to read it.');
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(auditRows(page, 'students.create').first()).toBeVisible();

  // Signing out ends the sign-in on the server: its refresh token is refused afterwards.
  await expect(syncIndicator(page)).toHaveAttribute('data-server', 'connected');
  const refreshToken = await currentRefreshToken(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('You are signed out.')).toBeVisible();
  const refresh = await request.post('/api/v1/auth/refresh', { data: { refreshToken } });
  expect(refresh.status()).toBe(401);
  expect(((await refresh.json()) as { message: string }).message).toMatch(/signed out/);

  // And the trail records the sign-out.
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  const { accessToken } = (await login.json()) as LoginResponse;
  const signOuts = await request.get('/api/v1/audit/logs?action=auth.sign-out', { headers: { authorization: `Bearer ${accessToken}` } });
  expect(((await signOuts.json()) as AuditLogsPage).entries.length).toBeGreaterThan(0);
});

test('signing out while the server cannot be reached signs out on the desk and says what remains', async ({ page }) => {
  await signIn(page);
  // Only the logout call is lost, as on a link that drops just as the cashier leaves.
  await page.route('**/api/v1/auth/logout', (route) => route.abort('internetdisconnected'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText(/^Signed out on this desk\. The sync server could not be reached, so the server will end the sign-in when it expires on .+\. If this desk may fall into the wrong hands before then, ask an admin to revoke it\.$/)).toBeVisible();
  expect(await page.evaluate(() => window.localStorage.getItem('feemaster.session'))).toBeNull();
});
