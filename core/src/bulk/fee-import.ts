// Fee structures from a spreadsheet: one row per fee line (term, class, optional student
// category, fee category, amount), the lines of one term, class and category making one
// structure, with its instalments as due dates and an optional split ("50;50"). Planned like the
// students import: every row's problem named, nothing written unless all of it is right, and the
// same file twice changes nothing (a structure is matched by its term, class and category).
import type { FeeStructure } from '../fees/fee-structures.ts';
import type { ClassDoc, FeeCategoryDoc, StudentCategoryDoc, TermDoc } from '../fees/reference.ts';
import { replicatedCollections } from '../sync/collections.ts';
import { canonicalJson } from '../sync/protocol.ts';
import { cellAmount, cellDate, cellText, isBlank } from './cells.ts';
import { importColumns, importField, lookupReference, referenceIndex } from './plan-parts.ts';
import type { Change, RowAction } from './student-import.ts';
import type { CellValue, ColumnMapping, RowError, SheetTable } from './table.ts';
import { ImportFileError } from './table.ts';

const field = importField;

export const feeImportFields = [
  field('term', 'Term', true, 'The term as set up (Term 1 2026)', ['term name', 'academic term', 'session', 'period']),
  field('class', 'Class', true, 'The class name or code as set up', ['class name', 'grade', 'form', 'class code', 'year group', 'standard']),
  field('category', 'Student category', false, 'Optional: Day scholar, Boarder… (blank = any student of the class)', ['category', 'boarding', 'student type', 'residence']),
  field('feeCategory', 'Fee category', true, 'Tuition, Transport… as set up', ['fee', 'fee item', 'fee type', 'item', 'vote head', 'votehead', 'fee head']),
  field('description', 'Description', false, 'What the bill line says (blank = the fee category)', ['details', 'line', 'narration', 'particulars']),
  field('amount', 'Amount', true, 'Per student per term, e.g. 15,000.00', ['fee amount', 'amount per term', 'cost', 'charge', 'fees', 'value']),
  field('dueDates', 'Due dates', true, 'One date per instalment, separated by ";" (2026-01-31; 2026-03-31)', ['due date', 'due', 'instalment due dates', 'installment due dates', 'deadline', 'deadlines']),
  field('split', 'Split', false, 'Optional: each instalment’s share, ";"-separated (60;40); blank = equal', ['instalment split', 'installment split', 'weights', 'shares', 'percentages']),
] as const;

export type FeeImportKey = (typeof feeImportFields)[number]['key'];

export interface FeeImportContext {
  schoolId: string;
  currency: string;
  dateOrder: 'dmy' | 'mdy';
  terms: readonly TermDoc[];
  classes: readonly ClassDoc[];
  studentCategories: readonly StudentCategoryDoc[];
  feeCategories: readonly FeeCategoryDoc[];
  structures: readonly FeeStructure[];
  now: string;
  newId: () => string;
}

export interface FeeImportPlan {
  sheetName: string;
  headerRow: number;
  headers: string[];
  mapping: ColumnMapping<FeeImportKey>;
  rows: { row: number; structure: string; action: RowAction }[];
  errors: RowError[];
  structures: { create: FeeStructure[]; update: Change<FeeStructure>[] };
  summary: { create: number; update: number; unchanged: number; lines: number };
}

interface Schedule {
  dueDates: string[];
  weights: number[];
}

/** The plan of importing fee structures from `table`. Throws ImportFileError when no header is found. */
export function planFeeImport(table: SheetTable, ctx: FeeImportContext, chosen?: ColumnMapping<FeeImportKey>): FeeImportPlan {
  const { header, mapping, columnName, cellOf } = importColumns(table, feeImportFields, chosen);
  const terms = referenceIndex(ctx.terms, ctx.schoolId);
  const classes = referenceIndex(ctx.classes, ctx.schoolId);
  const studentCategories = referenceIndex(ctx.studentCategories, ctx.schoolId);
  const feeCategories = referenceIndex(ctx.feeCategories, ctx.schoolId);
  const feeCategoryNames = new Map(ctx.feeCategories.map((c) => [c.id, c.name]));
  const termNames = new Map(ctx.terms.map((t) => [t.id, t.name]));
  const classNames = new Map(ctx.classes.map((c) => [c.id, c.name]));

  const errors: RowError[] = [];
  const rows: FeeImportPlan['rows'] = [];
  // The structures the file describes, by term, class and category, with the rows they came from.
  const planned = new Map<string, { termId: string; classId: string; categoryId?: string; lines: FeeStructure['lines']; schedule: Schedule; scheduleRow: number; rows: number[]; feeRows: Map<string, number> }>();

  for (const { cells, rowNumber: row } of table.rows.slice(header.headerIndex + 1)) {
    if (cells.every(isBlank)) continue;
    const before = errors.length;
    const fail = (key: FeeImportKey, problem: string, fix: string): void => {
      errors.push({ row, column: columnName(key), problem, fix });
    };
    const reference = (key: FeeImportKey, known: Map<string, string[]>, what: string, required: boolean): string | undefined => {
      if (required && isBlank(cellOf(cells, key))) {
        fail(key, `The ${what} is empty`, `Write the ${what} for this fee line`);
        return undefined;
      }
      return lookupReference(cellOf(cells, key), known, what, (problem, fix) => fail(key, problem, fix));
    };
    const termId = reference('term', terms, 'term', true);
    const classId = reference('class', classes, 'class', true);
    const categoryId = reference('category', studentCategories, 'student category', false);
    const feeCategoryId = reference('feeCategory', feeCategories, 'fee category', true);
    let amount: number | undefined;
    const amountCell = cellOf(cells, 'amount');
    if (isBlank(amountCell)) fail('amount', 'The amount is empty', 'Write the amount per student for the term');
    else {
      const result = cellAmount(amountCell, ctx.currency);
      if (!result.ok) fail('amount', result.problem, result.fix);
      else if (result.value <= 0) fail('amount', 'The amount is zero or less', 'Write the amount billed; leave out fee lines a class does not pay');
      else amount = result.value;
    }
    let description: string | undefined;
    const descriptionCell = cellOf(cells, 'description');
    if (!isBlank(descriptionCell)) {
      const text = cellText(descriptionCell);
      if (!text.ok) fail('description', text.problem, text.fix);
      else if (text.value.length > 120) fail('description', 'The description is longer than 120 characters', 'Shorten it to 120 characters');
      else description = text.value;
    }
    const schedule = readSchedule(cellOf(cells, 'dueDates'), cellOf(cells, 'split'), ctx.dateOrder, (key, problem, fix) => fail(key, problem, fix));
    if (errors.length > before || termId === undefined || classId === undefined || feeCategoryId === undefined || amount === undefined || schedule === undefined) {
      rows.push({ row, structure: '', action: 'error' });
      continue;
    }
    const key = `${termId}|${classId}|${categoryId ?? ''}`;
    const structureName = `${classNames.get(classId) ?? ''} — ${termNames.get(termId) ?? ''}`;
    let entry = planned.get(key);
    if (!entry) {
      entry = { termId, classId, ...(categoryId ? { categoryId } : {}), lines: [], schedule, scheduleRow: row, rows: [], feeRows: new Map() };
      planned.set(key, entry);
    } else if (JSON.stringify(entry.schedule) !== JSON.stringify(schedule)) {
      fail('dueDates', `The instalments differ from row ${String(entry.scheduleRow)}, another line of ${structureName}`, `Give every line of one class, term and category the same due dates and split`);
      rows.push({ row, structure: structureName, action: 'error' });
      continue;
    }
    const earlier = entry.feeRows.get(feeCategoryId);
    if (earlier !== undefined) {
      fail('feeCategory', `${feeCategoryNames.get(feeCategoryId) ?? 'This fee'} is already billed to ${structureName} in row ${String(earlier)}`, 'Keep one row per fee category for each class, term and category: add the amounts together or delete the extra row');
      rows.push({ row, structure: structureName, action: 'error' });
      continue;
    }
    entry.feeRows.set(feeCategoryId, row);
    entry.lines.push({ feeCategoryId, description: description ?? feeCategoryNames.get(feeCategoryId) ?? 'Fee', amount });
    entry.rows.push(row);
    rows.push({ row, structure: structureName, action: 'create' });
  }
  if (rows.length === 0) throw new ImportFileError(`The sheet has a header in row ${String(header.headerRow)} but no fee lines below it.`, 'Add one row per fee line under the header, or choose the file that has them.');

  const create: FeeStructure[] = [];
  const update: Change<FeeStructure>[] = [];
  let unchanged = 0;
  const current = (s: FeeStructure): boolean => s.archived !== true && s.schoolId === ctx.schoolId;
  for (const entry of planned.values()) {
    const existing = ctx.structures.find((s) => current(s) && s.termId === entry.termId && s.classId === entry.classId && (s.studentCategoryId ?? '') === (entry.categoryId ?? ''));
    const instalments = entry.schedule.dueDates.map((dueDate, i) => ({ label: entry.schedule.dueDates.length === 1 ? 'Full term' : `Instalment ${String(i + 1)}`, dueDate, weight: entry.schedule.weights[i] ?? 1 }));
    const name = `${classNames.get(entry.classId) ?? 'Class'} — ${termNames.get(entry.termId) ?? 'Term'}`.slice(0, 120);
    const next: FeeStructure = existing
      ? { ...existing, lines: entry.lines, instalments }
      : { id: ctx.newId(), schoolId: ctx.schoolId, name, termId: entry.termId, classId: entry.classId, ...(entry.categoryId ? { studentCategoryId: entry.categoryId } : {}), lines: entry.lines, instalments, createdAt: ctx.now, updatedAt: ctx.now };
    const problems = replicatedCollections.feeStructures.validate(next);
    if (problems.length > 0) {
      errors.push({ row: entry.rows[0] ?? header.headerRow + 1, problem: `${name} cannot be saved: ${problems.map((p) => `${p.path.slice(1)} ${p.message}`).join('; ')}`, fix: 'Correct its rows and import again' });
      for (const r of rows) if (entry.rows.includes(r.row)) r.action = 'error';
      continue;
    }
    // Compared as canonical JSON: the server may hand the stored structure back with its keys in another order.
    const same = existing !== undefined && canonicalJson([existing.lines, existing.instalments]) === canonicalJson([next.lines, next.instalments]);
    const action: RowAction = existing ? (same ? 'unchanged' : 'update') : 'create';
    for (const r of rows) if (entry.rows.includes(r.row)) r.action = action;
    if (!existing) create.push(next);
    else if (same) unchanged += 1;
    else update.push({ before: existing, after: { ...next, updatedAt: ctx.now } });
  }
  return {
    sheetName: table.sheetName,
    headerRow: header.headerRow,
    headers: header.headers,
    mapping,
    rows,
    errors: errors.sort((a, b) => a.row - b.row),
    structures: { create, update },
    summary: { create: create.length, update: update.length, unchanged, lines: rows.filter((r) => r.action !== 'error').length },
  };
}

/** Due dates ("2026-01-31; 31/03/2026") and an optional split ("60;40" or "60%;40%"). */
function readSchedule(datesCell: CellValue, splitCell: CellValue, order: 'dmy' | 'mdy', fail: (key: FeeImportKey, problem: string, fix: string) => void): Schedule | undefined {
  if (isBlank(datesCell)) {
    fail('dueDates', 'The due dates are empty', 'Write the date each instalment is due, separated by ";" (one date for a single payment)');
    return undefined;
  }
  const parts: CellValue[] = typeof datesCell === 'string' ? datesCell.split(/\s*[;|\n]\s*/).filter((p) => p.trim() !== '') : [datesCell];
  const dueDates: string[] = [];
  for (const part of parts) {
    const date = cellDate(part, order);
    if (!date.ok) {
      fail('dueDates', date.problem, `${date.fix}; separate several dates with ";"`);
      return undefined;
    }
    dueDates.push(date.value);
  }
  if (dueDates.length > 24) {
    fail('dueDates', `${String(dueDates.length)} instalments is more than 24`, 'Give at most 24 due dates');
    return undefined;
  }
  if (dueDates.some((date, i) => i > 0 && date <= (dueDates[i - 1] ?? ''))) {
    fail('dueDates', 'The due dates are not in order', 'Write the instalments’ due dates from the first to the last');
    return undefined;
  }
  let weights = dueDates.map(() => 1);
  if (!isBlank(splitCell)) {
    const read = cellText(splitCell);
    const text = read.ok ? read.value : '';
    const shares = text.split(/\s*[;|/]\s*/).map((p) => p.replace(/%$/, '').trim());
    if (shares.length !== dueDates.length || shares.some((s) => !/^\d{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 10_000)) {
      fail('split', `"${text}" does not give one whole number per instalment (${String(dueDates.length)})`, `Write ${String(dueDates.length)} whole numbers separated by ";", like ${dueDates.map(() => String(Math.floor(100 / dueDates.length))).join(';')}, or leave it blank for equal parts`);
      return undefined;
    }
    weights = shares.map(Number);
  }
  return { dueDates, weights };
}
