// Opening balances: what each student owed in the school's old books when it starts with Fee
// Master, imported as one "balance brought forward" invoice per student, due on the date the
// balance is taken, split over the student's payers like any bill. Its ids come from the student,
// so the same file twice adds nothing, and a balance once imported is never changed by a later
// file (the ledger is append-only: a correction is a discount, a write-off or another charge).
import { keyedId } from '../ids.ts';
import type { Student } from '../schemas/students.ts';
import { splitStructureIntoCharges } from '../fees/charge-split.ts';
import type { FeeStructure } from '../fees/fee-structures.ts';
import type { InvoiceDoc } from '../fees/ledger.ts';
import type { Payer } from '../fees/payers.ts';
import type { TermDoc } from '../fees/reference.ts';
import { formatMoney } from '../money.ts';
import { replicatedCollections } from '../sync/collections.ts';
import { cellAmount, cellText, isBlank } from './cells.ts';
import { admissionLookup, importColumns, importField } from './plan-parts.ts';
import type { RowAction } from './student-import.ts';
import type { ColumnMapping, RowError, SheetTable } from './table.ts';
import { ImportFileError } from './table.ts';

const field = importField;

export const balanceImportFields = [
  field('admissionNumber', 'Admission number', true, 'The student the balance is for', ['admission no', 'adm no', 'adm', 'admission', 'student no', 'student number', 'reg no', 'student id']),
  field('amount', 'Balance owed', true, 'What the student owed in the old books (0 = nothing)', ['balance', 'opening balance', 'amount owed', 'arrears', 'balance brought forward', 'balance b/f', 'bal b/f', 'amount', 'outstanding', 'owed', 'fee balance']),
  field('description', 'Description', false, 'What the bill line says (blank = Balance brought forward)', ['details', 'narration', 'particulars', 'note']),
] as const;

export type BalanceImportKey = (typeof balanceImportFields)[number]['key'];

export interface BalanceImportContext {
  schoolId: string;
  currency: string;
  /** The term the balances are booked in (the first term kept in Fee Master). */
  term: TermDoc;
  /** The day the old books were closed: the balance is due from then. */
  asOf: string;
  students: readonly Student[];
  payers: readonly Payer[];
  /** Opening-balance invoices the school has already, by id. */
  existing: ReadonlyMap<string, InvoiceDoc>;
  createdBy: string;
  deviceId?: string;
  now: string;
}

export interface BalanceImportPlan {
  sheetName: string;
  headerRow: number;
  headers: string[];
  mapping: ColumnMapping<BalanceImportKey>;
  rows: { row: number; admissionNumber: string; name: string; amount: number; action: RowAction }[];
  errors: RowError[];
  invoices: InvoiceDoc[];
  summary: { create: number; unchanged: number; total: number };
}

/** The id of a student's opening-balance invoice: one per student, whatever file it came from. */
export const openingBalanceInvoiceId = (studentId: string): string => keyedId(`opening-balance:${studentId}`);

/** The plan of importing opening balances. Throws ImportFileError when no header is found. */
export function planBalanceImport(table: SheetTable, ctx: BalanceImportContext, chosen?: ColumnMapping<BalanceImportKey>): BalanceImportPlan {
  const { header, mapping, columnName, cellOf } = importColumns(table, balanceImportFields, chosen);
  const find = admissionLookup(ctx.students, ctx.schoolId);
  // The balance is a one-line, one-instalment bill, split over the student's payers like any.
  const structureId = keyedId(`opening-balance:structure:${ctx.schoolId}`);
  const noClass = keyedId(`opening-balance:class:${ctx.schoolId}`);
  const structureFor = (description: string, amount: number): FeeStructure => ({
    id: structureId,
    schoolId: ctx.schoolId,
    name: 'Balance brought forward',
    termId: ctx.term.id,
    classId: noClass,
    lines: [{ feeCategoryId: keyedId(`opening-balance:fee-category:${ctx.schoolId}`), description, amount }],
    instalments: [{ label: 'Opening balance', dueDate: ctx.asOf, weight: 1 }],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  });

  const errors: RowError[] = [];
  const rows: BalanceImportPlan['rows'] = [];
  const invoices: InvoiceDoc[] = [];
  const seen = new Map<string, number>();
  let unchanged = 0;
  for (const { cells, rowNumber: row } of table.rows.slice(header.headerIndex + 1)) {
    if (cells.every(isBlank)) continue;
    const before = errors.length;
    const fail = (key: BalanceImportKey, problem: string, fix: string): void => {
      errors.push({ row, column: columnName(key), problem, fix });
    };
    const numberCell = cellOf(cells, 'admissionNumber');
    const number = isBlank(numberCell) ? null : cellText(numberCell);
    let student: Student | undefined;
    if (number === null) fail('admissionNumber', 'The admission number is empty', 'Write the admission number of the student who owes the balance');
    else if (!number.ok) fail('admissionNumber', number.problem, number.fix);
    else {
      student = find(number.value);
      if (!student) fail('admissionNumber', `No student has admission number ${number.value}`, 'Import or add the student first, or correct the number');
    }
    let amount: number | undefined;
    const amountCell = cellOf(cells, 'amount');
    if (isBlank(amountCell)) fail('amount', 'The balance is empty', 'Write what the student owed (0 if nothing)');
    else {
      const result = cellAmount(amountCell, ctx.currency);
      if (!result.ok) fail('amount', result.problem, result.fix);
      else if (result.value < 0) fail('amount', `${formatMoney(result.value, ctx.currency)} is a credit, which cannot be brought forward as a balance`, 'Leave the row out and record the money held for the family as a payment at the till');
      else amount = result.value;
    }
    let description = 'Balance brought forward';
    const descriptionCell = cellOf(cells, 'description');
    if (!isBlank(descriptionCell)) {
      const text = cellText(descriptionCell);
      if (!text.ok) fail('description', text.problem, text.fix);
      else if (text.value.length > 120) fail('description', 'The description is longer than 120 characters', 'Shorten it to 120 characters');
      else description = text.value;
    }
    if (student) {
      const earlier = seen.get(student.id);
      if (earlier !== undefined) fail('admissionNumber', `${student.firstName} ${student.lastName} already has a balance in row ${String(earlier)}`, 'Keep one row per student: add the amounts together');
      else seen.set(student.id, row);
    }
    const name = student ? `${student.firstName} ${student.lastName}` : '';
    const admissionNumber = student?.admissionNumber ?? (number?.ok ? number.value : '');
    if (errors.length > before || !student || amount === undefined) {
      rows.push({ row, admissionNumber, name, amount: amount ?? 0, action: 'error' });
      continue;
    }
    const invoiceId = openingBalanceInvoiceId(student.id);
    const stored = ctx.existing.get(invoiceId);
    if (stored) {
      const had = stored.charges.reduce((sum, charge) => sum + charge.amount, 0);
      if (had === amount) {
        unchanged += 1;
        rows.push({ row, admissionNumber, name, amount, action: 'unchanged' });
      } else {
        fail('amount', `${name}'s opening balance of ${formatMoney(had, ctx.currency)} was brought forward on ${stored.issuedOn}; it cannot be changed to ${formatMoney(amount, ctx.currency)}`, 'Correct a balance on the student’s account (a discount or write-off, or a new charge) instead of importing it again');
        rows.push({ row, admissionNumber, name, amount, action: 'error' });
      }
      continue;
    }
    if (amount === 0) {
      unchanged += 1;
      rows.push({ row, admissionNumber, name, amount, action: 'unchanged' });
      continue;
    }
    const charges = splitStructureIntoCharges(structureFor(description, amount), { invoiceId, studentId: student.id, payers: ctx.payers });
    const invoice: InvoiceDoc = {
      id: invoiceId,
      schoolId: ctx.schoolId,
      currency: ctx.currency,
      createdAt: ctx.now,
      createdBy: ctx.createdBy,
      ...(ctx.deviceId ? { deviceId: ctx.deviceId } : {}),
      type: 'invoice',
      studentId: student.id,
      termId: ctx.term.id,
      classId: student.classId ?? noClass,
      feeStructureId: structureId,
      issuedOn: ctx.asOf,
      charges,
    };
    const problems = replicatedCollections.ledger.validate(invoice);
    if (problems.length > 0) {
      errors.push({ row, problem: `The balance cannot be saved: ${problems.map((p) => `${p.path.slice(1)} ${p.message}`).join('; ')}`, fix: 'Correct the row and import again' });
      rows.push({ row, admissionNumber, name, amount, action: 'error' });
      continue;
    }
    invoices.push(invoice);
    rows.push({ row, admissionNumber, name, amount, action: 'create' });
  }
  if (rows.length === 0) throw new ImportFileError(`The sheet has a header in row ${String(header.headerRow)} but no balances below it.`, 'Add one row per student under the header, or choose the file that has them.');
  return {
    sheetName: table.sheetName,
    headerRow: header.headerRow,
    headers: header.headers,
    mapping,
    rows,
    errors: errors.sort((a, b) => a.row - b.row),
    invoices,
    summary: { create: invoices.length, unchanged, total: invoices.reduce((sum, inv) => sum + inv.charges.reduce((s, c) => s + c.amount, 0), 0) },
  };
}
