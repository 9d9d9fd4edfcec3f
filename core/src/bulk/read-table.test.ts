// What a file is decides how it is read, not its name; every file that cannot be read says what
// it is and what to do.
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MAX_IMPORT_FILE_BYTES, readTable, sniffFileKind } from './read-table.ts';
import { ImportFileError } from './table.ts';
import { buildXlsx, gridCells } from './test-xlsx.ts';

const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

async function importErrorOf(action: () => Promise<unknown>): Promise<ImportFileError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected an ImportFileError, but nothing was thrown');
}

describe('readTable', () => {
  it('reads an .xlsx by its content even under a .csv name, and a CSV under an .xlsx name', async () => {
    const workbook = buildXlsx({ sheets: [{ name: 'Students', cells: gridCells([['Adm', 'Name'], ['00123', 'Amina']]) }] });
    const fromXlsx = await readTable(workbook, 'students.csv');
    expect(fromXlsx.format).toBe('xlsx');
    expect(fromXlsx.rows).toEqual([
      { rowNumber: 1, cells: ['Adm', 'Name'] },
      { rowNumber: 2, cells: ['00123', 'Amina'] },
    ]);

    const fromCsv = await readTable(strToU8('Adm;Name\r\n00123;Amina\r\n'), 'students.xlsx');
    expect(fromCsv).toEqual({
      format: 'csv',
      sheetName: 'students.xlsx',
      rows: [
        { rowNumber: 1, cells: ['Adm', 'Name'] },
        { rowNumber: 2, cells: ['00123', 'Amina'] },
      ],
      detected: { encoding: 'UTF-8', delimiter: ';' },
    });
  });

  it('passes the sheet and the separator chosen by the person', async () => {
    const workbook = buildXlsx({ sheets: [{ name: 'A', cells: gridCells([['a']]) }, { name: 'B', cells: gridCells([['b']]) }] });
    expect((await readTable(workbook, 'w.xlsx', { sheet: 'B' })).rows).toEqual([{ rowNumber: 1, cells: ['b'] }]);
    expect((await readTable(strToU8('a;b,c\n'), 'x.csv', { delimiter: ',' })).rows).toEqual([{ rowNumber: 1, cells: ['a;b', 'c'] }]);
  });

  it('refuses an old .xls with the fix to save it as .xlsx or CSV', async () => {
    const error = await importErrorOf(() => readTable(Uint8Array.from([...OLE2, ...new Array<number>(600).fill(0)]), 'fees.xls'));
    expect(error.message).toBe('fees.xls is an old Excel 97–2003 (.xls) file, which cannot be read');
    expect(error.fix).toBe('Save it as .xlsx (Excel Workbook) or CSV and choose it again');
  });

  it('tells a password-protected workbook from an old .xls', async () => {
    const name = [...'EncryptedPackage'].flatMap((char) => [char.charCodeAt(0), 0]);
    const bytes = Uint8Array.from([...OLE2, ...new Array<number>(1000).fill(0), ...name, 0, 0]);
    const error = await importErrorOf(() => readTable(bytes, 'locked.xlsx'));
    expect(error.message).toBe('locked.xlsx is protected with a password');
    expect(error.fix).toBe('Open it in Excel, remove the password (File › Info › Protect Workbook), save it, and choose it again');
  });

  it('names files that are not spreadsheets at all', async () => {
    const cases: [Uint8Array, string][] = [
      [strToU8('%PDF-1.7\n...'), 'list.xlsx is a PDF, which cannot be imported'],
      [strToU8('<html><body><table><tr><td>Adm</td></tr></table></body></html>'), 'list.xlsx is a web page saved with a spreadsheet name, not a real Excel file'],
      [strToU8('\uFEFF<!DOCTYPE html><html></html>'), 'list.xlsx is a web page saved with a spreadsheet name, not a real Excel file'],
      [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), 'list.xlsx is not a spreadsheet or CSV file'],
    ];
    for (const [bytes, message] of cases) expect((await importErrorOf(() => readTable(bytes, 'list.xlsx'))).message).toBe(message);
  });

  it('refuses an empty file and one over the size limit', async () => {
    expect((await importErrorOf(() => readTable(new Uint8Array(), 'empty.csv'))).message).toBe('empty.csv is empty');
    const error = await importErrorOf(() => readTable(new Uint8Array(MAX_IMPORT_FILE_BYTES + 1), 'huge.csv'));
    expect(error.message).toBe('huge.csv is 30.1 MB; files up to 30 MB can be imported');
    expect(error.fix).toBe('Split the list into smaller files, or delete pictures and sheets you do not need, and choose it again');
  });
});

describe('sniffFileKind', () => {
  it('knows a file by its first bytes', () => {
    expect(sniffFileKind(Uint8Array.from([0x50, 0x4b, 0x03, 0x04]))).toBe('xlsx');
    expect(sniffFileKind(Uint8Array.from(OLE2))).toBe('ole2');
    expect(sniffFileKind(strToU8('%PDF-1.4'))).toBe('pdf');
    expect(sniffFileKind(strToU8('  <TABLE border=1>'))).toBe('html');
    expect(sniffFileKind(strToU8('Adm,Name'))).toBe('text');
    expect(sniffFileKind(strToU8('PK,is a fine first header'))).toBe('text');
  });
});
