// Whatever file a person chooses, reading it gives a table or an ImportFileError, never a crash;
// any grid written as a properly quoted CSV reads back cell for cell; and no cell, however odd,
// makes a coercer throw.
import fc from 'fast-check';
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { cellAmount, cellBoolean, cellChoice, cellDate, cellEmail, cellInteger, cellPhone, cellText, isBlank, type CellResult } from './cells.ts';
import { CSV_DELIMITERS, type CsvDelimiter, readCsv } from './csv.ts';
import { findHeader } from './header.ts';
import { readTable } from './read-table.ts';
import { type CellValue, type ImportField, ImportFileError, type SheetTable } from './table.ts';
import { buildXlsx, gridCells } from './test-xlsx.ts';

const fields: readonly ImportField[] = [
  { key: 'admissionNumber', header: 'Admission number', synonyms: ['adm'], required: true, hint: '' },
  { key: 'name', header: 'Name', synonyms: [], required: true, hint: '' },
];

function expectWellFormed(table: SheetTable): void {
  expect(['xlsx', 'csv']).toContain(table.format);
  expect(typeof table.sheetName).toBe('string');
  expect(table.rows.length).toBeGreaterThan(0);
  let previous = 0;
  const width = table.rows[0]?.cells.length;
  for (const row of table.rows) {
    expect(Number.isInteger(row.rowNumber) && row.rowNumber > previous).toBe(true);
    previous = row.rowNumber;
    expect(row.cells.length).toBe(width);
    for (const cell of row.cells) {
      const ok = cell === null || typeof cell === 'string' || typeof cell === 'number' || typeof cell === 'boolean' || (cell instanceof Date && !Number.isNaN(cell.getTime()));
      expect(ok).toBe(true);
    }
  }
}

async function readsOrRefuses(bytes: Uint8Array): Promise<void> {
  let table: SheetTable;
  try {
    table = await readTable(bytes, 'fuzz.bin');
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
    return;
  }
  expectWellFormed(table);
  try {
    findHeader(table, fields);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
  }
}

// Characters that make CSV hard: separators, quotes, line breaks, spaces, formulas, non-ASCII.
const trickyChar = fc.constantFrom(',', ';', '\t', '|', '"', '\n', '\r', '\r\n', ' ', '\u00A0', '=', '+', '-', '0', 'a', 'é', 'ʼ', '👩🏾‍🎓', '\uFEFF', 'x');
const cellString = fc.oneof(fc.string({ unit: trickyChar, maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('', '=SUM(A1:A2)', '00123', '"quoted"', 'sep=;'));

function quote(cell: string): string {
  return `"${cell.replace(/"/g, '""')}"`;
}

// Quotes, line breaks and the separator need quotes; so do a leading BOM and "sep=", which a
// reader takes for a byte-order mark and a separator line at the start of a file.
function mustQuote(cell: string, delimiter: CsvDelimiter): boolean {
  return /["\r\n]|^\uFEFF|^sep=/iu.test(cell) || cell.includes(delimiter);
}

/** A CSV line as Excel writes it: quote a cell only when it needs it (or always, if asked). */
function csvText(grid: readonly (readonly string[])[], delimiter: CsvDelimiter, lineBreak: string, quoteAll: boolean): string {
  return grid
    .map((row) =>
      row
        .map((cell) => (quoteAll || mustQuote(cell, delimiter) ? quote(cell) : cell))
        .join(delimiter),
    )
    .join(lineBreak);
}

/** What the reader should give back: line breaks in cells as LF, empty cells null, no blank rows at the end. */
function expectedRows(grid: readonly (readonly string[])[]): CellValue[][] {
  const rows: CellValue[][] = grid.map((row) => row.map((cell) => (cell === '' ? null : cell.replace(/\r\n?/g, '\n'))));
  while (rows.length > 0 && rows[rows.length - 1]?.every((cell) => cell === null)) rows.pop();
  return rows;
}

function expectRoundTrip(grid: readonly (readonly string[])[], bytes: Uint8Array, delimiter: CsvDelimiter | undefined): void {
  const expected = expectedRows(grid);
  if (expected.length === 0) {
    expect(() => readCsv(bytes, 'grid.csv', delimiter ? { delimiter } : {})).toThrow(ImportFileError);
    return;
  }
  const table = readCsv(bytes, 'grid.csv', delimiter ? { delimiter } : {});
  expect(table.rows.map((row) => row.cells)).toEqual(expected);
  expect(table.rows.map((row) => row.rowNumber)).toEqual(expected.map((_, index) => index + 1));
  expect(table.detected?.delimiter).toBe(delimiter ?? table.detected?.delimiter);
}

// Files written as UTF-8 with a BOM, as Excel's "CSV UTF-8" does, so content is never taken for
// a BOM or for UTF-16.
const withBom = (text: string): Uint8Array => strToU8(`\uFEFF${text}`);

describe('readTable on any bytes', () => {
  const workbook = buildXlsx({ sheets: [{ name: 'S', merges: ['A1:B1'], cells: gridCells([['Title'], [null], ['Adm', 'Name'], ['00123', 42]]) }] });

  it('gives a well-formed table or an ImportFileError', async () => {
    const anyBytes = fc.uint8Array({ maxLength: 2048 });
    const lookAlikes = fc.oneof(
      anyBytes.map((bytes) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...bytes])),
      anyBytes.map((bytes) => Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...bytes])),
      anyBytes.map((bytes) => Uint8Array.from([0xff, 0xfe, ...bytes])),
    );
    // A real workbook with a few bytes changed or cut short: a damaged download.
    const damagedWorkbook = fc
      .tuple(fc.array(fc.tuple(fc.nat(workbook.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(workbook.length))
      .map(([changes, length]) => {
        const bytes = workbook.slice(0, Math.max(length, 4));
        for (const [at, value] of changes) if (at < bytes.length) bytes[at] = value;
        return bytes;
      });
    const text = fc.string({ unit: trickyChar, maxLength: 300 }).map((content) => strToU8(content));
    await fc.assert(fc.asyncProperty(fc.oneof(anyBytes, lookAlikes, damagedWorkbook, text), readsOrRefuses), { numRuns: 400 });
  });
});

describe('CSV round trip', () => {
  const grids = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(cellString, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }));
  const lineBreaks = fc.constantFrom('\n', '\r\n');

  for (const delimiter of CSV_DELIMITERS) {
    it(`reads back any grid written with ${JSON.stringify(delimiter)} when the separator is given`, () => {
      fc.assert(
        fc.property(grids, lineBreaks, (grid, lineBreak) => expectRoundTrip(grid, withBom(csvText(grid, delimiter, lineBreak, false)), delimiter)),
        { numRuns: 200 },
      );
    });

    it(`finds ${JSON.stringify(delimiter)} in any grid of two or more columns with every cell quoted`, () => {
      const wideGrids = fc.integer({ min: 2, max: 5 }).chain((width) => fc.array(fc.array(cellString, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }));
      fc.assert(
        fc.property(wideGrids, lineBreaks, (grid, lineBreak) => {
          const bytes = withBom(csvText(grid, delimiter, lineBreak, true));
          expectRoundTrip(grid, bytes, undefined);
          if (expectedRows(grid).length > 0) expect(readCsv(bytes, 'grid.csv').detected?.delimiter).toBe(delimiter);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('cell coercers on any cell', () => {
  it('answer a value or a problem with a fix, and never throw', () => {
    const cell: fc.Arbitrary<CellValue> = fc.oneof(
      fc.constant(null),
      cellString,
      fc.string({ maxLength: 30 }),
      fc.constantFrom('31/02/2015', '2015-03-31', '0712 345 678', 'KES 12,500.00', '(1,200)', 'yes', 'a@b.co', '1e400', '-0', '٣١/٠٣/٢٠١٥'),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.date(),
    );
    const checks: ((value: CellValue) => CellResult<unknown>)[] = [
      cellText,
      (value) => cellDate(value, 'dmy'),
      (value) => cellDate(value, 'mdy'),
      cellInteger,
      (value) => cellAmount(value, 'KES'),
      (value) => cellAmount(value, 'UGX'),
      (value) => cellAmount(value, 'KWD'),
      (value) => cellPhone(value, 'KE'),
      (value) => cellPhone(value, 'US'),
      cellBoolean,
      (value) => cellChoice(value, { active: 1, left: 2 }),
      cellEmail,
    ];
    fc.assert(
      fc.property(cell, (value) => {
        expect(typeof isBlank(value)).toBe('boolean');
        for (const check of checks) {
          const result = check(value);
          if (!result.ok) expect(result.problem.length > 0 && result.fix.length > 0).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
