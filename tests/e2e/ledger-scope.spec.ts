// An owner limits what desks download of the ledger, and sets it back.
import { expect, test } from '@playwright/test';
import { signIn } from './desk.ts';

test('an owner chooses which ledger years the desks download', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button', { name: 'Desks', exact: true }).click();
  const setting = page.getByRole('region', { name: 'What desks download' });
  const select = setting.getByLabel('Ledger years on desks');
  await expect(select).toHaveValue('all');
  await select.selectOption({ label: 'The active and previous academic years' });
  await expect(setting.getByRole('status')).toContainText('Saved');
  await page.reload();
  await page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button', { name: 'Desks', exact: true }).click();
  await expect(page.getByRole('region', { name: 'What desks download' }).getByLabel('Ledger years on desks')).toHaveValue('recent-years');
  await page.getByRole('region', { name: 'What desks download' }).getByLabel('Ledger years on desks').selectOption('all');
  await expect(page.getByRole('region', { name: 'What desks download' }).getByRole('status')).toContainText('Saved');
});
