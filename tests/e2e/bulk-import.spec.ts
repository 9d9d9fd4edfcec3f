// A bursar brings the school's register in from a spreadsheet: the first file has mistakes, the
// preview names each one by row and column and nothing is written; the corrected file imports
// whole, and the students (with their families) reach a second desk. Then the intake moves class
// together, and deleting a billed student is refused with the archive alternative.
import { expect, test, type Page } from '@playwright/test';
import { LEDGER_SCHEMA_VERSION, newId, type ClassDoc, type FeeStructure, type InvoiceDoc, type PullResponse, type Student } from '@feemaster/core';
import { owner, push } from './cashier.ts';
import { openSection, signIn, studentRow, syncIndicator } from './desk.ts';

const CLASS = 'Grade 3 Baobab';

/** The register as the office typed it: a title, a blank row, then the header; `;`-separated like a European Excel. */
function register(rows: string[]): Buffer {
  return Buffer.from(['Riverside School — new intake 2026;;;;;', ';;;;;', 'Adm No;Surname;First name;DOB;Class;Parent phone;Parent name', ...rows].join('\r\n'), 'utf8');
}

async function chooseFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.getByLabel('Spreadsheet (.xlsx or .csv)').setInputFiles({ name, mimeType: 'text/csv', buffer: bytes });
}

test('a register with mistakes is refused row by row, the corrected one imports whole and reaches a second desk', async ({ browser, request }) => {
  const { headers, schoolId } = await owner(request);
  const now = new Date().toISOString();
  const baobab: ClassDoc = { id: newId(), schoolId, kind: 'class', name: CLASS, data: { code: 'G3B' }, createdAt: now, updatedAt: now };
  await push(request, headers, '/api/v1/sync/reference/1/push', [baobab]);

  const deskA = await (await browser.newContext()).newPage();
  await signIn(deskA);
  await deskA.getByRole('button', { name: 'Import from Excel or CSV' }).click();
  const panel = deskA.getByRole('region', { name: 'Import students' });

  await chooseFile(deskA, 'intake.csv', register([
    'IM-001;Mutua;Kioko;31/02/2015;Grade 3 Baobab;0712 100 200;Rose Mutua',
    'IM-002;Mutua;Wambui;2016-05-04;Grade 3 Baobob;0712100200;Rose Mutua',
    'IM-003;Chebet;Kiprop;12 Mar 2015;G3B;0722 300;Ann Chebet',
  ]));
  const problems = panel.getByTestId('import-error');
  await expect(problems).toHaveCount(3);
  await expect(problems.nth(0)).toContainText('4');
  await expect(problems.nth(0)).toContainText('D "DOB"');
  await expect(problems.nth(0)).toContainText('"31/02/2015" is not a real date: February 2015 has 28 days');
  await expect(problems.nth(1)).toContainText('E "Class"');
  await expect(problems.nth(1)).toContainText('There is no class "Grade 3 Baobob"');
  await expect(problems.nth(2)).toContainText('F "Parent phone"');
  await expect(problems.nth(2)).toContainText('"0722 300" is not a valid phone number');
  await expect(panel.getByRole('alert')).toContainText('3 problems in 3 rows. Nothing will be imported');
  await expect(panel.getByRole('button', { name: /^Import \d+ students$/ })).toHaveCount(0);
  await expect(studentRow(deskA, 'Kioko')).toHaveCount(0);

  // The bursar corrects the file and chooses it again.
  await chooseFile(deskA, 'intake-fixed.csv', register([
    'IM-001;Mutua;Kioko;28/02/2015;Grade 3 Baobab;0712 100 200;Rose Mutua',
    'IM-002;Mutua;Wambui;2016-05-04;Grade 3 Baobab;0712100200;Rose Mutua',
    'IM-003;Chebet;Kiprop;12 Mar 2015;G3B;0722 300 400;Ann Chebet',
  ]));
  await expect(panel.getByTestId('import-error')).toHaveCount(0);
  await expect(panel).toContainText('header in row 3: 3 new students, 0 changed, 0 unchanged, 2 new families');
  await panel.getByRole('button', { name: 'Import 3 students' }).click();
  await expect(panel.getByRole('status')).toContainText('Imported from intake-fixed.csv: 3 new students');
  await expect(studentRow(deskA, 'Mutua, Kioko')).toContainText('2015-02-28');
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0');

  // The same file again changes nothing.
  await chooseFile(deskA, 'intake-fixed.csv', register([
    'IM-001;Mutua;Kioko;28/02/2015;Grade 3 Baobab;0712 100 200;Rose Mutua',
    'IM-002;Mutua;Wambui;2016-05-04;Grade 3 Baobab;0712100200;Rose Mutua',
    'IM-003;Chebet;Kiprop;12 Mar 2015;G3B;0722 300 400;Ann Chebet',
  ]));
  await expect(panel.getByRole('button', { name: 'Nothing to import: the school has all of it' })).toBeDisabled();

  // A second desk has the students, and the cashier's search finds the family by phone.
  const deskB = await (await browser.newContext()).newPage();
  await signIn(deskB);
  await deskB.getByLabel('Search students').fill('IM-00');
  await expect(deskB.getByTestId('student-row')).toHaveCount(3);
  await expect(studentRow(deskB, 'Chebet, Kiprop')).toContainText('2015-03-12');

  // Year end comes early for this intake: the three move class together, previewed first.
  const upper: ClassDoc = { id: newId(), schoolId, kind: 'class', name: 'Grade 4 Baobab', data: { code: 'G4B' }, createdAt: now, updatedAt: now };
  await push(request, headers, '/api/v1/sync/reference/1/push', [upper]);
  await deskA.getByLabel('Search students').fill('IM-00');
  await deskA.getByLabel('Select all shown').check();
  const bulk = deskA.getByRole('region', { name: 'Change selected students' });
  await expect(bulk).toContainText('3 selected');
  await bulk.getByLabel('New value').selectOption({ label: 'Grade 4 Baobab' });
  await bulk.getByRole('button', { name: 'Preview' }).click();
  await expect(bulk.getByRole('status')).toContainText('3 students will change');
  await bulk.getByRole('button', { name: 'Apply to 3 students' }).click();
  await expect(studentRow(deskA, 'Mutua, Kioko')).toContainText('Grade 4 Baobab');
  await expect(studentRow(deskB, 'Chebet, Kiprop')).toContainText('Grade 4 Baobab');

  // Kiprop has been billed, so deleting him is refused with the way out; Kioko has nothing and goes.
  const pulled = await request.get('/api/v1/sync/students/1/pull?limit=1000', { headers });
  const kiprop = ((await pulled.json()) as PullResponse<Student>).documents.find((s) => s.admissionNumber === 'IM-003');
  if (!kiprop) throw new Error('IM-003 did not reach the server');
  const invoice: InvoiceDoc = {
    id: newId(), schoolId, currency: 'KES', createdAt: now, createdBy: newId(), type: 'invoice', studentId: kiprop.id, termId: newId(), classId: upper.id, feeStructureId: newId(), issuedOn: '2026-01-05',
    charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 500_000 }],
  };
  await push(request, headers, `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`, [invoice]);
  await deskA.getByLabel('Search students').fill('IM-00');
  await deskA.getByLabel('Select Kiprop Chebet').check();
  await deskA.getByLabel('Select Kioko Mutua').check();
  await expect(bulk).toContainText('2 selected');
  await expect(async () => {
    await bulk.getByRole('button', { name: 'Delete…' }).click();
    await expect(bulk.getByRole('status')).toContainText('Kiprop Chebet (IM-003) has 1 ledger entry (bills, payments…), which must keep their student. Archive the student instead: set the status to left or graduated.', { timeout: 1_000 });
  }).toPass();
  await bulk.getByRole('button', { name: 'Delete 1 student with no ledger entries' }).click();
  await expect(studentRow(deskA, 'Mutua, Kioko')).toHaveCount(0);
  await expect(studentRow(deskB, 'Mutua, Kioko')).toHaveCount(0);
  await expect(studentRow(deskA, 'Chebet, Kiprop')).toBeVisible();
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0');
});

test('fee structures and opening balances come in from files on the Setup screen', async ({ page, request }) => {
  const { headers, schoolId } = await owner(request);
  const tag = Date.now().toString(36).toUpperCase();
  const now = new Date().toISOString();
  const base = { schoolId, createdAt: now, updatedAt: now };
  const yearId = newId();
  const termId = newId();
  const mvule: ClassDoc = { ...base, id: newId(), kind: 'class', name: `Mvule ${tag}`, data: {} };
  await push(request, headers, '/api/v1/sync/reference/1/push', [
    { ...base, id: yearId, kind: 'academicYear', name: `Books ${tag}`, data: { startDate: '2032-01-01', endDate: '2032-12-31' } },
    { ...base, id: termId, kind: 'term', name: `Opening term ${tag}`, data: { academicYearId: yearId, startDate: '2032-01-05', endDate: '2032-04-02' } },
    mvule,
    { ...base, id: newId(), kind: 'feeCategory', name: `Lab ${tag}`, data: { code: `L${tag}`.slice(0, 12) } },
  ]);
  const students: Student[] = [1, 2].map((n) => ({ ...base, id: newId(), admissionNumber: `OB-${tag}-${String(n)}`, firstName: `Opening${String(n)}`, lastName: 'Kamau', classId: mvule.id, status: 'active' }));
  await push(request, headers, '/api/v1/sync/students/1/push', students);

  await signIn(page);
  await openSection(page, 'Setup');
  await page.getByRole('navigation', { name: 'Setup pages' }).getByRole('button', { name: 'Import from Excel' }).click();
  await page.getByRole('button', { name: 'Import fee structures' }).click();
  const fees = page.getByRole('region', { name: 'Import fee structures' });
  await fees.getByLabel('Spreadsheet (.xlsx or .csv)').setInputFiles({
    name: 'fees.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`Term,Class,Fee category,Amount,Due dates,Split\nOpening term ${tag},Mvule ${tag},Lab ${tag},"2,400.50","2032-01-31; 2032-03-01",50;50\n`),
  });
  await expect(fees).toContainText('1 new fee structure, 0 changed, 0 unchanged, 1 fee line');
  await fees.getByRole('button', { name: 'Import 1 fee structures' }).click();
  await expect(fees.getByRole('status')).toContainText('Imported from fees.csv');

  await page.getByRole('button', { name: 'Import opening balances' }).click();
  const balances = page.getByRole('region', { name: 'Import opening balances' });
  await balances.getByLabel('Booked in term').selectOption({ label: `Opening term ${tag}` });
  await balances.getByLabel('The old books closed on').fill('2031-12-31');
  await balances.getByLabel('Spreadsheet (.xlsx or .csv)').setInputFiles({ name: 'balances.csv', mimeType: 'text/csv', buffer: Buffer.from(`Adm No;Balance b/f\nOB-${tag}-1;"1 250,00"\nOB-${tag}-2;-300\n`) });
  // A decimal comma is refused, never read as 125,000.00; a credit cannot be brought forward.
  await expect(balances.getByTestId('import-error')).toHaveText([
    /^2B "Balance b\/f""1 250,00" has a separator that does not group thousands \(a decimal comma\?\)Write the amount with a point for decimals/,
    /3.*B "Balance b\/f".*is a credit, which cannot be brought forward/,
  ]);
  await balances.getByLabel('Spreadsheet (.xlsx or .csv)').setInputFiles({ name: 'balances.csv', mimeType: 'text/csv', buffer: Buffer.from(`Adm No;Balance b/f\nOB-${tag}-1;1250\nOB-${tag}-2;0\n`) });
  await expect(balances).toContainText('1 balance to bring forward (KES 1,250.00 in all), 1 unchanged or nothing owed');
  await balances.getByRole('button', { name: 'Import 1 balances' }).click();
  await expect(balances.getByRole('status')).toContainText('Imported from balances.csv');
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');

  const structures = await request.get('/api/v1/sync/feeStructures/0/pull?limit=1000', { headers });
  const imported = ((await structures.json()) as PullResponse<FeeStructure>).documents.filter((s) => s.termId === termId);
  expect(imported.map((s) => [s.classId, s.lines.map((l) => l.amount), s.instalments.map((i) => [i.dueDate, i.weight])])).toEqual([[mvule.id, [240_050], [['2032-01-31', 50], ['2032-03-01', 50]]]]);
  const exported = await request.get(`/api/v1/bulk/export-invoices?format=json&termId=${termId}`, { headers });
  expect(exported.status(), await exported.text()).toBe(200);
  expect(JSON.stringify(await exported.json())).toContain(`OB-${tag}-1`);
});

test('Cancel during the write of a large register takes all of it back, on the desk and the server', async ({ page, request }) => {
  test.setTimeout(180_000);
  const { headers, schoolId } = await owner(request);
  const tag = Date.now().toString(36).toUpperCase();
  const now = new Date().toISOString();
  const className = `Cedar ${tag}`;
  await push(request, headers, '/api/v1/sync/reference/1/push', [{ id: newId(), schoolId, kind: 'class', name: className, data: {}, createdAt: now, updatedAt: now } satisfies ClassDoc]);
  // 12,000 students in 6,000 families: written in five batches over several seconds, so the
  // Cancel clicked as soon as the write starts lands in the first batch.
  const rows = Array.from({ length: 12_000 }, (_, i) => {
    const family = Math.floor(i / 2);
    return `CX${tag}-${String(i).padStart(5, '0')};Family${String(family)};Child${String(i)};;${className};07${String(20_000_000 + family)};Parent ${String(family)}`;
  });
  const file = register(rows);

  await signIn(page);
  await page.getByRole('button', { name: 'Import from Excel or CSV' }).click();
  const panel = page.getByRole('region', { name: 'Import students' });
  await chooseFile(page, 'big-intake.csv', file);
  await expect(panel).toContainText('12000 new students', { timeout: 60_000 });
  await panel.getByRole('button', { name: 'Import 12000 students' }).click();
  const progress = panel.getByRole('status').filter({ has: page.getByLabel('Import progress') });
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByRole('status')).toHaveText('The import was cancelled: nothing of it was kept on this desk or sent to the server.', { timeout: 60_000 });
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');
  await page.getByLabel('Search students').fill(`CX${tag}`);
  await expect(page.getByTestId('student-row')).toHaveCount(0);

  // Checked again, the file is all new: nothing of it stayed in the replica.
  await panel.getByRole('button', { name: 'Check again' }).click();
  await expect(panel).toContainText('12000 new students, 0 changed, 0 unchanged, 6000 new families', { timeout: 60_000 });

  // Uploads go on after a cancel (a small file reaches the server), and none of the cancelled one went.
  await chooseFile(page, 'small-intake.csv', register([`CY${tag}-1;Baraka;Neema;;${className};0733 400 500;Joy Baraka`]));
  await panel.getByRole('button', { name: 'Import 1 students' }).click();
  await expect(panel.getByRole('status')).toContainText('Imported from small-intake.csv: 1 new student');
  await expect(syncIndicator(page)).toHaveAttribute('data-pending', '0');
  const admissions: string[] = [];
  for (let checkpoint = ''; ; ) {
    const res = await request.get(`/api/v1/sync/students/1/pull?checkpoint=${checkpoint}&limit=1000`, { headers });
    const body = (await res.json()) as PullResponse<Student>;
    if (body.documents.length === 0 || !body.checkpoint) break;
    admissions.push(...body.documents.map((s) => s.admissionNumber));
    checkpoint = String(body.checkpoint.seq);
  }
  expect(admissions).toContain(`CY${tag}-1`);
  expect(admissions.filter((a) => a.startsWith(`CX${tag}`))).toEqual([]);
});

test('a column the desk does not recognise is chosen by hand, and the file is checked with it', async ({ page }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Import from Excel or CSV' }).click();
  const panel = page.getByRole('region', { name: 'Import students' });
  const tag = Date.now().toString(36).toUpperCase();
  await chooseFile(page, 'names.csv', Buffer.from(['Adm No,Student name,Surname', `MC${tag}-1,Halima,Wanjiku`].join('\r\n'), 'utf8'));
  await expect(panel.getByRole('alert')).toContainText('The file has no "First name" column (header found in row 1: "Adm No", "Student name", "Surname").');
  await expect(panel.getByLabel('Column for Admission number')).toHaveValue('0');
  await expect(panel.getByLabel('Column for Last name')).toHaveValue('2');
  await panel.getByLabel('Column for First name').selectOption({ label: 'B "Student name"' });
  await expect(panel).toContainText('header in row 1: 1 new student, 0 changed, 0 unchanged');
  await expect(panel.getByTestId('import-error')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Import 1 students' })).toBeEnabled();
  await expect(panel.getByLabel('Column for First name')).toHaveValue('1');
});
