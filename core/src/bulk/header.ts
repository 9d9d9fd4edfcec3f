// Finding the header row of an imported sheet (below any title or blank rows) and which column
// holds each field, matching headers the way people write them: "Adm. No", "ADMISSION_NUMBER".
import { cellText, isBlank, normaliseLabel } from './cells.ts';
import { type CellValue, type ColumnMapping, type ImportField, ImportFileError, type SheetTable, columnLetter } from './table.ts';

/** How many non-blank rows from the top may hold the header: titles and notes sit above it. */
export const HEADER_SEARCH_ROWS = 20;

export interface HeaderMatch<Key extends string> {
  /** Index of the header row in `table.rows`; the data starts after it. */
  headerIndex: number;
  /** The header row as the spreadsheet numbers it. */
  headerRow: number;
  /** Each column's header text ('' for a column without one). */
  headers: string[];
  mapping: ColumnMapping<Key>;
  /** Columns with a header that no field reads. */
  unmapped: { index: number; header: string }[];
  /** Required fields no column feeds. */
  missing: ImportField<Key>[];
}

/** A header reduced for comparison: case, accents, spaces, punctuation and underscores ignored. */
export function normaliseHeader(text: string): string {
  return normaliseLabel(text);
}

/** How a column is named to the person: `C "Date of birth"`, or just `C` when it has no header. */
export function describeColumn(index: number, header: string): string {
  const name = header.trim();
  return name === '' ? columnLetter(index) : `${columnLetter(index)} "${name}"`;
}

function fieldLookup<Key extends string>(fields: readonly ImportField<Key>[]): Map<string, ImportField<Key>> {
  const lookup = new Map<string, ImportField<Key>>();
  for (const field of fields) {
    for (const name of [field.header, field.key, ...field.synonyms]) {
      const key = normaliseHeader(name);
      // Earlier fields win a name two fields share, so the order of `fields` settles it.
      if (key !== '' && !lookup.has(key)) lookup.set(key, field);
    }
  }
  return lookup;
}

function fieldOf<Key extends string>(header: string, lookup: Map<string, ImportField<Key>>): ImportField<Key> | undefined {
  // "Date of birth (dd/mm/yyyy)": a hint in brackets is not part of the name.
  return lookup.get(normaliseHeader(header)) ?? lookup.get(normaliseHeader(header.replace(/\([^)]*\)|\[[^\]]*\]/gu, '')));
}

function matchHeaders<Key extends string>(
  headers: readonly string[],
  fields: readonly ImportField<Key>[],
): { mapping: ColumnMapping<Key>; unmapped: { index: number; header: string }[] } {
  const lookup = fieldLookup(fields);
  const mapping: ColumnMapping<Key> = {};
  const unmapped: { index: number; header: string }[] = [];
  headers.forEach((header, index) => {
    if (header.trim() === '') return;
    const field = fieldOf(header, lookup);
    // The first column with a field's name feeds it; a second one is left for the person to map.
    if (field !== undefined && mapping[field.key] === undefined) mapping[field.key] = index;
    else unmapped.push({ index, header });
  });
  return { mapping, unmapped };
}

/** Which column feeds each field, from header texts (the mapping screen's starting point). */
export function mappingFromHeaders<Key extends string>(headers: readonly string[], fields: readonly ImportField<Key>[]): ColumnMapping<Key> {
  return matchHeaders(headers, fields).mapping;
}

function headerTexts(cells: readonly CellValue[]): string[] {
  return cells.map((cell) => {
    const text = cellText(cell);
    return text.ok ? text.value : '';
  });
}

function expectedHeaders(fields: readonly ImportField[]): string {
  const required = fields.filter((field) => field.required).map((field) => field.header);
  const optional = fields.filter((field) => !field.required).map((field) => field.header);
  if (required.length === 0) return optional.join(', ');
  return optional.length === 0 ? required.join(', ') : `${required.join(', ')} (and any of ${optional.join(', ')})`;
}

/**
 * Finds the header row: of the first {@link HEADER_SEARCH_ROWS} non-blank rows, the first that
 * names the most fields, provided it names a required field or at least two fields. Throws
 * ImportFileError when no row does.
 */
export function findHeader<Key extends string>(table: SheetTable, fields: readonly ImportField<Key>[]): HeaderMatch<Key> {
  let best: { index: number; headers: string[]; count: number } | undefined;
  let looked = 0;
  for (const [index, row] of table.rows.entries()) {
    if (looked >= HEADER_SEARCH_ROWS) break;
    if (row.cells.every(isBlank)) continue;
    looked++;
    const headers = headerTexts(row.cells);
    const { mapping } = matchHeaders(headers, fields);
    const matched = fields.filter((field) => mapping[field.key] !== undefined);
    const enough = matched.some((field) => field.required) || matched.length >= 2;
    if (enough && (best === undefined || matched.length > best.count)) best = { index, headers, count: matched.length };
  }

  const headerRow = best === undefined ? undefined : table.rows[best.index];
  if (best === undefined || headerRow === undefined) {
    throw new ImportFileError(
      looked === 0
        ? `"${table.sheetName}" has nothing in it`
        : `No row of column headers was found in the first ${String(HEADER_SEARCH_ROWS)} rows of "${table.sheetName}"`,
      `Put one row of column headers above the data, named ${expectedHeaders(fields)}`,
    );
  }
  const { mapping, unmapped } = matchHeaders(best.headers, fields);
  return {
    headerIndex: best.index,
    headerRow: headerRow.rowNumber,
    headers: best.headers,
    mapping,
    unmapped,
    missing: fields.filter((field) => field.required && mapping[field.key] === undefined),
  };
}
