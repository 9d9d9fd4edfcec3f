// Page helpers for the desk app, in the words a cashier would use.
import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { OutageProxy } from './outage-proxy.ts';
import { E2E_OWNER } from './e2e-env.ts';

export async function signIn(page: Page): Promise<void> {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(E2E_OWNER.ownerEmail);
  await form.getByLabel('Password').fill(E2E_OWNER.ownerPassword);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /Students/ })).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-server', 'connected');
}

export async function addStudent(page: Page, student: { admissionNumber: string; firstName: string; lastName: string }): Promise<void> {
  await page.getByRole('button', { name: 'Add student' }).click();
  const form = page.getByRole('form', { name: 'Add student' });
  await form.getByLabel('Admission number').fill(student.admissionNumber);
  await form.getByLabel('First name').fill(student.firstName);
  await form.getByLabel('Last name').fill(student.lastName);
  await form.getByRole('button', { name: 'Save student' }).click();
  await expect(form).toBeHidden();
}

export function studentRow(page: Page, name: RegExp | string) {
  return page.getByTestId('student-row').filter({ hasText: name });
}

export function syncIndicator(page: Page) {
  return page.getByTestId('sync-indicator');
}

/** Waits until the service worker controls the page, so a reload works without a network. */
export async function waitForOfflineShell(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
    }
  });
}

/** A network outage for one desk: the browser reports offline and its link to the server is cut. */
export async function goOffline(context: BrowserContext, link: OutageProxy): Promise<void> {
  link.cut();
  await context.setOffline(true);
}

export async function goOnline(context: BrowserContext, link: OutageProxy): Promise<void> {
  link.restore();
  await context.setOffline(false);
}

/** Opens a section of the desk from its navigation bar (a badge may follow the section's name). */
export async function openSection(page: Page, name: 'Take payments' | 'Students' | 'Families' | 'Term invoices' | 'Setup' | 'Audit trail' | 'Sync conflicts'): Promise<void> {
  await page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button', { name: new RegExp(`^${name}( |$)`) }).click();
}

/** Rows of the audit table, all of them or those of one exact action (`students.create`). */
export function auditRows(page: Page, action?: string) {
  const rows = page.getByTestId('audit-row');
  return action === undefined ? rows : page.locator(`[data-testid="audit-row"][data-action="${action}"]`);
}

/** The refresh token the desk holds now (the browser edition keeps its session in localStorage). */
export async function currentRefreshToken(page: Page): Promise<string> {
  const json = await page.evaluate(() => window.localStorage.getItem('feemaster.session'));
  const session: unknown = JSON.parse(json ?? 'null');
  if (typeof session !== 'object' || session === null || !('refreshToken' in session) || typeof session.refreshToken !== 'string') {
    throw new Error('the desk keeps no session with a refresh token');
  }
  return session.refreshToken;
}

/** Signs in as someone other than the owner (a cashier or auditor the owner added). */
export async function signInAs(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(deskNavigation(page)).toBeVisible();
  await expect(syncIndicator(page)).toHaveAttribute('data-server', 'connected');
}

/** The desk's navigation bar: shown once someone is signed in (a cashier's desk opens at the till). */
export function deskNavigation(page: Page) {
  return page.getByRole('navigation', { name: 'Desk sections' });
}

/** The buttons of the desk's navigation bar, one per section the signed-in role may open. */
export function sectionButtons(page: Page) {
  return page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button');
}

/** Opens the Desks or Staff section from the navigation bar. */
export async function openAdminSection(page: Page, name: 'Desks' | 'Staff'): Promise<void> {
  await page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`^${name}`) })).toBeVisible();
}

/** The row of one person in the staff list, found by email. */
export function staffRow(page: Page, email: string) {
  return page.locator(`[data-testid="staff-row"][data-email="${email}"]`);
}

/** The row of one desk in the list of desks, found by its code. */
export function deskRow(page: Page, code: string) {
  return page.locator(`[data-testid="desk-row"][data-code="${code}"]`);
}
