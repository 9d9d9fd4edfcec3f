// What every import planner does the same way: find the header and the column of each field (or
// take the person's choice), name a column as Excel shows it, look up a class, term or category
// typed by name or code, and find a student by admission number (00123 read as 123 too).
import type { Student } from '../schemas/students.ts';
import { cellText, isBlank } from './cells.ts';
import { describeColumn, findHeader, normaliseHeader, type HeaderMatch } from './header.ts';
import { ImportFileError, type CellValue, type ColumnMapping, type ImportField, type SheetTable } from './table.ts';

/** One column of an import: its key, our template's header, whether it must be there, a hint, other headers that mean it. */
export const importField = <K extends string>(key: K, header: string, required: boolean, hint: string, synonyms: readonly string[]): ImportField<K> => ({ key, header, required, hint, synonyms });

export interface ImportColumns<Key extends string> {
  header: HeaderMatch<Key>;
  mapping: ColumnMapping<Key>;
  /** `C "Date of birth"`: the field's column as the person sees it. */
  columnName: (key: Key) => string;
  /** The row's cell for a field; null when the file has no such column. */
  cellOf: (cells: readonly CellValue[], key: Key) => CellValue;
}

/** The header and each field's column; refuses a file without a required column, saying which. */
export function importColumns<Key extends string>(table: SheetTable, fields: readonly ImportField<Key>[], chosen?: ColumnMapping<Key>): ImportColumns<Key> {
  const header = findHeader(table, fields);
  const mapping = chosen ?? header.mapping;
  const missing = fields.filter((f) => f.required && mapping[f.key] === undefined);
  if (missing.length > 0) {
    const found = header.headers.filter(Boolean).map((h) => `"${h}"`).join(', ') || 'empty';
    throw new ImportFileError(
      `The file has no ${missing.map((f) => `"${f.header}"`).join(', ')} column${missing.length > 1 ? 's' : ''} (header found in row ${String(header.headerRow)}: ${found}).`,
      `Name the columns as in the template (${fields.filter((f) => f.required).map((f) => f.header).join(', ')}), or choose which column holds each one.`,
      { headerRow: header.headerRow, headers: [...header.headers], mapping: { ...mapping }, missing: missing.map((f) => f.key) },
    );
  }
  return {
    header,
    mapping,
    columnName: (key) => {
      const index = mapping[key];
      // A problem with a field the file has no column for (a guardian's name beside their phone).
      if (index === undefined) return `no "${fields.find((f) => f.key === key)?.header ?? key}" column`;
      return describeColumn(index, header.headers[index] ?? '');
    },
    cellOf: (cells, key) => {
      const index = mapping[key];
      return index === undefined ? null : (cells[index] ?? null);
    },
  };
}

/** Set-up items (classes, terms, categories) by their normalised name and code: ids, several when names clash. */
export function referenceIndex(docs: readonly { id: string; name: string; schoolId: string; archived?: boolean; data: object }[], schoolId: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const doc of docs) {
    if (doc.archived === true || doc.schoolId !== schoolId) continue;
    const code = 'code' in doc.data && typeof doc.data.code === 'string' ? doc.data.code : '';
    for (const key of new Set([normaliseHeader(doc.name), code ? normaliseHeader(code) : ''])) {
      if (key) map.set(key, [...(map.get(key) ?? []), doc.id]);
    }
  }
  return map;
}

/** The id of the item a cell names, or undefined after telling `fail` what is wrong and what to write. */
export function lookupReference(cell: CellValue, known: Map<string, string[]>, what: string, fail: (problem: string, fix: string) => void): string | undefined {
  if (isBlank(cell)) return undefined;
  const text = cellText(cell);
  if (!text.ok) {
    fail(text.problem, text.fix);
    return undefined;
  }
  const ids = known.get(normaliseHeader(text.value)) ?? [];
  if (ids.length === 1) return ids[0];
  if (ids.length > 1) {
    fail(`More than one ${what} is called "${text.value}"`, `Write the ${what}’s code instead, or rename one of them under Setup`);
    return undefined;
  }
  fail(`There is no ${what} "${text.value}"`, known.size === 0 ? `Add the ${what} under Setup first, then import again` : `Write one of the ${what} names or codes set up for the school, or add "${text.value}" under Setup first`);
  return undefined;
}

const withoutLeadingZeros = (number: string): string | null => (/^0*\d+$/.test(number) ? number.replace(/^0+(?=\d)/, '') : null);

/**
 * Finds a school's student by admission number, case aside; a number Excel stripped of its
 * leading zeros (123 for 00123, also in a CSV it saved) finds the one student with those digits.
 */
export function admissionLookup(students: readonly Student[], schoolId: string): (number: string) => Student | undefined {
  const byNumber = new Map<string, Student>();
  const byDigits = new Map<string, Student[]>();
  for (const student of students) {
    if (student.schoolId !== schoolId) continue;
    byNumber.set(student.admissionNumber.toLowerCase(), student);
    const digits = withoutLeadingZeros(student.admissionNumber);
    if (digits !== null) byDigits.set(digits, [...(byDigits.get(digits) ?? []), student]);
  }
  return (number) => {
    const exact = byNumber.get(number.toLowerCase());
    if (exact) return exact;
    const digits = withoutLeadingZeros(number);
    const candidates = digits === null ? [] : (byDigits.get(digits) ?? []);
    return candidates.length === 1 ? candidates[0] : undefined;
  };
}
