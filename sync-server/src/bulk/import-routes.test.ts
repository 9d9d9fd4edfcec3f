// POST /api/v1/bulk/import-students with messy files: a dry run writes nothing, a good file is
// written whole (students and families, audited, on the sync feed), the same file again changes
// nothing, and a file with any bad row writes nothing and names every problem by spreadsheet row.
import { describe, expect, it } from 'vitest';
import { newId, type ClassDoc, type ErrorBody, type FeeStructure, type ImportResult, type InvoiceDoc, type Payer, type Student } from '@feemaster/core';
import { signInAs, startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';
import { schoolDocuments } from './school-documents.ts';
import { auditLog } from '../db/schema.ts';

const suite = serverPerTest((database) => startTestServer(database));
const IMPORT = '/api/v1/bulk/import-students';

async function upload(token: string, bytes: Uint8Array | string, fileName: string, query = '') {
  const form = new FormData();
  form.append('file', new Blob([typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes.slice()]), fileName);
  const body = new Response(form);
  return suite.server.app.inject({
    method: 'POST',
    url: `${IMPORT}${query}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': body.headers.get('content-type') ?? '' },
    payload: Buffer.from(await body.arrayBuffer()),
  });
}

/** Two classes set up the way a bursar does, through a sync push. */
async function setUpClasses(): Promise<ClassDoc[]> {
  const now = new Date().toISOString();
  const classes: ClassDoc[] = [
    { id: newId(), schoolId: suite.server.schoolId, kind: 'class', name: 'Grade 4 East', data: { code: 'G4E' }, createdAt: now, updatedAt: now },
    { id: newId(), schoolId: suite.server.schoolId, kind: 'class', name: 'Grade 5 West', data: { code: 'G5W' }, createdAt: now, updatedAt: now },
  ];
  const res = await suite.server.app.inject({
    method: 'POST',
    url: '/api/v1/sync/reference/1/push',
    headers: { authorization: `Bearer ${suite.server.token}` },
    payload: classes.map((doc) => ({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } })),
  });
  expect(res.statusCode, res.body).toBe(200);
  return classes;
}

const students = () => schoolDocuments<Student>(suite.database.db, suite.server.schoolId, 'students');
const payers = () => schoolDocuments<Payer>(suite.database.db, suite.server.schoolId, 'payers');

/** A register typed by hand: a title row, a blank row, headers in the school's words, `;` separated. */
const messyCsv = [
  'St Mary’s School — Register 2026;;;;;;',
  ';;;;;;',
  'Adm No ;Surname;First Name;DOB;Class;Parent Name;Parent Phone',
  '0042;Otieno;Amani;31/03/2015;Grade 4 East;Mary Otieno;0712 345 678',
  '0043;Otieno;Baraka;2016-07-04;g4e;Mary Otieno;+254 712-345-678',
  '0044 ;Wanjiru ;Grace;4 Jan 2014;Grade 5 West;Peter Kamau;722000111',
  '0044;Wanjiru;Grace;4 Jan 2014;Grade 5 West;Peter Kamau;722000111',
].join('\r\n');

describe('importing students from a spreadsheet', () => {
  it('checks a messy file without writing on a dry run, then writes it whole; the same file again changes nothing', async () => {
    await setUpClasses();
    const dry = await upload(suite.server.token, messyCsv, 'register.csv', '?dryRun=true');
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json<ImportResult>()).toMatchObject({
      dryRun: true,
      written: false,
      headerRow: 3,
      columns: { admissionNumber: 'A "Adm No"', lastName: 'B "Surname"', firstName: 'C "First Name"', dateOfBirth: 'D "DOB"', class: 'E "Class"', guardianName: 'F "Parent Name"', guardianPhone: 'G "Parent Phone"' },
      summary: { create: 3, update: 0, unchanged: 0, duplicate: 1, payersCreated: 2, payersUpdated: 0 },
      errors: [],
    });
    expect(await students()).toEqual([]);

    const real = await upload(suite.server.token, messyCsv, 'register.csv');
    expect(real.statusCode, real.body).toBe(200);
    expect(real.json<ImportResult>()).toMatchObject({ dryRun: false, written: true });
    const stored = (await students()).sort((a, b) => a.admissionNumber.localeCompare(b.admissionNumber));
    expect(stored.map((s) => [s.admissionNumber, s.firstName, s.lastName, s.dateOfBirth, s.status])).toEqual([
      ['0042', 'Amani', 'Otieno', '2015-03-31', 'active'],
      ['0043', 'Baraka', 'Otieno', '2016-07-04', 'active'],
      ['0044', 'Grace', 'Wanjiru', '2014-01-04', 'active'],
    ]);
    const families = (await payers()).sort((a, b) => a.name.localeCompare(b.name));
    expect(families.map((p) => [p.name, p.contacts.map((c) => c.value), p.students.length])).toEqual([
      ['Mary Otieno', ['+254712345678'], 2],
      ['Peter Kamau', ['+254722000111'], 1],
    ]);
    const auditedBefore = (await suite.database.db.select().from(auditLog)).length;

    const again = await upload(suite.server.token, messyCsv, 'register.csv');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<ImportResult>().summary).toEqual({ create: 0, update: 0, unchanged: 3, duplicate: 1, payersCreated: 0, payersUpdated: 0 });
    expect((await suite.database.db.select().from(auditLog)).length).toBe(auditedBefore);
  });

  it('writes nothing when any row is bad, and names every problem by its spreadsheet row and column', async () => {
    await setUpClasses();
    const csv = [
      'Admission number,First name,Last name,Date of birth,Class,Guardian phone,Guardian name',
      'A-1,Amani,Otieno,31/02/2015,Grade 4 East,0712345678,Mary Otieno',
      'A 2,Baraka,,2016-07-04,Grade 9,0712345678,Mary Otieno',
      'A-3,Grace,Wanjiru,2014-01-04,Grade 5 West,12,Peter Kamau',
      'A-1,Amina,Hassan,2015-01-01,Grade 4 East,0733000000,Fatuma Hassan',
    ].join('\n');
    const res = await upload(suite.server.token, csv, 'students.csv');
    expect(res.statusCode, res.body).toBe(422);
    const result = res.json<ImportResult>();
    expect(result.written).toBe(false);
    expect(result.errors.map((e) => [e.row, e.column])).toEqual([
      [2, 'D "Date of birth"'],
      [3, 'A "Admission number"'],
      [3, 'C "Last name"'],
      [3, 'E "Class"'],
      [4, 'F "Guardian phone"'],
      [5, 'A "Admission number"'],
    ]);
    expect(result.errors[3]).toEqual({ row: 3, column: 'E "Class"', problem: 'There is no class "Grade 9"', fix: 'Write one of the class names or codes set up for the school, or add "Grade 9" under Setup first' });
    expect(result.errors[5]?.problem).toBe('Admission number A-1 is also in row 2, with different details');
    expect(await students()).toEqual([]);
    expect(await payers()).toEqual([]);
  });

  it('updates the students a file changes, by admission number, and leaves blank cells alone', async () => {
    const [g4, g5] = await setUpClasses();
    expect((await upload(suite.server.token, 'Admission number,First name,Last name,Class,Date of birth\n0042,Amani,Otieno,G4E,2015-03-31\n', 'a.csv')).statusCode).toBe(200);
    // Excel dropped the leading zeros of the number; the date column is blank this time.
    const res = await upload(suite.server.token, 'Admission number,First name,Last name,Class,Date of birth\n42,Amani,Otieno,G5W,\n', 'b.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<ImportResult>().summary).toMatchObject({ create: 0, update: 1 });
    const [student] = await students();
    expect(student).toMatchObject({ admissionNumber: '0042', classId: g5?.id, dateOfBirth: '2015-03-31' });
    expect(student?.classId).not.toBe(g4?.id);
  });

  it('refuses a cashier, a file that is not a spreadsheet, and a request without a file', async () => {
    const cashier = await signInAs(suite.server, suite.database, 'cashier');
    const refused = await upload(cashier, 'Admission number,First name,Last name\nA-1,Amani,Otieno\n', 'a.csv');
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ErrorBody>().message).toContain('cannot import students');

    const xls = await upload(suite.server.token, new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 'old.xls');
    expect(xls.statusCode).toBe(422);
    expect(xls.json<ErrorBody>().message).toMatch(/xlsx/i);

    const none = await suite.server.app.inject({ method: 'POST', url: IMPORT, headers: { authorization: `Bearer ${suite.server.token}`, 'content-type': 'application/json' }, payload: {} });
    expect(none.statusCode).toBe(400);
    expect(none.json<ErrorBody>().message).toContain('multipart');
    expect(await students()).toEqual([]);
  });
});

describe('importing fee structures', () => {
  const FEES = '/api/v1/bulk/import-fees';

  async function uploadFees(token: string, csv: string, query = '') {
    const form = new FormData();
    form.append('file', new Blob([new TextEncoder().encode(csv)]), 'fees.csv');
    const body = new Response(form);
    return suite.server.app.inject({ method: 'POST', url: `${FEES}${query}`, headers: { authorization: `Bearer ${token}`, 'content-type': body.headers.get('content-type') ?? '' }, payload: Buffer.from(await body.arrayBuffer()) });
  }

  async function setUpTermAndFees(): Promise<void> {
    await setUpClasses();
    const now = new Date().toISOString();
    const schoolId = suite.server.schoolId;
    const year = { id: newId(), schoolId, kind: 'academicYear', name: '2026', data: { startDate: '2026-01-01', endDate: '2026-12-31' }, createdAt: now, updatedAt: now };
    const docs = [
      year,
      { id: newId(), schoolId, kind: 'term', name: 'Term 1 2026', data: { academicYearId: year.id, startDate: '2026-01-05', endDate: '2026-04-03' }, createdAt: now, updatedAt: now },
      { id: newId(), schoolId, kind: 'feeCategory', name: 'Tuition', data: { code: 'TUI' }, createdAt: now, updatedAt: now },
      { id: newId(), schoolId, kind: 'feeCategory', name: 'Transport', data: { code: 'TRN' }, createdAt: now, updatedAt: now },
    ];
    const res = await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/reference/1/push', headers: { authorization: `Bearer ${suite.server.token}` }, payload: docs.map((doc) => ({ newDocumentState: { ...doc, _deleted: false } })) });
    expect(res.statusCode, res.body).toBe(200);
  }

  const structures = () => schoolDocuments<FeeStructure>(suite.database.db, suite.server.schoolId, 'feeStructures');
  const csv = 'Term,Class,Fee category,Amount,Due dates,Split\nTerm 1 2026,G4E,Tuition,"15,000",2026-01-31; 2026-03-31,60;40\nTerm 1 2026,G4E,Transport,4500.50,2026-01-31; 2026-03-31,60;40\nTerm 1 2026,Grade 5 West,Tuition,16000,2026-01-31,\n';

  it('writes the structures once; the same file again changes nothing', async () => {
    await setUpTermAndFees();
    const res = await uploadFees(suite.server.token, csv);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<ImportResult>()).toMatchObject({ written: true, summary: { create: 2, update: 0, unchanged: 0, lines: 3 }, errors: [] });
    const stored = (await structures()).sort((a, b) => a.name.localeCompare(b.name));
    expect(stored.map((s) => [s.name, s.lines.map((l) => [l.description, l.amount]), s.instalments.map((i) => [i.dueDate, i.weight])])).toEqual([
      ['Grade 4 East — Term 1 2026', [['Tuition', 1_500_000], ['Transport', 450_050]], [['2026-01-31', 60], ['2026-03-31', 40]]],
      ['Grade 5 West — Term 1 2026', [['Tuition', 1_600_000]], [['2026-01-31', 1]]],
    ]);
    const again = await uploadFees(suite.server.token, csv);
    expect(again.json<ImportResult>().summary).toEqual({ create: 0, update: 0, unchanged: 2, lines: 3 });
  });

  it('writes nothing when a line is wrong, and refuses a cashier', async () => {
    await setUpTermAndFees();
    const res = await uploadFees(suite.server.token, `${csv}Term 1 2026,G4E,Lunch,300,2026-01-31; 2026-03-31,60;40\n`);
    expect(res.statusCode).toBe(422);
    expect(res.json<ImportResult>().errors).toEqual([
      { row: 5, column: 'C "Fee category"', problem: 'There is no fee category "Lunch"', fix: 'Write one of the fee category names or codes set up for the school, or add "Lunch" under Setup first' },
    ]);
    expect(await structures()).toEqual([]);
    const cashier = await signInAs(suite.server, suite.database, 'cashier');
    expect((await uploadFees(cashier, csv)).statusCode).toBe(403);
  });
});

describe('importing opening balances', () => {
  async function uploadBalances(csv: string, query: string) {
    const form = new FormData();
    form.append('file', new Blob([new TextEncoder().encode(csv)]), 'balances.csv');
    const body = new Response(form);
    return suite.server.app.inject({ method: 'POST', url: `/api/v1/bulk/import-balances${query}`, headers: { authorization: `Bearer ${suite.server.token}`, 'content-type': body.headers.get('content-type') ?? '' }, payload: Buffer.from(await body.arrayBuffer()) });
  }

  it('books one balance per student in the ledger, once; a changed balance writes nothing', async () => {
    await setUpClasses();
    expect((await upload(suite.server.token, messyCsv, 'register.csv')).statusCode).toBe(200);
    const now = new Date().toISOString();
    const termId = newId();
    const docs = [{ id: termId, schoolId: suite.server.schoolId, kind: 'term', name: 'Term 1 2026', data: { academicYearId: newId(), startDate: '2026-01-05', endDate: '2026-04-03' }, createdAt: now, updatedAt: now }];
    expect((await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/reference/1/push', headers: { authorization: `Bearer ${suite.server.token}` }, payload: docs.map((doc) => ({ newDocumentState: { ...doc, _deleted: false } })) })).statusCode).toBe(200);
    const csv = 'Adm No,Balance b/f\n42,"12,500"\n0043,0\n0044,800.50\n';

    const missing = await uploadBalances(csv, '');
    expect(missing.statusCode).toBe(400);
    expect(missing.json<ErrorBody>().message).toContain('?termId=');

    const res = await uploadBalances(csv, `?termId=${termId}&asOf=2025-12-31`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<ImportResult>()).toMatchObject({ written: true, summary: { create: 2, unchanged: 1, total: 1_330_050 } });
    const ledger = await schoolDocuments<InvoiceDoc>(suite.database.db, suite.server.schoolId, 'ledger');
    expect(ledger.map((inv) => [inv.type, inv.issuedOn, inv.charges.map((c) => [c.description, c.amount])]).sort()).toEqual([
      ['invoice', '2025-12-31', [['Balance brought forward', 1_250_000]]],
      ['invoice', '2025-12-31', [['Balance brought forward', 80_050]]],
    ]);

    const again = await uploadBalances(csv, `?termId=${termId}&asOf=2025-12-31`);
    expect(again.json<ImportResult>().summary).toEqual({ create: 0, unchanged: 3, total: 0 });
    const changed = await uploadBalances('Adm No,Balance b/f\n42,13000\n', `?termId=${termId}&asOf=2025-12-31`);
    expect(changed.statusCode).toBe(422);
    expect(changed.json<ImportResult>().errors.map((e) => [e.row, e.column])).toEqual([[2, 'B "Balance b/f"']]);
    expect(await schoolDocuments(suite.database.db, suite.server.schoolId, 'ledger')).toHaveLength(2);
  });
});
