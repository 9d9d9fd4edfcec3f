// Students with their guardians, from a spreadsheet someone typed by hand: the plan of what an
// import would write (new students, changed ones, families), and every row's problems named as
// the person sees them in Excel. Planning writes nothing; the desk and the server both apply a
// plan only when it has no errors, in one go, so an import is all or nothing. Rows are matched
// by admission number, so importing the same file twice changes nothing.
import type { CountryCode } from 'libphonenumber-js';
import { replicatedCollections } from '../sync/collections.ts';
import type { Student, StudentStatus } from '../schemas/students.ts';
import type { Payer } from '../fees/payers.ts';
import type { ClassDoc, StudentCategoryDoc } from '../fees/reference.ts';
import { cellBoolean, cellChoice, cellDate, cellEmail, cellPhone, cellText, isBlank } from './cells.ts';
import { admissionLookup, importColumns, importField, lookupReference, referenceIndex } from './plan-parts.ts';
import type { CellValue, ColumnMapping, RowError, SheetTable } from './table.ts';
import { ImportFileError } from './table.ts';

const field = importField;

/** The columns of the students import, in the template's order. */
export const studentImportFields = [
  field('admissionNumber', 'Admission number', true, 'Unique per student: letters, digits, / . _ -', ['admission no', 'adm no', 'adm', 'admission', 'adm number', 'admission num', 'student no', 'student number', 'reg no', 'registration number', 'student id']),
  field('firstName', 'First name', true, 'Given name', ['first names', 'firstname', 'given name', 'given names', 'forename', 'forenames']),
  field('lastName', 'Last name', true, 'Family name (surname)', ['surname', 'family name', 'lastname', 'last names']),
  field('otherNames', 'Other names', false, 'Middle names, if any', ['middle name', 'middle names', 'other name']),
  field('dateOfBirth', 'Date of birth', false, 'e.g. 31/03/2015 or 2015-03-31', ['dob', 'birth date', 'birthdate', 'date of birth dd mm yyyy', 'born']),
  field('class', 'Class', false, 'The class name or code as set up (Grade 4 East)', ['class name', 'grade', 'form', 'stream', 'class code', 'year group', 'standard']),
  field('category', 'Category', false, 'Student category as set up (Day scholar, Boarder)', ['student category', 'boarding', 'day boarding', 'residence', 'type']),
  field('joinedOn', 'Joined on', false, 'First day at school; billed pro rata if after term start', ['admission date', 'date joined', 'joined', 'date of admission', 'enrolment date', 'enrollment date', 'start date']),
  field('status', 'Status', false, 'active, left or graduated (blank = active for new students)', ['student status', 'state']),
  field('staffChild', 'Staff child', false, 'yes or no', ['staff', 'child of staff', 'staff kid']),
  field('guardianName', 'Guardian name', false, 'The parent or guardian who pays', ['guardian', 'parent', 'parent name', 'parent guardian', 'parent guardian name', 'father mother', 'guardian full name', 'payer', 'payer name', 'contact name']),
  field('guardianPhone', 'Guardian phone', false, 'Mobile number; siblings share a family by this number', ['guardian mobile', 'parent phone', 'parent mobile', 'phone', 'mobile', 'telephone', 'tel', 'phone number', 'mobile number', 'contact', 'contact phone', 'guardian tel']),
  field('guardianEmail', 'Guardian email', false, 'Optional e-mail address', ['parent email', 'email', 'e mail', 'email address']),
  field('guardianRelationship', 'Relationship', false, 'Mother, father, aunt…', ['guardian relationship', 'relation', 'relationship to student']),
  field('secondGuardianName', 'Second guardian name', false, 'Optional second contact', ['guardian 2 name', 'second guardian', 'guardian 2', 'other parent', 'parent 2 name']),
  field('secondGuardianPhone', 'Second guardian phone', false, 'Optional second number', ['guardian 2 phone', 'parent 2 phone', 'other parent phone', 'second phone', 'alternative phone', 'alt phone']),
] as const;

export type StudentImportKey = (typeof studentImportFields)[number]['key'];

export interface StudentImportContext {
  schoolId: string;
  /** The school's country, for phone numbers written without their country code. */
  defaultCountry: CountryCode;
  /** How to read 03/04/2015: day first (most of the world) or month first. */
  dateOrder: 'dmy' | 'mdy';
  students: readonly Student[];
  payers: readonly Payer[];
  classes: readonly ClassDoc[];
  categories: readonly StudentCategoryDoc[];
  /** The time stamped on what the import writes. */
  now: string;
  newId: () => string;
}

/** A document the import changes: as the school has it, and as it will be. */
export interface Change<T> {
  before: T;
  after: T;
}

export type RowAction = 'create' | 'update' | 'unchanged' | 'duplicate' | 'error';

export interface PlannedRow {
  row: number;
  admissionNumber: string;
  name: string;
  action: RowAction;
  /** For an update: which fields change ("class, date of birth"). */
  changes?: string[];
}

export interface StudentImportPlan {
  sheetName: string;
  headerRow: number;
  headers: string[];
  mapping: ColumnMapping<StudentImportKey>;
  /** Columns the import does not read, to show on the mapping screen. */
  unmapped: { index: number; header: string }[];
  rows: PlannedRow[];
  errors: RowError[];
  students: { create: Student[]; update: Change<Student>[] };
  payers: { create: Payer[]; update: Change<Payer>[] };
  /** Counts for the preview: created, updated, unchanged, duplicates skipped, families new and changed. */
  summary: { create: number; update: number; unchanged: number; duplicate: number; payersCreated: number; payersUpdated: number };
}

const statusChoices: Record<string, StudentStatus> = {
  active: 'active', current: 'active', enrolled: 'active', present: 'active', continuing: 'active',
  left: 'left', transferred: 'left', withdrawn: 'left', inactive: 'left', 'transferred out': 'left',
  graduated: 'graduated', alumni: 'graduated', completed: 'graduated', alumnus: 'graduated',
};

const ADMISSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/._-]*$/;
const FULL_SHARE = 10_000;

/** Lower-cased admission number without leading zeros of a numeric one, to match 00123 read as 123. */
const admissionKey = (number: string): string => (/^0*\d+$/.test(number) ? number.replace(/^0+(?=\d)/, '') : number.toLowerCase());

/** The plan of importing `table` into a school as `ctx` describes it. Throws ImportFileError when no header is found. */
export function planStudentImport(table: SheetTable, ctx: StudentImportContext, chosen?: ColumnMapping<StudentImportKey>): StudentImportPlan {
  const { header, mapping, columnName, cellOf } = importColumns(table, studentImportFields, chosen);

  const lookups = buildLookups(ctx);
  const errors: RowError[] = [];
  const rows: PlannedRow[] = [];
  // Each admission number's first row, with its cells to tell a repeated row from a clash.
  const seenInFile = new Map<string, { row: number; cells: readonly CellValue[] }>();
  const creates = new Map<string, Student>();
  const updates = new Map<string, Change<Student>>();
  const families = new FamilyPlan(ctx, lookups);

  for (const tableRow of table.rows.slice(header.headerIndex + 1)) {
    const { cells, rowNumber: row } = tableRow;
    if (cells.every(isBlank)) continue;
    const rowErrors: RowError[] = [];
    const fail = (key: StudentImportKey, problem: string, fix: string): void => {
      rowErrors.push({ row, column: columnName(key), problem, fix });
    };
    const text = (key: StudentImportKey): string | undefined => {
      const cell = cellOf(cells, key);
      if (isBlank(cell)) return undefined;
      const result = cellText(cell);
      if (!result.ok) {
        fail(key, result.problem, result.fix);
        return undefined;
      }
      return result.value;
    };

    const admissionNumber = text('admissionNumber');
    const firstName = text('firstName');
    const lastName = text('lastName');
    const name = [firstName, lastName].filter(Boolean).join(' ');
    if (admissionNumber === undefined) fail('admissionNumber', 'The admission number is empty', 'Write the student’s admission number; every student needs one');
    else if (admissionNumber.length > 32) fail('admissionNumber', `"${admissionNumber}" is longer than 32 characters`, 'Shorten the admission number to 32 characters or fewer');
    else if (!ADMISSION_PATTERN.test(admissionNumber)) {
      fail('admissionNumber', `"${admissionNumber}" has characters an admission number cannot have`, 'Use only letters, digits and / . _ - (no spaces), starting with a letter or digit');
    }
    if (firstName === undefined) fail('firstName', 'The first name is empty', 'Write the student’s first name');
    else if (firstName.length > 80) fail('firstName', 'The first name is longer than 80 characters', 'Shorten it to 80 characters or put the rest under Other names');
    if (lastName === undefined) fail('lastName', 'The last name is empty', 'Write the student’s last name (surname)');
    else if (lastName.length > 80) fail('lastName', 'The last name is longer than 80 characters', 'Shorten it to 80 characters');
    const otherNames = text('otherNames');
    if (otherNames !== undefined && otherNames.length > 120) fail('otherNames', 'Other names are longer than 120 characters', 'Shorten them to 120 characters');

    const date = (key: 'dateOfBirth' | 'joinedOn'): string | undefined => {
      const cell = cellOf(cells, key);
      if (isBlank(cell)) return undefined;
      const result = cellDate(cell, ctx.dateOrder);
      if (!result.ok) {
        fail(key, result.problem, result.fix);
        return undefined;
      }
      return result.value;
    };
    const dateOfBirth = date('dateOfBirth');
    if (dateOfBirth !== undefined && dateOfBirth > ctx.now.slice(0, 10)) fail('dateOfBirth', `The date of birth ${dateOfBirth} is in the future`, 'Check the year; with dates like 03/04/2015 check the day and month order chosen for this import');
    const joinedOn = date('joinedOn');

    const classId = lookupReference(cellOf(cells, 'class'), lookups.classes, 'class', (problem, fix) => fail('class', problem, fix));
    const categoryId = lookupReference(cellOf(cells, 'category'), lookups.categories, 'student category', (problem, fix) => fail('category', problem, fix));
    let status: StudentStatus | undefined;
    const statusCell = cellOf(cells, 'status');
    if (!isBlank(statusCell)) {
      const result = cellChoice(statusCell, statusChoices);
      if (result.ok) status = result.value;
      else fail('status', result.problem, 'Write active, left or graduated (a blank cell keeps the status the student has; new students are active)');
    }
    let staffChild: boolean | undefined;
    const staffCell = cellOf(cells, 'staffChild');
    if (!isBlank(staffCell)) {
      const result = cellBoolean(staffCell);
      if (result.ok) staffChild = result.value;
      else fail('staffChild', result.problem, result.fix);
    }

    const guardian = readGuardians(cells, cellOf, text, fail, ctx.defaultCountry);

    // The student this row is about: the one with this admission number (00123 read as 123 too).
    const existing = admissionNumber === undefined ? undefined : lookups.studentByNumber(admissionNumber);
    if (admissionNumber !== undefined) {
      const key = admissionKey(existing?.admissionNumber ?? admissionNumber);
      const earlier = seenInFile.get(key);
      // Compared with the admission numbers as one key: 0042 and 42 (Excel's zeros dropped) are the same row.
      const signature = (of: readonly CellValue[]): string => rowSignature(mapping.admissionNumber === undefined ? of : of.map((cell, index) => (index === mapping.admissionNumber ? key : cell)));
      if (earlier && signature(earlier.cells) === signature(cells)) {
        // The same row typed twice: one student, nothing to fix (its own problems, if any, are listed as for the first).
        if (rowErrors.length === 0) {
          rows.push({ row, admissionNumber, name, action: 'duplicate' });
          continue;
        }
      } else if (earlier) {
        rowErrors.push({
          row,
          column: columnName('admissionNumber'),
          problem: `Admission number ${admissionNumber} is also in row ${String(earlier.row)}, with different details`,
          fix: `Keep one row per student: correct the admission number of one of rows ${String(earlier.row)} and ${String(row)}, or delete the extra row`,
        });
      } else {
        seenInFile.set(key, { row, cells });
      }
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      rows.push({ row, admissionNumber: admissionNumber ?? '', name, action: 'error' });
      continue;
    }
    if (admissionNumber === undefined || firstName === undefined || lastName === undefined) continue; // reported above

    const present = (key: StudentImportKey): boolean => mapping[key] !== undefined && !isBlank(cellOf(cells, key));
    // Only what the file says changes: a blank cell never erases what the school has.
    const next: Student = existing
      ? { ...existing }
      : { id: ctx.newId(), schoolId: ctx.schoolId, admissionNumber, firstName, lastName, status: 'active', createdAt: ctx.now, updatedAt: ctx.now };
    next.firstName = firstName;
    next.lastName = lastName;
    if (present('otherNames') && otherNames !== undefined) next.otherNames = otherNames;
    if (dateOfBirth !== undefined) next.dateOfBirth = dateOfBirth;
    if (joinedOn !== undefined) next.joinedOn = joinedOn;
    if (classId !== undefined) next.classId = classId;
    if (categoryId !== undefined) next.categoryId = categoryId;
    if (status !== undefined) next.status = status;
    if (staffChild !== undefined) next.staffChild = staffChild;

    const problems = replicatedCollections.students.validate(next);
    if (problems.length > 0) {
      for (const problem of problems) {
        const key = studentImportFields.find((f) => `/${f.key}` === problem.path)?.key;
        errors.push({ row, ...(key ? { column: columnName(key) } : {}), problem: `This student cannot be saved: ${problem.path.slice(1) || 'the record'} ${problem.message}`, fix: 'Correct the cell and import again' });
      }
      rows.push({ row, admissionNumber, name, action: 'error' });
      continue;
    }
    const familyError = families.add(row, next, existing === undefined, guardian);
    if (familyError) {
      errors.push({ ...familyError, column: familyError.column ?? columnName('guardianPhone') });
      rows.push({ row, admissionNumber, name, action: 'error' });
      continue;
    }
    const changes = existing ? changedFields(existing, next) : [];
    if (!existing) creates.set(next.id, next);
    else if (changes.length > 0) updates.set(next.id, { before: existing, after: { ...next, updatedAt: ctx.now } });
    rows.push({ row, admissionNumber: next.admissionNumber, name, action: existing ? (changes.length > 0 ? 'update' : 'unchanged') : 'create', ...(changes.length > 0 ? { changes } : {}) });
  }
  if (rows.length === 0) {
    throw new ImportFileError(`The sheet has a header in row ${String(header.headerRow)} but no students below it.`, 'Add one row per student under the header, or choose the file that has them.');
  }
  const payers = families.result();
  for (const payer of [...payers.create, ...payers.update.map((change) => change.after)]) {
    const problems = replicatedCollections.payers.validate(payer);
    if (problems.length === 0) continue;
    const row = families.rowOf.get(payer.id) ?? header.headerRow + 1;
    errors.push({ row, column: columnName('guardianName'), problem: `The family "${payer.name}" cannot be saved: ${problems.map((p) => `${p.path.slice(1)} ${p.message}`).join('; ')}`, fix: 'Correct the guardian cells and import again' });
  }
  const count = (action: RowAction): number => rows.filter((r) => r.action === action).length;
  return {
    sheetName: table.sheetName,
    headerRow: header.headerRow,
    headers: header.headers,
    mapping,
    unmapped: header.unmapped.filter((column) => !Object.values(mapping).includes(column.index)),
    rows,
    errors: errors.sort((a, b) => a.row - b.row || columnOrder(a.column) - columnOrder(b.column)),
    students: { create: [...creates.values()], update: [...updates.values()] },
    payers,
    summary: { create: count('create'), update: count('update'), unchanged: count('unchanged'), duplicate: count('duplicate'), payersCreated: payers.create.length, payersUpdated: payers.update.length },
  };
}

/** A row's cells as one string, spaces around text aside: two rows alike are the same row typed twice. */
function rowSignature(cells: readonly CellValue[]): string {
  return JSON.stringify(cells.map((cell) => (cell instanceof Date ? cell.getTime() : typeof cell === 'string' ? cell.trim() : cell)));
}

/** A problem's column (`AB "Class"`) as a number for sorting; a whole-row problem comes last. */
function columnOrder(column: string | undefined): number {
  const letters = column === undefined ? null : /^[A-Z]+/.exec(column)?.[0];
  return letters ? [...letters].reduce((n, letter) => n * 26 + letter.charCodeAt(0) - 64, 0) : Number.MAX_SAFE_INTEGER;
}

const fieldLabels: Partial<Record<keyof Student, string>> = {
  firstName: 'first name', lastName: 'last name', otherNames: 'other names', dateOfBirth: 'date of birth', classId: 'class', categoryId: 'category', joinedOn: 'joined on', status: 'status', staffChild: 'staff child',
};

function changedFields(before: Student, after: Student): string[] {
  return (Object.keys(fieldLabels) as (keyof Student)[]).filter((key) => before[key] !== after[key]).map((key) => fieldLabels[key] ?? key);
}

interface Lookups {
  studentByNumber(number: string): Student | undefined;
  classes: Map<string, string[]>;
  categories: Map<string, string[]>;
  payersByContact: Map<string, Payer>;
  payersOfStudent: Map<string, Payer[]>;
}

function buildLookups(ctx: StudentImportContext): Lookups {
  const payersByContact = new Map<string, Payer>();
  const payersOfStudent = new Map<string, Payer[]>();
  for (const payer of ctx.payers) {
    if (payer.archived === true || payer.schoolId !== ctx.schoolId) continue;
    for (const contact of payer.contacts) {
      const key = contactKey(contact.type, contact.value, ctx.defaultCountry);
      if (key && !payersByContact.has(key)) payersByContact.set(key, payer);
    }
    for (const link of payer.students) payersOfStudent.set(link.studentId, [...(payersOfStudent.get(link.studentId) ?? []), payer]);
  }
  return {
    studentByNumber: admissionLookup(ctx.students, ctx.schoolId),
    classes: referenceIndex(ctx.classes, ctx.schoolId),
    categories: referenceIndex(ctx.categories, ctx.schoolId),
    payersByContact,
    payersOfStudent,
  };
}

/**
 * What tells one family's contact from another's: an e-mail case aside, a phone in E.164. A phone
 * stored in local writing (0712 345 678, typed at the till before numbers were normalised) is read
 * with the school's country, so the file's +254712345678 finds that family.
 */
function contactKey(type: string, value: string, country: CountryCode): string | null {
  if (type === 'email') return `email:${value.trim().toLowerCase()}`;
  if (type === 'phone' || type === 'whatsapp') {
    if (/^\+\d+$/.test(value)) return `phone:${value}`;
    const read = cellPhone(value, country);
    if (read.ok && read.value !== null) return `phone:${read.value}`;
    const digits = value.replace(/[^\d+]/g, '');
    return digits ? `phone:${digits}` : null;
  }
  return null;
}

interface GuardianCells {
  name?: string;
  phone?: string;
  email?: string;
  relationship?: string;
  secondName?: string;
  secondPhone?: string;
}

function readGuardians(
  cells: CellValue[],
  cellOf: (cells: CellValue[], key: StudentImportKey) => CellValue,
  text: (key: StudentImportKey) => string | undefined,
  fail: (key: StudentImportKey, problem: string, fix: string) => void,
  country: CountryCode,
): GuardianCells | null {
  const phone = (key: 'guardianPhone' | 'secondGuardianPhone'): string | undefined => {
    const cell = cellOf(cells, key);
    if (isBlank(cell)) return undefined;
    const result = cellPhone(cell, country);
    if (!result.ok) {
      fail(key, result.problem, result.fix);
      return undefined;
    }
    return result.value;
  };
  let email: string | undefined;
  const emailCell = cellOf(cells, 'guardianEmail');
  if (!isBlank(emailCell)) {
    const result = cellEmail(emailCell);
    if (result.ok) email = result.value;
    else fail('guardianEmail', result.problem, result.fix);
  }
  const guardian: GuardianCells = {
    name: text('guardianName'),
    phone: phone('guardianPhone'),
    email,
    relationship: text('guardianRelationship'),
    secondName: text('secondGuardianName'),
    secondPhone: phone('secondGuardianPhone'),
  };
  if (guardian.name === undefined && guardian.phone === undefined && guardian.email === undefined) {
    if (guardian.secondName !== undefined || guardian.secondPhone !== undefined) {
      fail('guardianName', 'A second guardian is given but not the first', 'Write the first guardian’s name and phone, or move the second guardian’s details into those columns');
    }
    return null;
  }
  if (guardian.name === undefined) fail('guardianName', 'The guardian has a phone or e-mail but no name', 'Write the guardian’s name (in a “Guardian name” column, if the file has none)');
  else if (guardian.name.length > 120) fail('guardianName', 'The guardian’s name is longer than 120 characters', 'Shorten it');
  if (guardian.phone === undefined && guardian.email === undefined && isBlank(cellOf(cells, 'guardianPhone')) && isBlank(emailCell)) {
    // A name alone cannot tell two families apart: a phone or e-mail is what siblings share.
    fail('guardianPhone', `The guardian ${guardian.name ?? ''} has no phone number or e-mail`, 'Write the guardian’s phone number (or e-mail), so that siblings are joined into one family');
  }
  return guardian;
}

/**
 * The families the import joins students to: a guardian is found by phone (then e-mail) among the
 * school's payers and the rows already planned, so siblings in the file share one family account.
 */
class FamilyPlan {
  private readonly created = new Map<string, Payer>();
  private readonly changed = new Map<string, Payer>();
  private readonly stored: Map<string, Payer>;
  private readonly byContact: Map<string, Payer>;
  /** The first row that created or changed each payer, to name it in a problem. */
  readonly rowOf = new Map<string, number>();

  constructor(
    private readonly ctx: StudentImportContext,
    private readonly lookups: Lookups,
  ) {
    this.byContact = new Map(lookups.payersByContact);
    this.stored = new Map(ctx.payers.map((p) => [p.id, p]));
  }

  /** Joins `student` to the row's guardian; an error when that contradicts the family it has. */
  add(row: number, student: Student, isNew: boolean, guardian: GuardianCells | null): RowError | null {
    if (guardian === null) return null;
    const country = this.ctx.defaultCountry;
    const keys = [guardian.phone ? contactKey('phone', guardian.phone, country) : null, guardian.email ? contactKey('email', guardian.email, country) : null].filter((k): k is string => k !== null);
    const latest = (payer: Payer): Payer => this.created.get(payer.id) ?? this.changed.get(payer.id) ?? payer;
    const families = isNew ? [] : (this.lookups.payersOfStudent.get(student.id) ?? []).filter((p) => p.archived !== true);
    // A student's own family holding one of the row's contacts is the family meant, even where that
    // contact is also another family's (a second guardian's phone, an e-mail two families share):
    // importing the same file again then finds every student where the first import put them.
    const own = families.map(latest).find((payer) => payer.contacts.some((contact) => keys.includes(contactKey(contact.type, contact.value, country) ?? '')));
    const found = own ?? keys.map((key) => this.byContact.get(key)).find((payer) => payer !== undefined);
    const current = found ? latest(found) : undefined;
    if (current && current.students.some((link) => link.studentId === student.id)) {
      if (!this.rowOf.has(current.id)) this.rowOf.set(current.id, row);
      this.addContacts(current, guardian, keys);
      return null;
    }
    if (families.length > 0) {
      const named = families.map((p) => `"${p.name}"`).join(', ');
      return {
        row,
        problem: `${student.firstName} ${student.lastName} already belongs to ${named}, and this row names another guardian (${guardian.phone ?? guardian.email ?? guardian.name ?? ''})`,
        fix: `Leave the guardian cells empty for students already in a family, write that family’s phone number, or change the family on the student’s account`,
      };
    }
    const payer: Payer = current
      ? { ...current, students: [...current.students, { studentId: student.id, share: FULL_SHARE }] }
      : {
          id: this.ctx.newId(),
          schoolId: this.ctx.schoolId,
          kind: 'guardian',
          name: guardian.name ?? '',
          contacts: [],
          preferredChannel: guardian.phone ? 'sms' : guardian.email ? 'email' : 'none',
          students: [{ studentId: student.id, share: FULL_SHARE }],
          createdAt: this.ctx.now,
          updatedAt: this.ctx.now,
        };
    if (!this.rowOf.has(payer.id)) this.rowOf.set(payer.id, row);
    this.store(payer);
    this.addContacts(payer, guardian, keys);
    return null;
  }

  private addContacts(payer: Payer, guardian: GuardianCells, keys: string[]): void {
    const contacts = [...payer.contacts];
    const country = this.ctx.defaultCountry;
    const have = new Set(contacts.map((c) => contactKey(c.type, c.value, country)));
    const add = (type: 'phone' | 'email', value: string | undefined, label: string | undefined): void => {
      const key = value ? contactKey(type, value, country) : null;
      if (!value || !key || have.has(key) || contacts.length >= 10) return;
      have.add(key);
      contacts.push({ type, value, ...(label ? { label: label.slice(0, 60) } : {}) });
    };
    add('phone', guardian.phone, guardian.relationship);
    add('email', guardian.email, guardian.relationship);
    add('phone', guardian.secondPhone, guardian.secondName);
    if (contacts.length === payer.contacts.length && this.created.has(payer.id) === false && this.changed.has(payer.id) === false) {
      for (const key of keys) {
        const holder = this.byContact.get(key);
        if (holder === undefined || holder.id === payer.id) this.byContact.set(key, payer);
      }
      return;
    }
    const next = contacts.length === payer.contacts.length ? payer : { ...payer, contacts };
    this.store(next);
  }

  /**
   * Keeps the payer's new state, and finds it by its contacts: a contact already another family's
   * stays that family's (the first to have it), so a second guardian's phone on one child's row
   * does not draw that guardian's other children into this family.
   */
  private store(payer: Payer): void {
    if (this.stored.has(payer.id)) this.changed.set(payer.id, { ...payer, updatedAt: this.ctx.now });
    else this.created.set(payer.id, payer);
    for (const contact of payer.contacts) {
      const key = contactKey(contact.type, contact.value, this.ctx.defaultCountry);
      const holder = key ? this.byContact.get(key) : undefined;
      if (key && (holder === undefined || holder.id === payer.id)) this.byContact.set(key, payer);
    }
  }

  result(): { create: Payer[]; update: Change<Payer>[] } {
    const update = [...this.changed.values()].flatMap((after) => {
      const before = this.stored.get(after.id);
      return before ? [{ before, after }] : [];
    });
    return { create: [...this.created.values()], update };
  }
}
