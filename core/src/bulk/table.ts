// The shapes every bulk import and export shares: a file read into rows of cells, the columns an
// import expects, and a problem with one cell named the way the person sees it in Excel
// (row 7, column C "Date of birth").

/** One cell as read: text, a number, a boolean, a date (a cell Excel formats as a date), or empty. */
export type CellValue = string | number | boolean | Date | null;

export interface TableRow {
  /** The row number as the spreadsheet shows it (1 = the first line of the file or sheet). */
  rowNumber: number;
  cells: CellValue[];
}

export interface SheetTable {
  format: 'xlsx' | 'csv';
  /** The sheet that was read (xlsx), or the file's name (csv). */
  sheetName: string;
  /** Every row in order, blank ones included, each with its spreadsheet row number. */
  rows: TableRow[];
  /** For csv: the text encoding and separator found, to tell the person ("Windows-1252, ';'"). */
  detected?: { encoding: string; delimiter: string };
  /** For xlsx: every sheet's name in the workbook, in order, so the person can choose another. */
  sheetNames?: string[];
}

/** A column an import reads: its key, the header people write, and other headers that mean it. */
export interface ImportField<Key extends string = string> {
  key: Key;
  /** The header in our template ("Admission number"). */
  header: string;
  /** Other headers recognised, compared without case, accents, spaces or punctuation. */
  synonyms: readonly string[];
  required: boolean;
  /** One line for the template and the mapping screen: what goes in this column. */
  hint: string;
}

/** Which column (0-based) feeds each field; absent = not in the file. */
export type ColumnMapping<Key extends string = string> = Partial<Record<Key, number>>;

/** What is wrong with a row, named as the person sees it, and how to fix it. */
export interface RowError {
  /** Spreadsheet row number (as Excel shows it). */
  row: number;
  /** Column letter and header, e.g. `C "Date of birth"`; absent when the row as a whole is wrong. */
  column?: string;
  /** What is wrong: `"31/02/2015" is not a date`. */
  problem: string;
  /** What to do: `Write the date as 31/01/2015 or 2015-01-31`. */
  fix: string;
}

/** A file that cannot be read at all (not a spreadsheet, empty, no header row found). */
/** A file whose header was found but not every required column: what the person can map by hand. */
export interface UnmappedColumns {
  headerRow: number;
  /** The header row's cells, by column index. */
  headers: string[];
  /** The columns found for the fields recognised (required ones missing). */
  mapping: ColumnMapping;
  /** The required fields with no column. */
  missing: string[];
}

export class ImportFileError extends Error {
  constructor(
    message: string,
    /** What the person should do about it. */
    readonly fix: string,
    /** Set when only columns are missing: the person may choose them instead of editing the file. */
    readonly unmapped?: UnmappedColumns,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/** Spreadsheet column letter of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
