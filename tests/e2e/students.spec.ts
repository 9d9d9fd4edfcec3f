// The students register on one desk: field checks, duplicate admission numbers, editing and
// search, as a bursar would use them.
import { expect, test } from '@playwright/test';
import { addStudent, signIn, studentRow, syncIndicator } from './desk.ts';

test('a bursar adds, corrects and finds students; bad input is explained', async ({ page }) => {
  await signIn(page);
  const suffix = Date.now().toString(36).toUpperCase();
  await addStudent(page, { admissionNumber: `ST-${suffix}-1`, firstName: 'Neema', lastName: 'Chebet' });

  // A duplicate admission number and a malformed one are refused with the reason beside the field.
  await page.getByRole('button', { name: 'Add student' }).click();
  const form = page.getByRole('form', { name: 'Add student' });
  await form.getByLabel('Admission number').fill(`ST-${suffix}-1`);
  await form.getByLabel('First name').fill('Juma');
  await form.getByLabel('Last name').fill('Hassan');
  await form.getByRole('button', { name: 'Save student' }).click();
  await expect(form).toContainText(`Admission number ST-${suffix}-1 already belongs to Neema Chebet`);
  await form.getByLabel('Admission number').fill('#bad number');
  await form.getByRole('button', { name: 'Save student' }).click();
  await expect(form.getByRole('alert')).toHaveText('Please correct the highlighted fields.');
  await expect(form).toContainText('admissionNumber');
  await form.getByLabel('Admission number').fill(`ST-${suffix}-2`);
  await form.getByLabel('Date of birth').fill('2015-03-09');
  await form.getByRole('button', { name: 'Save student' }).click();
  await expect(form).toBeHidden();
  await expect(studentRow(page, 'Hassan, Juma')).toContainText('2015-03-09');

  // Editing keeps the record and changes what was corrected.
  await page.getByRole('button', { name: 'Edit Juma Hassan' }).click();
  const edit = page.getByRole('form', { name: 'Edit student' });
  await edit.getByLabel('Last name').fill('Hassan Ali');
  await edit.getByLabel('Status').selectOption('left');
  await edit.getByRole('button', { name: 'Save student' }).click();
  await expect(studentRow(page, 'Hassan Ali, Juma')).toContainText('left');
  await expect(studentRow(page, 'Hassan, Juma')).toHaveCount(0);
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');

  // Search by admission number or name.
  await page.getByLabel('Search students').fill(`st-${suffix.toLowerCase()}-1`);
  await expect(page.getByTestId('student-row')).toHaveCount(1);
  await expect(studentRow(page, 'Neema')).toBeVisible();
  await page.getByLabel('Search students').fill('zzzz-nobody');
  await expect(page.getByText('No student matches “zzzz-nobody”.')).toBeVisible();
});
