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
