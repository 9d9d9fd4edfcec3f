// Reading a CSV file into rows numbered as Excel numbers them when it opens the file: the
// encoding and separator are found from the content, and a quoted cell with a line break in it
// stays one row.

// The default import: papaparse is a UMD script, whose functions Node's ESM loader exposes only as
// the default export (a namespace import finds no `parse` there).
import Papa, { type ParseResult } from 'papaparse';
import { decodeText } from './decode-text.ts';
import { type CellValue, ImportFileError, type SheetTable, type TableRow } from './table.ts';

export type CsvDelimiter = ',' | ';' | '\t' | '|';

/** The separators looked for, in the order that breaks a tie: comma first, as most files use it. */
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t', '|'];

export interface CsvOptions {
  /** The separator, when the person chose one; found from the content otherwise. */
  delimiter?: CsvDelimiter;
}

// Rows read to find the separator: enough to see past a title and a header.
const DETECTION_ROWS = 50;
// Excel writes and honours a first line `sep=;` that names the separator and is not a row.
const SEP_LINE = /^sep=(.)\n/iu;

const RESAVE_FIX = 'Open the file in Excel, save it again as CSV (or as .xlsx), and choose it again';

function isDelimiter(text: string | undefined): text is CsvDelimiter {
  return CSV_DELIMITERS.some((delimiter) => delimiter === text);
}

function parse(text: string, delimiter: CsvDelimiter, preview = 0): ParseResult<string[]> {
  return Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    preview,
  });
}

interface DelimiterFit {
  delimiter: CsvDelimiter;
  /** Rows with a quote that does not fit this separator. */
  quoteErrors: number;
  /** Rows with the most common number of columns... */
  agreeing: number;
  /** ...which is this. */
  width: number;
}

/**
 * The separator that splits the first rows into the same number of columns most often. A
 * separator that reads the rows with no quote errors comes first: a well-quoted file has none
 * with the right one, and a file with quote errors is refused anyway. Ties go to more columns,
 * then to the order of CSV_DELIMITERS.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  let best: DelimiterFit | undefined;
  for (const delimiter of CSV_DELIMITERS) {
    const preview = parse(text, delimiter, DETECTION_ROWS);
    const widths = new Map<number, number>();
    for (const fields of preview.data) {
      if (fields.length >= 2) widths.set(fields.length, (widths.get(fields.length) ?? 0) + 1);
    }
    let width = 0;
    let agreeing = 0;
    for (const [candidate, count] of widths) {
      if (count > agreeing || (count === agreeing && candidate > width)) {
        width = candidate;
        agreeing = count;
      }
    }
    if (width === 0) continue;
    const quoteErrors = new Set(preview.errors.filter((error) => error.type === 'Quotes').map((error) => error.row)).size;
    const candidate = { delimiter, quoteErrors, agreeing, width };
    if (best === undefined || isBetter(candidate, best)) best = candidate;
  }
  return best?.delimiter ?? ',';
}

function isBetter(a: DelimiterFit, b: DelimiterFit): boolean {
  if (a.quoteErrors !== b.quoteErrors) return a.quoteErrors < b.quoteErrors;
  if (a.agreeing !== b.agreeing) return a.agreeing > b.agreeing;
  return a.width > b.width;
}

/** Reads a CSV (or tab-separated) file; every cell is text, an empty one null. Throws ImportFileError. */
export function readCsv(bytes: Uint8Array, fileName: string, options: CsvOptions = {}): SheetTable {
  const { text: decoded, encoding } = decodeText(bytes);
  // A second BOM (some tools add one to a file that has one) is junk, not part of cell A1.
  // Excel takes CR, LF and CRLF alike as a line break, inside quoted cells too, where a line
  // break in a cell is LF.
  let text = decoded.replace(/^\uFEFF+/u, '').replace(/\r\n?/gu, '\n');
  const sepLine = SEP_LINE.exec(text);
  const declared = sepLine?.[1];
  if (sepLine) text = text.slice(sepLine[0].length);
  const delimiter = options.delimiter ?? (isDelimiter(declared) ? declared : detectDelimiter(text));

  const result = parse(text, delimiter);
  const quoteError = result.errors.find((error) => error.type === 'Quotes');
  if (quoteError) {
    const row = (quoteError.row ?? 0) + 1;
    throw new ImportFileError(
      `Row ${String(row)} of ${fileName} has a quote mark (") that opens a cell but does not close it where the cell ends`,
      `A cell that starts with " must end with ". ${RESAVE_FIX}, or correct the quotes in row ${String(row)}`,
    );
  }

  const width = result.data.reduce((widest, fields) => Math.max(widest, fields.length), 0);
  const rows: TableRow[] = result.data.map((fields, index) => {
    const cells: CellValue[] = fields.map((field) => (field === '' ? null : field));
    while (cells.length < width) cells.push(null);
    return { rowNumber: index + 1, cells };
  });
  // Blank rows at the end (the final line break, or lines of only separators) are no rows at all.
  while (rows.length > 0 && rows[rows.length - 1]?.cells.every((cell) => cell === null)) rows.pop();
  if (rows.length === 0) {
    throw new ImportFileError(`${fileName} is empty: it has no rows`, 'Choose the file that has the list in it');
  }
  return { format: 'csv', sheetName: fileName, rows, detected: { encoding, delimiter } };
}
