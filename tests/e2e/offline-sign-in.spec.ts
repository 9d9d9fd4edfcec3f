// Enrolling a desk with an admin's approval code, then signing a cashier in on it while the
// sync server is unreachable: the password is checked against the desk's own verifier, the
// cashier keeps working, and once the link is back the session syncs, marked offline in the
// audit trail.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { DeviceApproval, LoginResponse, PullResponse } from '@feemaster/core';
import { E2E_OWNER, E2E_PORT } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { addStudent, deskRow, goOffline, goOnline, openAdminSection, studentRow, syncIndicator, waitForOfflineShell, openSection } from './desk.ts';

const CASHIER = { email: 'neema.offline@riverside.example', password: 'neema-cashier-2026', displayName: 'Neema Wairimu' };

async function ownerHeaders(request: APIRequestContext): Promise<Record<string, string>> {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  expect(login.status()).toBe(200);
  return { authorization: `Bearer ${((await login.json()) as LoginResponse).accessToken}` };
}

async function mainOfficeId(request: APIRequestContext, headers: Record<string, string>): Promise<string> {
  const pull = await request.get('/api/v1/sync/reference/1/pull?limit=500', { headers });
  const office = ((await pull.json()) as PullResponse<{ id: string; kind: string; data: { code?: string } }>).documents.find((d) => d.kind === 'office' && d.data.code === 'MAIN');
  if (!office) throw new Error('the school has no main office');
  return office.id;
}

async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

test('an enrolled desk signs a cashier in offline, and the offline session is audited when it syncs', async ({ browser, request }) => {
  const headers = await ownerHeaders(request);
  const registered = await request.post('/api/v1/devices', { headers, data: { name: 'Front desk 31', code: 'D31', officeId: await mainOfficeId(request, headers) } });
  expect(registered.status()).toBe(201);
  const { approvalCode, device } = (await registered.json()) as DeviceApproval;
  const added = await request.post('/api/v1/users', { headers, data: { ...CASHIER, role: 'cashier' } });
  expect(added.status()).toBe(201);

  const link = await startOutageProxy(E2E_PORT);
  const context = await browser.newContext({ baseURL: link.url });
  const page = await context.newPage();
  await page.goto('/');

  // Enrolment: the code an admin read out, typed in lower case with spaces.
  await page.getByRole('button', { name: 'Enrol this desk' }).click();
  const enrol = page.getByRole('form', { name: 'Enrol this desk' });
  await enrol.getByLabel('Approval code').fill(approvalCode.toLowerCase().replaceAll('-', ' '));
  await enrol.getByRole('button', { name: 'Enrol desk' }).click();
  await expect(page.getByText('This computer is now desk MAIN-D31 of Riverside Academy. Sign in.')).toBeVisible();
  await expect(page.getByTestId('desk-identity')).toContainText('Desk MAIN-D31 (Front desk 31) of Riverside Academy');

  // The first sign-in on the desk is online; it leaves the desk an offline verifier.
  await submitSignIn(page, CASHIER.email, CASHIER.password);
  // A cashier's desk opens at its till.
  await expect(page.getByRole('heading', { name: 'Open the till' })).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-server', 'connected');
  const stored = await page.evaluate(() => window.localStorage.getItem('feemaster.desk') ?? '');
  expect(stored).toContain(device.id);
  expect(stored).not.toContain(CASHIER.password);
  await waitForOfflineShell(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();

  // The office's internet goes down.
  await goOffline(context, link);
  await submitSignIn(page, CASHIER.email, 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
  await submitSignIn(page, E2E_OWNER.ownerEmail, E2E_OWNER.ownerPassword);
  await expect(page.getByRole('alert')).toContainText('has not signed in on this desk before');
  await submitSignIn(page, CASHIER.email, CASHIER.password);
  await expect(page.getByRole('heading', { name: 'Open the till' })).toBeVisible();
  await expect(page.getByTestId('offline-session')).toContainText("Signed in on this desk while the server was unreachable: a cashier's work only");
  await openSection(page, 'Students');
  await addStudent(page, { admissionNumber: 'RO-3101', firstName: 'Wanjala', lastName: 'Simiyu' });
  await expect(studentRow(page, 'RO-3101')).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '1');

  // Back online: the desk vouches for the session, gets its tokens and uploads the student.
  await goOnline(context, link);
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0', { timeout: 15_000 });
  await expect(syncIndicator(page)).toHaveAttribute('data-server', 'connected');

  const entries = async (action: string) => {
    const res = await request.get(`/api/v1/audit/logs?action=${encodeURIComponent(action)}&limit=50`, { headers });
    return ((await res.json()) as { entries: { action: string; deviceId: string | null; entityId: string | null; offlineSessionId: string | null; after: { admissionNumber?: string } | null }[] }).entries;
  };
  const [opened] = await entries('auth.offline-session');
  expect(opened).toMatchObject({ deviceId: device.id });
  expect(opened?.offlineSessionId).toBeTruthy();
  const created = (await entries('students.create')).find((e) => e.after?.admissionNumber === 'RO-3101');
  expect(created?.offlineSessionId).toBe(opened?.offlineSessionId);

  // A new password, signed in online: the desk forgets the old one, so it no longer opens the desk offline.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await submitSignIn(page, CASHIER.email, CASHIER.password);
  await expect(page.getByTestId('offline-session')).toHaveCount(0);
  await page.getByRole('button', { name: 'Change password' }).click();
  const change = page.getByRole('form', { name: 'Change password' });
  await change.getByLabel('Current password').fill(CASHIER.password);
  await change.getByLabel('New password', { exact: true }).fill('neema-new-passphrase');
  await change.getByLabel('New password again').fill('neema-new-passphrase');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password is changed' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await goOffline(context, link);
  await submitSignIn(page, CASHIER.email, CASHIER.password);
  await expect(page.getByRole('alert')).toContainText('has not signed in on this desk before');

  await context.close();
  await link.close();
});

test('an admin signed in on a desk that is not enrolled registers it and enrols it on the spot', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await submitSignIn(page, E2E_OWNER.ownerEmail, E2E_OWNER.ownerPassword);
  await openAdminSection(page, 'Desks');
  await page.getByRole('button', { name: 'Register a desk' }).click();
  const form = page.getByRole('form', { name: 'Register a desk' });
  await form.getByLabel('Desk name').fill('Bursary desk');
  await form.getByLabel('Desk code').fill('d32');
  await form.getByRole('button', { name: 'Register desk' }).click();
  const approval = page.getByRole('region', { name: 'Approval code for desk D32' });
  await approval.getByRole('button', { name: 'Enrol this desk with it' }).click();
  await expect(approval).toContainText('This computer is now desk MAIN-D32');
  await expect(deskRow(page, 'D32')).toContainText('Enrolled');

  // The next sign-in here is bound to the desk and gives it an offline verifier.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('desk-identity')).toContainText('Desk MAIN-D32 (Bursary desk)');
  await submitSignIn(page, E2E_OWNER.ownerEmail, E2E_OWNER.ownerPassword);
  await expect(page.getByRole('heading', { name: /Students/ })).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.localStorage.getItem('feemaster.desk') ?? '')).toContain('"verifier"');
  await context.close();
});
