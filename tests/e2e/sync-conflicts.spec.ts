// Two desks change the same student's last name, one of them offline: both edits' other fields
// survive, the server keeps the first, the owner sees a badge and the conflict with both sides,
// decides for the offline desk's value, and every desk shows it.
import { expect, test, type Page } from '@playwright/test';
import { E2E_PORT } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { addStudent, goOffline, goOnline, openSection, signIn, studentRow, syncIndicator, waitForOfflineShell } from './desk.ts';

async function editStudent(page: Page, current: string, change: { lastName?: string; otherNames?: string }): Promise<void> {
  await page.getByRole('button', { name: `Edit ${current}` }).click();
  const edit = page.getByRole('form', { name: 'Edit student' });
  if (change.lastName !== undefined) await edit.getByLabel('Last name').fill(change.lastName);
  if (change.otherNames !== undefined) await edit.getByLabel('Other names').fill(change.otherNames);
  await edit.getByRole('button', { name: 'Save student' }).click();
  await expect(edit).toBeHidden();
}

test('a same-field conflict between two desks is kept, shown to the owner with both sides, and decided again', async ({ browser }) => {
  const linkA = await startOutageProxy(E2E_PORT);
  const contextA = await browser.newContext({ baseURL: linkA.url });
  const contextB = await browser.newContext();
  const deskA = await contextA.newPage();
  const deskB = await contextB.newPage();
  await signIn(deskA);
  await signIn(deskB);

  await addStudent(deskA, { admissionNumber: 'SC-2001', firstName: 'Wanjiru', lastName: 'Kariuki' });
  await expect(studentRow(deskB, 'Kariuki, Wanjiru')).toBeVisible({ timeout: 5_000 });

  // Desk A offline changes the last name and other names; desk B online changes the last name.
  await waitForOfflineShell(deskA);
  await goOffline(contextA, linkA);
  await expect(syncIndicator(deskA)).toHaveAttribute('data-network', 'offline');
  await editStudent(deskA, 'Wanjiru Kariuki', { lastName: 'Kariuki-Mutua', otherNames: 'Njeri' });
  await editStudent(deskB, 'Wanjiru Kariuki', { lastName: 'Kariuki Otieno' });
  await expect(syncIndicator(deskB)).toHaveAttribute('data-pending', '0');

  // A comes back: the server's last name stands, A's other names survive, on both desks.
  await goOnline(contextA, linkA);
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0', { timeout: 15_000 });
  await expect(studentRow(deskA, 'Kariuki Otieno, Wanjiru')).toBeVisible({ timeout: 15_000 });
  await expect(studentRow(deskB, 'Kariuki Otieno, Wanjiru')).toBeVisible({ timeout: 15_000 });
  await expect(syncIndicator(deskA)).toContainText('combined with a change made on another desk');

  // The owner on B sees the badge and the conflict, with what each side wanted.
  const nav = deskB.getByRole('navigation', { name: 'Desk sections' });
  await expect(nav.getByTestId('conflicts-badge')).toBeVisible({ timeout: 10_000 });
  await openSection(deskB, 'Sync conflicts');
  const conflict = deskB.getByTestId('conflict').filter({ hasText: 'Wanjiru Kariuki Otieno (SC-2001)' });
  await expect(conflict).toBeVisible();
  const row = conflict.getByRole('row', { name: /Last name/ });
  await expect(row.getByRole('cell')).toHaveText(['Kariuki', 'Kariuki Otieno', 'Kariuki-Mutua', 'Kariuki Otieno']);
  await expect(conflict.getByRole('row', { name: /Other names/ })).toHaveCount(0);

  // Decided for desk A's value: a new version reaches both desks; the badge goes.
  await conflict.getByRole('button', { name: "Use the desk's values" }).click();
  await expect(conflict.getByTestId('conflict-decision')).toContainText("the desk's values were applied");
  await expect(nav.getByTestId('conflicts-badge')).toHaveCount(0);
  await openSection(deskB, 'Students');
  await expect(studentRow(deskB, 'Kariuki-Mutua, Wanjiru')).toBeVisible({ timeout: 10_000 });
  await expect(studentRow(deskA, 'Kariuki-Mutua, Wanjiru')).toBeVisible({ timeout: 10_000 });

  await contextA.close();
  await contextB.close();
  await linkA.close();
});
