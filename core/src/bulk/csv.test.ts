// CSV files as schools send them: every encoding and separator Excel writes, quoted cells with
// line breaks and quotes, titles above the header; rows numbered as Excel shows them.
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, readCsv } from './csv.ts';
import { ImportFileError, type SheetTable } from './table.ts';

const utf8 = (text: string): Uint8Array => strToU8(text);

// Only the characters these tests use, as Windows-1252 stores them.
const WINDOWS_1252: Readonly<Record<string, number>> = { é: 0xe9, ñ: 0xf1, '’': 0x92, '–': 0x96, ü: 0xfc };
function win1252(text: string): Uint8Array {
  return Uint8Array.from([...text].map((char) => WINDOWS_1252[char] ?? char.charCodeAt(0)));
}

function utf16le(text: string): Uint8Array {
  const bytes = [0xff, 0xfe];
  for (let i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i) & 0xff, text.charCodeAt(i) >> 8);
  return Uint8Array.from(bytes);
}

function utf16be(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i) >> 8, text.charCodeAt(i) & 0xff);
  return Uint8Array.from(bytes);
}

/** The rows as [rowNumber, ...cells], which reads like the sheet in Excel. */
function grid(table: SheetTable): unknown[][] {
  return table.rows.map((row) => [row.rowNumber, ...row.cells]);
}

function importErrorOf(action: () => unknown): ImportFileError {
  try {
    action();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected an ImportFileError, but nothing was thrown');
}

describe('readCsv', () => {
  it('keeps a quoted cell with line breaks and "" quotes as one row, CRLF line ends', () => {
    const csv = 'Adm No,Name,Notes\r\n00123,"Otieno, James","Line one\r\nline two"\r\n124,"Wanjiru ""Shiru"" K",\r\n125,Baraka,ok\r\n';
    const table = readCsv(utf8(csv), 'students.csv');
    expect(table.format).toBe('csv');
    expect(table.sheetName).toBe('students.csv');
    expect(table.detected).toEqual({ encoding: 'UTF-8', delimiter: ',' });
    expect(grid(table)).toEqual([
      [1, 'Adm No', 'Name', 'Notes'],
      [2, '00123', 'Otieno, James', 'Line one\nline two'],
      [3, '124', 'Wanjiru "Shiru" K', null],
      [4, '125', 'Baraka', 'ok'],
    ]);
  });

  it('reads Excel’s Windows-1252 CSV with ";" and a title and blank row above the header', () => {
    const csv = 'St Mary’s School – Students 2026\r\n\r\nAdm. No;Name;Phone\r\n00123;José Peña;0712 345 678\r\n00124;Müller, Anne;712345678\r\n';
    const table = readCsv(win1252(csv), 'export.csv');
    expect(table.detected).toEqual({ encoding: 'Windows-1252', delimiter: ';' });
    expect(grid(table)).toEqual([
      [1, 'St Mary’s School – Students 2026', null, null],
      [2, null, null, null],
      [3, 'Adm. No', 'Name', 'Phone'],
      [4, '00123', 'José Peña', '0712 345 678'],
      [5, '00124', 'Müller, Anne', '712345678'],
    ]);
  });

  it('reads ";" even when every name holds a comma', () => {
    const csv = 'Students of Grade 4\nAdm;Name;Class;Phone\n1;Otieno, James;4E;0712345678\n2;Wanjiru, Mary;4E;0712345679\n3;Kamau, Peter;4W;0712345670\n';
    expect(readCsv(utf8(csv), 'a.csv').detected?.delimiter).toBe(';');
  });

  it('reads UTF-16LE tab-separated text, as Excel’s "Unicode Text" saves it', () => {
    const table = readCsv(utf16le('Adm\tName\tBalance\r\n00123\tZoë\t12,500.00\r\n'), 'unicode.txt');
    expect(table.detected).toEqual({ encoding: 'UTF-16LE', delimiter: '\t' });
    expect(grid(table)).toEqual([
      [1, 'Adm', 'Name', 'Balance'],
      [2, '00123', 'Zoë', '12,500.00'],
    ]);
  });

  it('reads UTF-16BE without a BOM', () => {
    const table = readCsv(utf16be('Adm,Name\n7,Ngʼangʼa\n'), 'be.csv');
    expect(table.detected).toEqual({ encoding: 'UTF-16BE', delimiter: ',' });
    expect(grid(table)).toEqual([
      [1, 'Adm', 'Name'],
      [2, '7', 'Ngʼangʼa'],
    ]);
  });

  it('drops a UTF-8 BOM and reads "|" separated files', () => {
    const table = readCsv(utf8('\uFEFFAdm|Name\n1|Amina\n'), 'pipes.csv');
    expect(table.detected).toEqual({ encoding: 'UTF-8', delimiter: '|' });
    expect(grid(table)).toEqual([
      [1, 'Adm', 'Name'],
      [2, '1', 'Amina'],
    ]);
  });

  it('takes CR alone as a line break, as old Mac files end lines', () => {
    expect(grid(readCsv(utf8('Adm,Name\r1,Amina\r2,"Two\rlines"\r3,Baraka'), 'mac.csv'))).toEqual([
      [1, 'Adm', 'Name'],
      [2, '1', 'Amina'],
      [3, '2', 'Two\nlines'],
      [4, '3', 'Baraka'],
    ]);
  });

  it('keeps cells exactly as typed: spaces, leading zeros, numbers and formulas stay text', () => {
    const csv = 'Adm,Name,Phone,Fee,Note\n00123,  Amina  ,0712345678,"12,500.00",=1+1\n';
    expect(grid(readCsv(utf8(csv), 'a.csv'))).toEqual([
      [1, 'Adm', 'Name', 'Phone', 'Fee', 'Note'],
      [2, '00123', '  Amina  ', '0712345678', '12,500.00', '=1+1'],
    ]);
  });

  it('keeps blank rows inside the data so row numbers stay true, and drops blank rows at the end', () => {
    const csv = 'Adm,Name\n1,Amina\n\n,\n2,Baraka,extra\n\n\n,\n';
    expect(grid(readCsv(utf8(csv), 'gaps.csv'))).toEqual([
      [1, 'Adm', 'Name', null],
      [2, '1', 'Amina', null],
      [3, null, null, null],
      [4, null, null, null],
      [5, '2', 'Baraka', 'extra'],
    ]);
  });

  it('honours a first line "sep=;", which Excel does not show as a row', () => {
    const table = readCsv(utf8('sep=;\r\nAdm;Name, first\r\n1;Amina\r\n'), 'sep.csv');
    expect(table.detected?.delimiter).toBe(';');
    expect(grid(table)).toEqual([
      [1, 'Adm', 'Name, first'],
      [2, '1', 'Amina'],
    ]);
  });

  it('uses the separator the person chose over the one it would find', () => {
    const table = readCsv(utf8('a;b,c\n1;2,3\n'), 'x.csv', { delimiter: ';' });
    expect(grid(table)).toEqual([
      [1, 'a', 'b,c'],
      [2, '1', '2,3'],
    ]);
  });

  it('reads a one-column file', () => {
    const table = readCsv(utf8('Adm\n1\n2\n'), 'one.csv');
    expect(table.detected?.delimiter).toBe(',');
    expect(grid(table)).toEqual([
      [1, 'Adm'],
      [2, '1'],
      [3, '2'],
    ]);
  });

  it('refuses a quote that never closes, naming the row, rather than swallowing the rest', () => {
    const error = importErrorOf(() => readCsv(utf8('Adm,Name\n1,Amina\n2,"Baraka\n3,Chebet\n'), 'broken.csv'));
    expect(error.message).toBe('Row 3 of broken.csv has a quote mark (") that opens a cell but does not close it where the cell ends');
    expect(error.fix).toBe('A cell that starts with " must end with ". Open the file in Excel, save it again as CSV (or as .xlsx), and choose it again, or correct the quotes in row 3');
  });

  it('refuses a quoted cell with text after its closing quote, which would merge rows', () => {
    expect(importErrorOf(() => readCsv(utf8('Adm,Name\n1,"Big" John\n2,"ok"\n'), 'q.csv')).message).toMatch(/^Row 2 of q\.csv has a quote mark/);
  });

  it('refuses a file with no rows', () => {
    const error = importErrorOf(() => readCsv(utf8('\r\n\r\n,,\r\n'), 'blank.csv'));
    expect(error.message).toBe('blank.csv is empty: it has no rows');
  });
});

describe('detectDelimiter', () => {
  it('picks the separator that splits rows most consistently', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(detectDelimiter('a;b;c\n1;2,5;3\n')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2\n')).toBe('\t');
    expect(detectDelimiter('"a;x","b"\n"1;y","2"\n')).toBe(',');
    expect(detectDelimiter('just one column\n')).toBe(',');
  });
});
