// The owner looks after the school's staff and desks on the desk app: adds a cashier and an
// auditor, changes a role, registers and revokes desks; each role then sees only what it may do,
// and withdrawing the cashier's access ends their open sign-in.
import { expect, test, type Page } from '@playwright/test';
import { E2E_OWNER } from './e2e-env.ts';
import { addStudent, deskRow, openAdminSection, sectionButtons, signIn, signInAs, staffRow, syncIndicator } from './desk.ts';

interface Person {
  email: string;
  name: string;
  password: string;
}

async function addPerson(page: Page, person: Person, role: string): Promise<void> {
  await page.getByRole('button', { name: 'Add a person' }).click();
  const form = page.getByRole('form', { name: 'Add a person' });
  await form.getByLabel('Email').fill(person.email);
  await form.getByLabel('Name').fill(person.name);
  await form.getByLabel('Role').selectOption(role);
  await form.getByLabel('First password').fill(person.password);
  await form.getByRole('button', { name: 'Add to staff' }).click();
  await expect(form).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `${person.name} is on the staff as` })).toBeVisible();
}

test('an owner adds staff and registers desks; each role sees what it may do; withdrawn access ends a sign-in', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const run = Date.now().toString(36);
  const cashier: Person = { email: `till-${run}@riverside.example`, name: 'Otieno Wekesa', password: 'cashier-first-pass-1' };
  const auditor: Person = { email: `audit-${run}@riverside.example`, name: 'Amina Said', password: 'auditor-first-pass-1' };

  await signIn(page);
  await openAdminSection(page, 'Staff');
  // The owner's own row offers no controls: nobody changes their own role or access.
  const own = staffRow(page, E2E_OWNER.ownerEmail);
  await expect(own).toContainText('(you)');
  await expect(own.getByRole('combobox')).toHaveCount(0);
  await expect(own.getByRole('button')).toHaveCount(0);

  await addPerson(page, cashier, 'cashier');
  await expect(staffRow(page, cashier.email)).toContainText('Has access');
  await addPerson(page, auditor, 'auditor');
  await expect(staffRow(page, auditor.email).getByRole('combobox', { name: `Role of ${auditor.name}` })).toHaveValue('auditor');

  // Adding the cashier again is refused with the server's words, first with a password, then without.
  await page.getByRole('button', { name: 'Add a person' }).click();
  const again = page.getByRole('form', { name: 'Add a person' });
  await again.getByLabel('Email').fill(cashier.email);
  await again.getByLabel('Name').fill(cashier.name);
  await again.getByLabel('First password').fill('another-first-pass');
  await again.getByRole('button', { name: 'Add to staff' }).click();
  await expect(again.getByRole('alert')).toHaveText(`Could not add ${cashier.name}. ${cashier.email} already has a Fee Master account and signs in with their own password. Leave the password empty to add them to your school.`);
  await again.getByLabel('First password').fill('');
  await again.getByRole('button', { name: 'Add to staff' }).click();
  await expect(again.getByRole('alert')).toContainText(`${cashier.email} already works for your school. Change their role in the staff list instead.`);
  await again.getByRole('button', { name: 'Cancel' }).click();
  await expect(again).toBeHidden();

  // The cashier becomes a bursar and back; the server keeps each change.
  const roleOfCashier = () => staffRow(page, cashier.email).getByRole('combobox', { name: `Role of ${cashier.name}` });
  await roleOfCashier().selectOption('bursar');
  await staffRow(page, cashier.email).getByRole('button', { name: `Save the role of ${cashier.name}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `${cashier.name} is now a bursar` })).toBeVisible();
  await openAdminSection(page, 'Desks');
  await openAdminSection(page, 'Staff');
  await expect(roleOfCashier()).toHaveValue('bursar');
  await roleOfCashier().selectOption('cashier');
  await staffRow(page, cashier.email).getByRole('button', { name: `Save the role of ${cashier.name}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `${cashier.name} is now a cashier` })).toBeVisible();
  await expect(roleOfCashier()).toHaveValue('cashier');

  // Desk D02 at the main office (preselected): a one-time approval code, receipt series MAIN-D02.
  await openAdminSection(page, 'Desks');
  await page.getByRole('button', { name: 'Register a desk' }).click();
  const register = page.getByRole('form', { name: 'Register a desk' });
  await expect(register.getByLabel('Office').locator('option:checked')).toHaveText('Main office (MAIN)');
  await register.getByLabel('Desk name').fill('Front office desk 2');
  await register.getByLabel('Desk code').fill('d-02');
  await register.getByRole('button', { name: 'Register desk' }).click();
  await expect(register.getByRole('alert')).toContainText('A desk code is 1 to 12 upper-case letters and digits, like D02');
  await register.getByLabel('Desk code').fill('d02');
  await expect(register.getByLabel('Desk code')).toHaveValue('D02');
  await register.getByRole('button', { name: 'Register desk' }).click();
  await expect(register).toBeHidden();

  const panel = page.getByRole('region', { name: 'Approval code for desk D02' });
  const code = panel.getByTestId('approval-code');
  await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await expect(panel).toContainText(/Type this code on the desk being set up: Sign-in screen → Enrol this desk\. It works once, until .+\./);
  await expect(panel).toContainText('Its receipt numbers start with MAIN-D02.');
  const firstCode = await code.textContent();
  const d02 = deskRow(page, 'D02');
  await expect(d02).toContainText('Front office desk 2');
  await expect(d02).toContainText('MAIN-D02');
  await expect(d02).toContainText(/Waiting for enrolment: its approval code works until/);

  // A new approval code replaces the first (for a desk set up too late, or reinstalled).
  await d02.getByRole('button', { name: 'New approval code for desk D02' }).click();
  await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await expect(code).not.toHaveText(firstCode ?? '');
  await panel.getByRole('button', { name: 'Done' }).click();
  await expect(panel).toBeHidden();

  // Another desk is registered, then revoked: a reason is required and the revocation confirmed.
  await page.getByRole('button', { name: 'Register a desk' }).click();
  await register.getByLabel('Desk name').fill('Old front desk');
  await register.getByLabel('Desk code').fill('OLD1');
  await register.getByRole('button', { name: 'Register desk' }).click();
  await expect(page.getByRole('region', { name: 'Approval code for desk OLD1' })).toBeVisible();
  const old = deskRow(page, 'OLD1');
  await old.getByRole('button', { name: 'Revoke desk OLD1' }).click();
  const revoke = page.getByRole('form', { name: 'Revoke desk OLD1' });
  await revoke.getByLabel('Reason').fill('no');
  await revoke.getByRole('button', { name: 'Revoke desk' }).click();
  await expect(revoke.getByRole('alert')).toContainText('at least 3 characters');
  await revoke.getByLabel('Reason').fill('Replaced by D02');
  await revoke.getByRole('button', { name: 'Revoke desk' }).click();
  await expect(revoke).toContainText('Revoke desk OLD1 for good?');
  await revoke.getByRole('button', { name: 'Yes, revoke desk OLD1' }).click();
  await expect(revoke).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Desk OLD1 is revoked' })).toBeVisible();
  // Its code stopped working with the revocation, so it is no longer shown.
  await expect(page.getByRole('region', { name: 'Approval code for desk OLD1' })).toBeHidden();
  await expect(old).toContainText('Revoked');
  await expect(old).toContainText('“Replaced by D02”');
  await expect(old.getByRole('button')).toHaveCount(0);
  // The server has it too.
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(old).toContainText('“Replaced by D02”');
  await expect(d02).toContainText('Waiting for enrolment');

  // The cashier's desk offers the till and the students register, and opens at the till; this
  // browser is not an enrolled desk, so it says why it cannot number receipts.
  const cashierContext = await browser.newContext();
  const cashierPage = await cashierContext.newPage();
  await signInAs(cashierPage, cashier.email, cashier.password);
  await expect(sectionButtons(cashierPage)).toHaveText(['Take payments', 'Students', 'Families']);
  await expect(cashierPage.getByRole('alert')).toContainText('This computer is not enrolled as a desk of the school');
  await sectionButtons(cashierPage).filter({ hasText: 'Students' }).click();
  await expect(cashierPage.getByRole('button', { name: 'Add student' })).toBeVisible();

  // The auditor looks at staff and desks without any control to change them.
  const auditorContext = await browser.newContext();
  const auditorPage = await auditorContext.newPage();
  await signInAs(auditorPage, auditor.email, auditor.password);
  await expect(sectionButtons(auditorPage)).toHaveText(['Students', 'Families', 'Audit trail', 'Desks', 'Staff']);
  await expect(auditorPage.getByRole('button', { name: 'Add student' })).toHaveCount(0);
  await openAdminSection(auditorPage, 'Staff');
  const staffTable = auditorPage.getByRole('table', { name: 'Staff' });
  await expect(staffRow(auditorPage, cashier.email)).toContainText('Cashier');
  await expect(staffTable.getByRole('button')).toHaveCount(0);
  await expect(staffTable.getByRole('combobox')).toHaveCount(0);
  await expect(auditorPage.getByRole('button', { name: 'Add a person' })).toHaveCount(0);
  await openAdminSection(auditorPage, 'Desks');
  await expect(deskRow(auditorPage, 'D02')).toContainText('MAIN-D02');
  await expect(deskRow(auditorPage, 'OLD1')).toContainText('“Replaced by D02”');
  await expect(auditorPage.getByRole('table', { name: 'Desks' }).getByRole('button')).toHaveCount(0);
  await expect(auditorPage.getByRole('button', { name: 'Register a desk' })).toHaveCount(0);

  // The owner sets a new password for the auditor: at least 10 characters.
  await openAdminSection(page, 'Staff');
  await staffRow(page, auditor.email).getByRole('button', { name: 'Reset password' }).click();
  const reset = page.getByRole('form', { name: `Reset the password of ${auditor.name}` });
  await reset.getByLabel('New password').fill('short');
  await reset.getByRole('button', { name: 'Set the new password' }).click();
  await expect(reset.getByRole('alert')).toContainText('A password has at least 10 characters');
  await reset.getByLabel('New password').fill('auditor-second-pass-2');
  await reset.getByRole('button', { name: 'Set the new password' }).click();
  await expect(reset).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `${auditor.name}’s password is changed and their sign-ins have ended.` })).toBeVisible();

  // The owner withdraws the cashier's access (after confirming), which ends the cashier's sign-in.
  await staffRow(page, cashier.email).getByRole('button', { name: 'Withdraw access' }).click();
  await page.getByRole('group', { name: `Withdraw the access of ${cashier.name}` }).getByRole('button', { name: 'Yes, withdraw access' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${cashier.name} no longer has access to the school` })).toBeVisible();
  await expect(staffRow(page, cashier.email)).toContainText('Access withdrawn');
  await expect(staffRow(page, cashier.email).getByRole('button', { name: 'Restore access' })).toBeVisible();

  // The cashier's desk learns it at its next sync: the student stays on the desk, the indicator says why.
  await addStudent(cashierPage, { admissionNumber: `AS-${run.toUpperCase()}`, firstName: 'Zawadi', lastName: 'Mutua' });
  await expect(syncIndicator(cashierPage)).toHaveAttribute('data-server', 'signed-out');
  await expect(syncIndicator(cashierPage)).toContainText('Signed out');
  await expect(syncIndicator(cashierPage)).toContainText("This sign-in was ended because the school withdrew this account's access.");

  // And a fresh sign-in is refused with the server's reason.
  const retryContext = await browser.newContext();
  const retryPage = await retryContext.newPage();
  await retryPage.goto('/');
  const signInForm = retryPage.getByRole('form', { name: 'Sign in' });
  await signInForm.getByLabel('Email').fill(cashier.email);
  await signInForm.getByLabel('Password').fill(cashier.password);
  await signInForm.getByRole('button', { name: 'Sign in' }).click();
  await expect(signInForm.getByRole('alert')).toContainText('no longer has access to any school');

  await Promise.all([cashierContext.close(), auditorContext.close(), retryContext.close()]);
});
