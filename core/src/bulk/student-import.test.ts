// The students import against files as schools really send them: titles and blank rows above the
// header, data starting in column B, Excel serial dates and dates typed as text, numbers stored as
// text and admission numbers that lost their zeros, Windows-1252 and UTF-16 CSV, repeated rows,
// formula cells; each test names the exact students planned and the exact errors reported.
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.ts';
import type { Student } from '../schemas/students.ts';
import type { Payer } from '../fees/payers.ts';
import type { ClassDoc, StudentCategoryDoc } from '../fees/reference.ts';
import { readTable } from './read-table.ts';
import { planStudentImport, type StudentImportContext, type StudentImportPlan } from './student-import.ts';
import { buildXlsx, excelSerial, gridCells } from './test-xlsx.ts';
import { ImportFileError } from './table.ts';

const schoolId = newId();
const NOW = '2026-03-01T08:00:00.000Z';
const at = (name: string, code: string): ClassDoc => ({ id: newId(), schoolId, kind: 'class', name, data: { code }, createdAt: NOW, updatedAt: NOW });
const g4 = at('Grade 4 East', 'G4E');
const g5 = at('Grade 5 West', 'G5W');
const boarder: StudentCategoryDoc = { id: newId(), schoolId, kind: 'studentCategory', name: 'Boarder', data: { code: 'BRD' }, createdAt: NOW, updatedAt: NOW };

function context(over: Partial<StudentImportContext> = {}): StudentImportContext {
  let n = 0;
  return {
    schoolId,
    defaultCountry: 'KE',
    dateOrder: 'dmy',
    students: [],
    payers: [],
    classes: [g4, g5],
    categories: [boarder],
    now: NOW,
    // Predictable ids, so plans can be compared whole.
    newId: () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    ...over,
  };
}

const csvBytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const plan = async (bytes: Uint8Array, name: string, over: Partial<StudentImportContext> = {}) => planStudentImport(await readTable(bytes, name), context(over));
const brief = (s: Student) => [s.admissionNumber, s.firstName, s.lastName, s.otherNames ?? null, s.dateOfBirth ?? null, s.classId ?? null, s.categoryId ?? null, s.joinedOn ?? null, s.status, s.staffChild ?? null];

describe('students from an .xlsx as a school typed it', () => {
  // Row 1 a merged title, row 2 blank, the header in row 3 starting in column B.
  const workbook = buildXlsx({
    sheets: [
      {
        name: 'Register 2026',
        merges: ['B1:I1'],
        cells: [
          { ref: 'B1', value: 'Hillside Academy — Students 2026' },
          ...gridCells(
            [
              ['ADM. NO', 'Surname ', 'First Name', 'Date of Birth', 'Class', 'Boarding', 'Parent/Guardian', 'Mobile'],
              ['0042', 'Otieno', 'Amani', null, 'Grade 4 East', null, 'Mary Otieno', 712345678],
              [43, 'Otieno', ' Baraka  ', '4 Jan 2016', 'g4e', 'boarder', 'Mary Otieno', '+254 712-345-678'],
              ['A/0044', 'Wanjiru', 'Grace', '42095', null, null, 'Peter Kamau', '0722 000 111'],
              [null, null, null, null, null, null, null, null],
              ['A/0044', 'Wanjiru', 'Grace', '42095', 'Grade 5 West', null, 'Peter Kamau', '0722 000 111'],
            ],
            'B3',
          ),
          // A date Excel formats as a date, and a class filled by a formula (its cached value is read).
          { ref: 'E4', value: excelSerial('2015-03-31'), style: 'date' },
          { ref: 'F6', value: 'Grade 5 West', type: 'str', formula: '"Grade 5 "&"West"' },
        ],
      },
    ],
  });

  it('finds the header under the title, reads every kind of cell, and joins siblings by phone', async () => {
    const result = await plan(workbook, 'register.xlsx');
    expect(result.errors).toEqual([]);
    expect(result.headerRow).toBe(3);
    expect(result.sheetName).toBe('Register 2026');
    expect(result.rows.map((r) => [r.row, r.admissionNumber, r.action])).toEqual([
      [4, '0042', 'create'],
      [5, '43', 'create'],
      [6, 'A/0044', 'create'],
      [8, 'A/0044', 'duplicate'],
    ]);
    expect(result.students.create.map(brief)).toEqual([
      ['0042', 'Amani', 'Otieno', null, '2015-03-31', g4.id, null, null, 'active', null],
      ['43', 'Baraka', 'Otieno', null, '2016-01-04', g4.id, boarder.id, null, 'active', null],
      ['A/0044', 'Grace', 'Wanjiru', null, '2015-04-01', g5.id, null, null, 'active', null],
    ]);
    const [amani, baraka, grace] = result.students.create;
    expect(result.payers.create.map((p) => ({ name: p.name, kind: p.kind, contacts: p.contacts, students: p.students.map((l) => [l.studentId, l.share]) }))).toEqual([
      { name: 'Mary Otieno', kind: 'guardian', contacts: [{ type: 'phone', value: '+254712345678' }], students: [[amani?.id, 10_000], [baraka?.id, 10_000]] },
      { name: 'Peter Kamau', kind: 'guardian', contacts: [{ type: 'phone', value: '+254722000111' }], students: [[grace?.id, 10_000]] },
    ]);
    expect(result.summary).toEqual({ create: 3, update: 0, unchanged: 0, duplicate: 1, payersCreated: 2, payersUpdated: 0 });
  });

  it('changes nothing when the same file is imported again', async () => {
    const first = await plan(workbook, 'register.xlsx');
    const again = await plan(workbook, 'register.xlsx', { students: first.students.create, payers: first.payers.create });
    expect(again.errors).toEqual([]);
    expect(again.summary).toEqual({ create: 0, update: 0, unchanged: 3, duplicate: 1, payersCreated: 0, payersUpdated: 0 });
    expect(again.students).toEqual({ create: [], update: [] });
    expect(again.payers).toEqual({ create: [], update: [] });
  });
});

describe('CSV in the encodings and separators offices send', () => {
  const rows = ['Admission number;First name;Last name;Date of birth;Guardian name;Guardian phone', 'E-1;José;Núñez;05.06.2014;Inés Núñez;0712 000 001', 'E-2;Zoë;O’Brien;2013-12-01;Inés Núñez;0712000001'];

  it('reads Windows-1252 with ";" and dotted dates', async () => {
    // é ñ Ú ú ë ’ in Windows-1252: the bytes a French or Spanish Excel writes for "CSV (;)".
    const cp1252: Record<string, number> = { é: 0xe9, ú: 0xfa, ñ: 0xf1, ë: 0xeb, '’': 0x92 };
    const text = rows.join('\r\n');
    const bytes = Uint8Array.from([...text].map((ch) => cp1252[ch] ?? ch.charCodeAt(0)));
    const result = await plan(bytes, 'students.csv');
    expect(result.errors).toEqual([]);
    expect(result.students.create.map(brief)).toEqual([
      ['E-1', 'José', 'Núñez', null, '2014-06-05', null, null, null, 'active', null],
      ['E-2', 'Zoë', 'O’Brien', null, '2013-12-01', null, null, null, 'active', null],
    ]);
    expect(result.payers.create.map((p) => [p.name, p.contacts[0]?.value, p.students.length])).toEqual([['Inés Núñez', '+254712000001', 2]]);
  });

  it('reads UTF-8 with a BOM and UTF-16 with tabs the same way', async () => {
    const utf8 = csvBytes(`\uFEFF${rows.join('\n')}`);
    const tabbed = rows.map((r) => r.replaceAll(';', '\t')).join('\r\n');
    const utf16 = new Uint8Array(2 + tabbed.length * 2);
    utf16.set([0xff, 0xfe]);
    [...tabbed].forEach((ch, i) => {
      utf16[2 + i * 2] = ch.charCodeAt(0) & 0xff;
      utf16[3 + i * 2] = ch.charCodeAt(0) >> 8;
    });
    const a = await plan(utf8, 'a.csv');
    const b = await plan(utf16, 'b.txt');
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(b.students.create.map(brief)).toEqual(a.students.create.map(brief));
    expect(a.students.create.map((s) => `${s.firstName} ${s.lastName}`)).toEqual(['José Núñez', 'Zoë O’Brien']);
  });
});

describe('every problem named by row and column, with the fix', () => {
  it('reports each bad cell and writes nothing', async () => {
    const csv = [
      'Admission number,First name,Last name,Date of birth,Class,Status,Staff child,Guardian name,Guardian phone,Guardian email',
      'B-1,Amani,Otieno,31/02/2015,Grade 4 East,active,no,Mary Otieno,0712345678,',
      'B 2,Baraka,,2016-07-04,Grade 9,current,yes,Mary Otieno,0712345678,',
      'B-3,Grace,Wanjiru,2014-01-04,G5W,expelled,maybe,Peter Kamau,12,peter@',
      'B-1,Amina,Hassan,2015-01-01,Grade 4 East,,,,,',
      'B-4,Zawadi,Njeri,2099-01-01,,,,,0733000000,',
    ].join('\n');
    const result = await plan(csvBytes(csv), 'bad.csv');
    expect(result.errors).toEqual([
      { row: 2, column: 'D "Date of birth"', problem: '"31/02/2015" is not a real date: February 2015 has 28 days', fix: 'Check the day and month. Write the date as day/month/year like 31/03/2015, or as 2015-03-31 or 31 Mar 2015' },
      { row: 3, column: 'A "Admission number"', problem: '"B 2" has characters an admission number cannot have', fix: 'Use only letters, digits and / . _ - (no spaces), starting with a letter or digit' },
      { row: 3, column: 'C "Last name"', problem: 'The last name is empty', fix: 'Write the student’s last name (surname)' },
      { row: 3, column: 'E "Class"', problem: 'There is no class "Grade 9"', fix: 'Write one of the class names or codes set up for the school, or add "Grade 9" under Setup first' },
      { row: 4, column: 'F "Status"', problem: '"expelled" is not one of the choices', fix: 'Write active, left or graduated (a blank cell keeps the status the student has; new students are active)' },
      { row: 4, column: 'G "Staff child"', problem: '"maybe" is not yes or no', fix: 'Write yes or no' },
      { row: 4, column: 'I "Guardian phone"', problem: '"12" is not a valid phone number', fix: 'Write the number with its country code, like +254 712 123456 (numbers without one are read as numbers in Kenya)' },
      { row: 4, column: 'J "Guardian email"', problem: '"peter@" is not an e-mail address', fix: 'Write one e-mail address, like name@example.com' },
      { row: 5, column: 'A "Admission number"', problem: 'Admission number B-1 is also in row 2, with different details', fix: 'Keep one row per student: correct the admission number of one of rows 2 and 5, or delete the extra row' },
      { row: 6, column: 'D "Date of birth"', problem: 'The date of birth 2099-01-01 is in the future', fix: 'Check the year; with dates like 03/04/2015 check the day and month order chosen for this import' },
      { row: 6, column: 'H "Guardian name"', problem: 'The guardian has a phone or e-mail but no name', fix: 'Write the guardian’s name (in a “Guardian name” column, if the file has none)' },
    ]);
    for (const error of result.errors) expect(error.fix.length).toBeGreaterThan(10);
    expect(result.rows.map((r) => [r.row, r.action])).toEqual([[2, 'error'], [3, 'error'], [4, 'error'], [5, 'error'], [6, 'error']]);
  });

  it('says which required columns are missing, and when no header can be found', async () => {
    await expect(plan(csvBytes('Admission number,First name\nA-1,Amani\n'), 'a.csv')).rejects.toMatchObject({
      name: 'ImportFileError',
      message: 'The file has no "Last name" column (header found in row 1: "Admission number", "First name").',
      fix: 'Name the columns as in the template (Admission number, First name, Last name), or choose which column holds each one.',
    });
    await expect(plan(csvBytes('Fee,Amount\nTuition,100\n'), 'fees.csv')).rejects.toBeInstanceOf(ImportFileError);
    // A header not recognised: the error carries the header and the columns found, for the person
    // to choose the missing one; planned again with that choice, the file is read.
    const bytes = csvBytes('Admission number,Student name,Surname\nA-1,Amani,Otieno\n');
    const refused = await plan(bytes, 'names.csv').then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(ImportFileError);
    expect((refused as ImportFileError).unmapped).toEqual({ headerRow: 1, headers: ['Admission number', 'Student name', 'Surname'], mapping: { admissionNumber: 0, lastName: 2 }, missing: ['firstName'] });
    const chosen = planStudentImport(await readTable(bytes, 'names.csv'), context(), { ...(refused as ImportFileError).unmapped?.mapping, firstName: 1 });
    expect(chosen.errors).toEqual([]);
    expect(chosen.students.create.map((s) => [s.admissionNumber, s.firstName, s.lastName])).toEqual([['A-1', 'Amani', 'Otieno']]);
    await expect(plan(csvBytes('Admission number,First name,Last name\n\n\n'), 'empty.csv')).rejects.toThrow(/no students below it/);
  });
});

describe('rows repeated inside the file', () => {
  it('reads 0042 and 42 (Excel dropped the zeros) as one student: the same row once, a clash when the details differ', async () => {
    const same = await plan(csvBytes(['Admission number,First name,Last name', '0042,Amani,Otieno', '42,Amani,Otieno'].join('\n')), 'zeros.csv');
    expect(same.errors).toEqual([]);
    expect(same.rows.map((r) => [r.row, r.admissionNumber, r.action])).toEqual([[2, '0042', 'create'], [3, '42', 'duplicate']]);
    expect(same.students.create.map((s) => s.admissionNumber)).toEqual(['0042']);
    const clash = await plan(csvBytes(['Admission number,First name,Last name', '0042,Amani,Otieno', '42,Baraka,Otieno'].join('\n')), 'zeros.csv');
    expect(clash.errors.map((e) => [e.row, e.problem])).toEqual([[3, 'Admission number 42 is also in row 2, with different details']]);
  });

  it('names the missing column, not column A, for a guardian with a phone but no name column', async () => {
    const result = await plan(csvBytes(['Adm No,First name,Last name,Parent phone', '9,Amani,Otieno,0712 345 678'].join('\n')), 'phones.csv');
    expect(result.errors.map((e) => [e.row, e.column, e.problem])).toEqual([[2, 'no "Guardian name" column', 'The guardian has a phone or e-mail but no name']]);
  });

  it('lists the problems of a row typed twice for each copy, without calling the copies different', async () => {
    const twice = await plan(csvBytes(['Admission number,First name,Last name,Date of birth', '7,Amani,Otieno,31/02/2015', '7,Amani,Otieno,31/02/2015'].join('\n')), 'twice.csv');
    expect(twice.errors.map((e) => [e.row, e.column, e.problem])).toEqual([
      [2, 'D "Date of birth"', '"31/02/2015" is not a real date: February 2015 has 28 days'],
      [3, 'D "Date of birth"', '"31/02/2015" is not a real date: February 2015 has 28 days'],
    ]);
  });
});

describe('families found by their contacts', () => {
  /** The school after the plan was written: what a second import of the same file meets. */
  const applied = (result: StudentImportPlan, before: { students: Student[]; payers: Payer[] } = { students: [], payers: [] }) => ({
    students: [...before.students.filter((s) => !result.students.update.some((u) => u.before.id === s.id)), ...result.students.create, ...result.students.update.map((u) => u.after)],
    payers: [...before.payers.filter((p) => !result.payers.update.some((u) => u.before.id === p.id)), ...result.payers.create, ...result.payers.update.map((u) => u.after)],
  });
  const familiesOf = (school: { students: Student[]; payers: Payer[] }) =>
    school.payers.map((p) => [p.name, p.students.map((link) => school.students.find((s) => s.id === link.studentId)?.firstName).sort()]).sort((a, b) => String(a).localeCompare(String(b)));
  /** Plans the file, applies it, plans it again: both clean, the second changing nothing. */
  const importTwice = async (csv: string, name: string) => {
    const first = await plan(csvBytes(csv), name);
    expect(first.errors).toEqual([]);
    const school = applied(first);
    const again = await plan(csvBytes(csv), name, school);
    expect(again.errors).toEqual([]);
    expect(again.summary).toMatchObject({ create: 0, update: 0, unchanged: 3, payersCreated: 0, payersUpdated: 0 });
    return { school, again };
  };

  it('keeps a second guardian’s phone from drawing that guardian’s other children into this family; a second import changes nothing', async () => {
    const csv = [
      'Admission number,First name,Last name,Guardian name,Guardian phone,Second guardian name,Second guardian phone',
      'K-1,Dan,Kamau,Peter Kamau,0733000111,,',
      'K-2,Amani,Otieno,Mary Otieno,0712000222,Peter Kamau,0733000111',
      'K-3,Fay,Kamau,Peter Kamau,0733000111,,',
    ].join('\n');
    const { school } = await importTwice(csv, 'families.csv');
    expect(familiesOf(school)).toEqual([['Mary Otieno', ['Amani']], ['Peter Kamau', ['Dan', 'Fay']]]);
  });

  it('imports the same file twice without a change when one guardian’s phone and e-mail first made two families', async () => {
    const csv = [
      'Admission number,First name,Last name,Guardian name,Guardian phone,Guardian email',
      'E-1,Dan,Kamau,Peter Kamau,0733000111,',
      'E-2,Eve,Kamau,Peter Kamau,,peter@example.com',
      'E-3,Fay,Kamau,Peter Kamau,0733000111,peter@example.com',
    ].join('\n');
    const { school, again } = await importTwice(csv, 'contacts.csv');
    expect(familiesOf(applied(again, school))).toEqual(familiesOf(school));
  });
});

describe('upsert against what the school has', () => {
  const existing: Student = { id: newId(), schoolId, admissionNumber: '0042', firstName: 'Amani', lastName: 'Otieno', dateOfBirth: '2015-03-31', classId: g4.id, status: 'active', createdAt: NOW, updatedAt: NOW };
  const family: Payer = { id: newId(), schoolId, kind: 'family', name: 'Otieno family', contacts: [{ type: 'phone', value: '+254712345678' }], preferredChannel: 'sms', students: [{ studentId: existing.id, share: 10_000 }], createdAt: NOW, updatedAt: NOW };

  it('changes only what the file says, matches 42 to 0042, and joins a new sibling to the family by phone', async () => {
    const csv = ['Admission number,First name,Last name,Class,Date of birth,Guardian name,Guardian phone', '42,Amani,Otieno,G5W,,Mary Otieno,0712 345 678', 'N-7,Neema,Otieno,G4E,2018-02-02,Mary Otieno,0712345678'].join('\n');
    const result = await plan(csvBytes(csv), 'update.csv', { students: [existing], payers: [family] });
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => [r.row, r.admissionNumber, r.action, r.changes ?? null])).toEqual([
      [2, '0042', 'update', ['class']],
      [3, 'N-7', 'create', null],
    ]);
    expect(result.students.update).toEqual([{ before: existing, after: { ...existing, classId: g5.id, updatedAt: NOW } }]);
    const [neema] = result.students.create;
    expect(result.payers.update).toEqual([{ before: family, after: { ...family, students: [...family.students, { studentId: neema?.id, share: 10_000 }], updatedAt: NOW } }]);
    expect(result.payers.create).toEqual([]);
  });

  it('finds a family whose phone was stored in local writing (typed at the till) by the file’s number', async () => {
    const local: Payer = { ...family, contacts: [{ type: 'phone', value: '0712 345 678' }] };
    const csv = ['Admission number,First name,Last name,Guardian name,Guardian phone', '0042,Amani,Otieno,Mary Otieno,+254712345678', 'N-8,Baraka,Otieno,Mary Otieno,0712345678'].join('\n');
    const result = await plan(csvBytes(csv), 'local.csv', { students: [existing], payers: [local] });
    expect(result.errors).toEqual([]);
    expect(result.payers.create).toEqual([]);
    const [baraka] = result.students.create;
    expect(result.payers.update.map((u) => [u.after.id, u.after.students.map((s) => s.studentId)])).toEqual([[family.id, [existing.id, baraka?.id]]]);
  });

  it('refuses to move a student into another family without saying so', async () => {
    const csv = ['Admission number,First name,Last name,Guardian name,Guardian phone', '0042,Amani,Otieno,Joseph Mwangi,0799 111 222'].join('\n');
    const result = await plan(csvBytes(csv), 'move.csv', { students: [existing], payers: [family] });
    expect(result.errors).toEqual([
      {
        row: 2,
        column: 'E "Guardian phone"',
        problem: 'Amani Otieno already belongs to "Otieno family", and this row names another guardian (+254799111222)',
        fix: 'Leave the guardian cells empty for students already in a family, write that family’s phone number, or change the family on the student’s account',
      },
    ]);
  });
});

it('plans 10,000 rows with their families', async () => {
  const lines = ['Admission number,First name,Last name,Date of birth,Class,Guardian name,Guardian phone'];
  for (let i = 0; i < 10_000; i += 1) {
    // Two children per family: phones repeat for each pair.
    lines.push(`S-${String(i).padStart(5, '0')},Child${String(i)},Family${String(i >> 1)},${String((i % 28) + 1)}/0${String((i % 9) + 1)}/2014,${i % 2 === 0 ? 'G4E' : 'Grade 5 West'},Parent ${String(i >> 1)},07${String(10_000_000 + (i >> 1)).slice(-8)}`);
  }
  const result = await plan(csvBytes(lines.join('\n')), 'big.csv');
  expect(result.errors).toEqual([]);
  expect(result.summary).toEqual({ create: 10_000, update: 0, unchanged: 0, duplicate: 0, payersCreated: 5_000, payersUpdated: 0 });
  expect(result.payers.create.every((p) => p.students.length === 2)).toBe(true);
});
