// A document the server refuses does not block the desk's queue: two desks give the same
// admission number while one is offline; when it reconnects, its other student still syncs, the
// refused one is listed with the reason, and correcting it syncs it and clears the list.
import { expect, test } from '@playwright/test';
import { E2E_PORT } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { addStudent, goOffline, goOnline, signIn, studentRow, syncIndicator } from './desk.ts';

test('a refused student is listed with the reason, the rest sync, and a correction clears it', async ({ browser }) => {
  const link = await startOutageProxy(E2E_PORT);
  const contextA = await browser.newContext({ baseURL: link.url });
  const contextB = await browser.newContext();
  const deskA = await contextA.newPage();
  const deskB = await contextB.newPage();
  await signIn(deskA);
  await signIn(deskB);

  await goOffline(contextA, link);
  await expect(syncIndicator(deskA)).toHaveAttribute('data-network', 'offline');
  await addStudent(deskA, { admissionNumber: 'RQ-1', firstName: 'Kamau', lastName: 'Wekesa' });
  await addStudent(deskA, { admissionNumber: 'RQ-2', firstName: 'Atieno', lastName: 'Ouma' });
  await addStudent(deskB, { admissionNumber: 'RQ-1', firstName: 'Njoroge', lastName: 'Mutua' });
  await expect(syncIndicator(deskB)).toHaveAttribute('data-pending', '0');

  await goOnline(contextA, link);
  const refused = deskA.getByTestId('refused-document');
  await expect(refused).toHaveCount(1, { timeout: 15_000 });
  await expect(refused).toContainText('Student Kamau Wekesa (RQ-1)');
  await expect(refused).toContainText('admission number RQ-1 already belongs to Njoroge Mutua');
  await expect(deskA.getByTestId('sync-refused')).toContainText('1 not saved on the server');
  // Nothing else waits for it: the other student reached desk B, and nothing is left pending.
  await expect(studentRow(deskB, 'RQ-2')).toBeVisible({ timeout: 10_000 });
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0');
  await expect(studentRow(deskB, 'Wekesa')).toHaveCount(0);

  // The cashier gives Kamau another number: it syncs and the list clears.
  await studentRow(deskA, 'Wekesa').getByRole('button', { name: /Edit/ }).click();
  const form = deskA.getByRole('form', { name: /Edit student/ });
  await form.getByLabel('Admission number').fill('RQ-3');
  await form.getByRole('button', { name: 'Save student' }).click();
  await expect(deskA.getByTestId('refused-document')).toHaveCount(0, { timeout: 15_000 });
  await expect(studentRow(deskB, 'Wekesa')).toContainText('RQ-3', { timeout: 10_000 });

  await contextA.close();
  await contextB.close();
  await link.close();
});
