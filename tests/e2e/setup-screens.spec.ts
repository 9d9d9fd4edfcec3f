// The bursar's Setup section on the desk: school settings, a year with two terms (an overlapping
// term refused with the reason), classes, a fee category, a fee structure with two instalments
// previewed to the cent, a sibling discount and a late-fee rule, then the year-end promotion.
// A second desk sees the new classes and the promoted students arrive.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, newId, type InvoiceDoc, type PullResponse, type ReferenceDoc, type Student } from '@feemaster/core';
import { owner, push } from './cashier.ts';
import { signIn, signInAs, syncIndicator } from './desk.ts';

// The shared e2e school keeps every spec's data: names and codes carry this run's tag.
const tag = Date.now().toString(36).toUpperCase();
// A year nobody else uses, so this run's year overlaps no other.
const year = String(2200 + (Math.floor(Date.now() / 1000) % 700));

async function openSetup(page: Page, setupPage: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button', { name: 'Setup', exact: true }).click();
  await page.getByRole('navigation', { name: 'Setup pages' }).getByRole('button', { name: setupPage, exact: true }).click();
  await expect(page.getByRole('heading', { name: setupPage, exact: true })).toBeVisible();
}

async function synced(page: Page): Promise<void> {
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');
}

/** Every document of a collection on the server (the shared school holds other specs' too). */
async function pulled<T>(request: Parameters<typeof owner>[0], headers: Record<string, string>, collection: string): Promise<T[]> {
  const documents: T[] = [];
  let checkpoint = '';
  for (;;) {
    const res = await request.get(`/api/v1/sync/${collection}/pull?limit=1000&checkpoint=${checkpoint}`, { headers });
    expect(res.status()).toBe(200);
    const page = (await res.json()) as PullResponse<T>;
    documents.push(...page.documents);
    if (page.checkpoint === null || (page.documents.length === 0 && page.hasMore !== true)) return documents;
    checkpoint = String(page.checkpoint.seq);
  }
}

const row = (scope: Page | Locator, testId: string, name: string) => scope.locator(`[data-testid="${testId}"][data-name="${name}"]`);

test('a school is set up on the desk and its classes promoted at year end; a second desk sees it all', async ({ page, browser, request }) => {
  test.setTimeout(150_000);
  const { headers, schoolId } = await owner(request);
  const now = new Date().toISOString();
  // Some ledger entry exists, so the currency is fixed.
  const billed: Student = { id: newId(), schoolId, admissionNumber: `SU-${tag}-0`, firstName: 'Baraka', lastName: 'Setup', status: 'active', createdAt: now, updatedAt: now };
  const invoice: InvoiceDoc = {
    id: newId(), schoolId, currency: 'KES', createdAt: now, createdBy: newId(), type: 'invoice', studentId: billed.id, termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-05',
    charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 100_000 }],
  };
  await push(request, headers, '/api/v1/sync/students/1/push', [billed]);
  await push(request, headers, `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`, [invoice]);

  // The second desk is open all along: what the first one sets up reaches it live.
  const deskB = await (await browser.newContext()).newPage();
  await signIn(deskB);
  await signIn(page);

  // School settings: the currency is read only now that bills exist; a time zone must be real.
  await openSetup(page, 'School settings');
  const settings = page.getByRole('form', { name: 'School settings' });
  await expect(settings.getByLabel('Currency')).toHaveValue('KES');
  await expect(settings.getByLabel('Currency')).toHaveAttribute('readonly', '');
  await expect(settings).toContainText('The currency can no longer change: this desk holds');
  await expect(settings).toContainText('every amount is stored as a whole number of KES minor units (cents)');
  await settings.getByLabel('Time zone').fill('Mars/Olympus');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByText('“Mars/Olympus” is not a time zone this computer knows')).toBeVisible();
  await expect(settings.getByLabel('Time zone')).toHaveAttribute('aria-invalid', 'true');
  await settings.getByLabel('Time zone').fill('Africa/Nairobi');
  await settings.getByLabel('Receipt footer').fill(`Paybill 400200, account ${tag}`);
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await expect(page.getByRole('form', { name: 'School settings' }).getByLabel('Receipt footer')).toHaveValue(`Paybill 400200, account ${tag}`);

  // The year and its terms; a term overlapping another is refused with the reason.
  await openSetup(page, 'Years and terms');
  const yearName = `${year} ${tag}`;
  await page.getByRole('button', { name: 'Add academic year' }).click();
  const yearForm = page.getByRole('form', { name: 'Add academic year' });
  await yearForm.getByLabel('Year name').fill(yearName);
  await yearForm.getByLabel('First day').fill(`${year}-01-01`);
  await yearForm.getByLabel('Last day').fill(`${year}-12-31`);
  await yearForm.getByRole('button', { name: 'Save year' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Academic year ${yearName} is saved.` })).toBeVisible();

  const addTerm = async (name: string, first: string, last: string): Promise<Locator> => {
    await page.getByRole('button', { name: `Add a term to ${yearName}` }).click();
    const form = page.getByRole('form', { name: 'Add term' });
    await form.getByLabel('Term name').fill(name);
    await form.getByLabel('First day').fill(first);
    await form.getByLabel('Last day').fill(last);
    await form.getByRole('button', { name: 'Save term' }).click();
    return form;
  };
  await expect(await addTerm('Term 1', `${year}-01-06`, `${year}-04-04`)).toBeHidden();
  const overlapping = await addTerm('Term 2', `${year}-04-01`, `${year}-08-01`);
  await expect(overlapping.getByText(`The term overlaps Term 1 (${year}-01-06 to ${year}-04-04): terms of a year cannot share a day`)).toContainText(`Move it: start it on ${year}-04-05 or later.`);
  await expect(overlapping.getByLabel('First day')).toHaveAttribute('aria-invalid', 'true');
  await overlapping.getByLabel('First day').fill(`${year}-05-05`);
  await overlapping.getByRole('button', { name: 'Save term' }).click();
  await expect(overlapping).toBeHidden();
  const terms = page.getByRole('table', { name: `Terms of ${yearName}` }).getByTestId('term-row');
  await expect(terms).toHaveCount(2);
  await expect(terms.nth(1).getByRole('cell')).toHaveText(['Term 2', `${year}-05-05`, `${year}-08-01`, /Edit/]);

  // Classes with levels, and a fee category.
  await openSetup(page, 'Classes and categories');
  const classes = page.getByRole('region', { name: 'Classes' });
  const grade4 = `Grade 4 ${tag}`;
  const grade5 = `Grade 5 ${tag}`;
  for (const [name, code, level] of [[grade4, `G4${tag}`, '4'], [grade5, `g5${tag.toLowerCase()}`, '5']] as const) {
    await classes.getByRole('button', { name: 'Add class' }).click();
    const form = classes.getByRole('form', { name: 'Add class' });
    await form.getByLabel('Class name').fill(name);
    await form.getByLabel('Code (optional)').fill(code);
    await form.getByLabel('Level (optional)').fill(level);
    await form.getByRole('button', { name: 'Save class' }).click();
    await expect(form).toBeHidden();
  }
  await expect(row(classes, 'class-row', grade5)).toContainText(`G5${tag}`);
  // A code already in use is refused beside the field.
  await classes.getByRole('button', { name: 'Add class' }).click();
  const twin = classes.getByRole('form', { name: 'Add class' });
  await twin.getByLabel('Class name').fill(`Grade 4 West ${tag}`);
  await twin.getByLabel('Code (optional)').fill(`G4${tag}`);
  await twin.getByRole('button', { name: 'Save class' }).click();
  await expect(twin.getByText(`Code G4${tag} is already used by ${grade4}: choose another code.`)).toBeVisible();
  await twin.getByRole('button', { name: 'Cancel' }).click();

  const tuition = `Tuition ${tag}`;
  const feeCategories = page.getByRole('region', { name: 'Fee categories' });
  await feeCategories.getByRole('button', { name: 'Add fee category' }).click();
  const categoryForm = feeCategories.getByRole('form', { name: 'Add fee category' });
  await categoryForm.getByLabel('Fee category name').fill(tuition);
  await categoryForm.getByLabel('Code', { exact: true }).fill(`T${tag}`);
  await categoryForm.getByRole('button', { name: 'Save fee category' }).click();
  await expect(row(feeCategories, 'feeCategory-row', tuition)).toBeVisible();

  // A fee structure with two instalments, 60/40: the preview splits to the cent as invoices will.
  await openSetup(page, 'Fee structures');
  await page.getByRole('button', { name: 'Add fee structure' }).click();
  const structure = page.getByRole('form', { name: 'Add fee structure' });
  const structureName = `${grade4} — Term 1`;
  await structure.getByLabel('Structure name').fill(structureName);
  await structure.getByLabel('Term', { exact: true }).selectOption({ label: `Term 1, ${yearName}` });
  await structure.getByLabel('Class', { exact: true }).selectOption({ label: grade4 });
  await structure.getByLabel('Fee category, line 1').selectOption({ label: tuition });
  await expect(structure.getByLabel('Description, line 1')).toHaveValue(tuition);
  await structure.getByLabel('Amount, line 1').fill('15,000.51');
  await structure.getByLabel('Label, instalment 1').fill('First instalment');
  await structure.getByLabel('Due date, instalment 1').fill(`${year}-01-20`);
  await structure.getByLabel('Weight, instalment 1').fill('60');
  await structure.getByRole('button', { name: 'Add an instalment' }).click();
  await structure.getByLabel('Label, instalment 2').fill('Second instalment');
  await structure.getByLabel('Due date, instalment 2').fill(`${year}-03-01`);
  await structure.getByLabel('Weight, instalment 2').fill('40');
  // 1,500,051 cents at 60/40 is 900,030.6 and 600,020.4: the odd cent goes to the larger remainder.
  await expect(structure.getByTestId('instalment-amount')).toHaveText(['KES 9,000.31', 'KES 6,000.20']);
  await expect(structure.getByTestId('structure-total')).toHaveText('KES 15,000.51');
  // An amount with too many decimals is explained beside it, and nothing is saved.
  await structure.getByLabel('Amount, line 1').fill('15,000.511');
  await structure.getByRole('button', { name: 'Save fee structure' }).click();
  await expect(structure.getByText("KES amounts have at most 2 decimal places: '15,000.511' has 3")).toBeVisible();
  await structure.getByLabel('Amount, line 1').fill('15,000.51');
  await structure.getByRole('button', { name: 'Save fee structure' }).click();
  await expect(structure).toBeHidden();
  await expect(row(page, 'structure-row', structureName)).toContainText('KES 15,000.51');

  // A sibling discount on tuition and a fixed monthly late fee with a cap.
  await openSetup(page, 'Discounts and late fees');
  const discounts = page.getByRole('region', { name: 'Discount rules' });
  await discounts.getByRole('button', { name: 'Add discount rule' }).click();
  const discount = discounts.getByRole('form', { name: 'Add discount rule' });
  await discount.getByLabel('Rule name').fill(`Siblings ${tag}`);
  await expect(discount.getByLabel('Kind of discount')).toHaveValue('sibling');
  await discount.getByLabel('From child').fill('2');
  await discount.getByLabel('Discount (%)').fill('12.5');
  await discount.getByLabel(tuition).check();
  await discount.getByRole('button', { name: 'Save discount rule' }).click();
  await expect(row(discounts, 'discountRule-row', `Siblings ${tag}`)).toContainText(`12.5 % off for the 2nd child of a family and later, on ${tuition}`);

  const lateFees = page.getByRole('region', { name: 'Late-fee rules' });
  await lateFees.getByRole('button', { name: 'Add late-fee rule' }).click();
  const lateFee = lateFees.getByRole('form', { name: 'Add late-fee rule' });
  await lateFee.getByLabel('Rule name').fill(`Late ${tag}`);
  await lateFee.getByLabel('Grace days').fill('7');
  await lateFee.getByLabel('Fine every (days)').fill('30');
  await lateFee.getByLabel('Fine amount (KES)').fill('500');
  await lateFee.getByRole('button', { name: 'Save late-fee rule' }).click();
  await expect(lateFee.getByText('Enter the cap: the most one overdue charge is ever fined in total under this rule.')).toBeVisible();
  await lateFee.getByLabel('Cap per charge (KES)').fill('1,500');
  await lateFee.getByRole('button', { name: 'Save late-fee rule' }).click();
  await expect(row(lateFees, 'lateFeeRule-row', `Late ${tag}`)).toContainText('After 7 days of grace, KES 500.00 every 30 days, at most KES 1,500.00 per charge, on every fee');

  // Everything reached the server, as it was typed.
  await synced(page);
  const reference = await pulled<ReferenceDoc>(request, headers, 'reference/1');
  const classId = (name: string): string => {
    const found = reference.find((d) => d.kind === 'class' && d.name === name);
    if (!found) throw new Error(`class ${name} did not reach the server`);
    return found.id;
  };
  expect(reference.find((d) => d.kind === 'discountRule' && d.name === `Siblings ${tag}`)?.data).toMatchObject({ type: 'sibling', fromChild: 2, basisPoints: 1250 });
  expect(reference.find((d) => d.kind === 'lateFeeRule' && d.name === `Late ${tag}`)?.data).toMatchObject({ graceDays: 7, periodDays: 30, value: { mode: 'fixed', amount: 50_000 }, cap: 150_000 });
  const structures = await pulled<{ name: string; lines: { amount: number }[]; instalments: { weight: number }[] }>(request, headers, 'feeStructures/0');
  expect(structures.find((s) => s.name === structureName)).toMatchObject({ lines: [{ amount: 1_500_051 }], instalments: [{ weight: 60 }, { weight: 40 }] });

  // Year end: Grade 4 moves up to Grade 5 and Grade 5 leaves; who left already stays as they are.
  const student = (n: number, klass: string, status: Student['status'] = 'active'): Student => ({
    id: newId(), schoolId, admissionNumber: `SU-${tag}-${String(n)}`, firstName: `Pupil${String(n)}`, lastName: tag, status, classId: classId(klass), createdAt: now, updatedAt: now,
  });
  const pupils = [student(1, grade4), student(2, grade4), student(3, grade4, 'left'), student(4, grade5)];
  await push(request, headers, '/api/v1/sync/students/1/push', pupils);

  await openSetup(page, 'Year-end promotion');
  await expect(row(page, 'promotion-row', grade4).getByTestId('promotion-count')).toHaveText('2');
  await expect(row(page, 'promotion-row', grade5).getByTestId('promotion-count')).toHaveText('1');
  await page.getByLabel(`Where ${grade4} moves`).selectOption({ label: grade5 });
  await page.getByLabel(`Where ${grade5} moves`).selectOption({ label: 'Leaves school (graduated)' });
  const preview = page.getByRole('region', { name: 'Promotion preview' });
  await expect(preview.getByTestId('promotion-move')).toHaveText([`${grade4} → ${grade5}: 2 students`, `${grade5} → leaves school (graduated): 1 student`]);
  await expect(preview.getByRole('status')).toHaveText('3 students will change.');
  await preview.getByRole('button', { name: 'Promote 3 students…' }).click();
  await preview.getByRole('button', { name: 'Yes, promote 3 students' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Promoted 3 students' })).toContainText(`2 students from ${grade4} to ${grade5}; 1 student from ${grade5} left school.`);
  await expect(row(page, 'promotion-row', grade4).getByTestId('promotion-count')).toHaveText('0');
  await expect(row(page, 'promotion-row', grade5).getByTestId('promotion-count')).toHaveText('2');

  await synced(page);
  const after = new Map((await pulled<Student>(request, headers, 'students/1')).map((s) => [s.admissionNumber, s]));
  expect([1, 2, 3, 4].map((n) => after.get(`SU-${tag}-${String(n)}`)).map((s) => [s?.classId, s?.status])).toEqual([
    [classId(grade5), 'active'],
    [classId(grade5), 'active'],
    [classId(grade4), 'left'],
    [classId(grade5), 'graduated'],
  ]);

  // The second desk has the new classes, with the promoted students in them.
  await openSetup(deskB, 'Classes and categories');
  const classesB = deskB.getByRole('region', { name: 'Classes' });
  await expect(row(classesB, 'class-row', grade4).getByTestId('class-students')).toHaveText('0');
  await expect(row(classesB, 'class-row', grade5).getByTestId('class-students')).toHaveText('2');
  await expect(row(classesB, 'class-row', grade5)).toContainText(`G5${tag}`);

  // Archiving hides a class unless "Show archived" is ticked; nothing is deleted.
  await openSetup(page, 'Classes and categories');
  await row(classes, 'class-row', grade4).getByRole('button', { name: `Archive ${grade4}` }).click();
  await expect(row(classes, 'class-row', grade4)).toBeHidden();
  await expect(row(classesB, 'class-row', grade4)).toBeHidden();
  await classesB.getByLabel(/Show archived/).check();
  await expect(row(classesB, 'class-row', grade4)).toContainText('archived');
});

test('a bursar sets up fees but only reads the school settings', async ({ page, request }) => {
  const { headers } = await owner(request);
  const bursar = { email: `bursar-${tag.toLowerCase()}@riverside.example`, password: 'bursar-setup-pass-1', displayName: 'Wanjiku Bursar', role: 'bursar' };
  expect((await request.post('/api/v1/users', { headers, data: bursar })).status()).toBe(201);
  await signInAs(page, bursar.email, bursar.password);
  await expect(page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button')).toHaveText(['Take payments', 'Students', 'Families', 'Term invoices', 'Setup']);

  await page.getByRole('navigation', { name: 'Desk sections' }).getByRole('button', { name: 'Setup', exact: true }).click();
  // A bursar's Setup opens at the calendar, which is theirs to change.
  await expect(page.getByRole('heading', { name: 'Years and terms', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add academic year' })).toBeVisible();

  await openSetup(page, 'School settings');
  const settings = page.getByRole('form', { name: 'School settings' });
  await expect(settings).toContainText('Read only. A bursar cannot change school settings; ask someone with one of these roles: owner, admin.');
  await expect(settings.getByLabel('Time zone')).toBeDisabled();
  await expect(settings.getByLabel('School logo')).toBeDisabled();
  await expect(settings.getByRole('button', { name: 'Save settings' })).toHaveCount(0);
});
