// Workbooks as schools send them, built cell by cell: the table keeps Excel's row numbers and
// column letters, formula results, dates as dates and text as text, whatever the layout.
import { strToU8, zipSync } from 'fflate';
import writeXlsxFile from 'write-excel-file/universal';
import { describe, expect, it } from 'vitest';
import { buildXlsx, excelSerial, gridCells } from './test-xlsx.ts';
import { ImportFileError, type SheetTable } from './table.ts';
import { readXlsx } from './xlsx.ts';

const utcDate = (iso: string): Date => new Date(`${iso}T00:00:00.000Z`);

function grid(table: SheetTable): unknown[][] {
  return table.rows.map((row) => [row.rowNumber, ...row.cells]);
}

// Core has no DOM types, so a Blob is known by the one method used.
function isBlob(value: unknown): value is { arrayBuffer(): Promise<ArrayBuffer> } {
  return typeof value === 'object' && value !== null && 'arrayBuffer' in value && typeof value.arrayBuffer === 'function';
}

async function importErrorOf(action: () => Promise<unknown>): Promise<ImportFileError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected an ImportFileError, but nothing was thrown');
}

describe('readXlsx', () => {
  it('numbers rows as Excel does and keeps column A, when the data starts at B4 under a merged title', async () => {
    const bytes = buildXlsx({
      sheets: [
        {
          name: 'Students',
          dimension: 'B2:D6',
          merges: ['B2:D2'],
          cells: [{ ref: 'B2', value: 'St Mary’s School — Students 2026' }, ...gridCells([['Adm. No', 'Name', 'Class'], ['00123', 'Amina', '4E'], [124, 'Baraka', '4W']], 'B4')],
        },
      ],
    });
    const table = await readXlsx(bytes);
    expect(table.format).toBe('xlsx');
    expect(table.sheetName).toBe('Students');
    expect(table.sheetNames).toEqual(['Students']);
    expect(grid(table)).toEqual([
      [1, null, null, null, null],
      [2, null, 'St Mary’s School — Students 2026', null, null],
      [3, null, null, null, null],
      [4, null, 'Adm. No', 'Name', 'Class'],
      [5, null, '00123', 'Amina', '4E'],
      [6, null, 124, 'Baraka', '4W'],
    ]);
  });

  it('gives a formula’s cached result, and nothing for one never calculated or in error', async () => {
    const bytes = buildXlsx({
      sheets: [
        {
          name: 'Fees',
          cells: [
            { ref: 'A1', value: 12500, formula: 'SUM(B1:C1)' },
            { ref: 'B1', value: 'Amina W', type: 'str', formula: 'D1&" W"' },
            { ref: 'C1', formula: '1+1' },
            { ref: 'D1', value: '#DIV/0!', type: 'e', formula: '1/0' },
            { ref: 'E1', value: true, formula: 'TRUE()' },
          ],
        },
      ],
    });
    expect(grid(await readXlsx(bytes))).toEqual([[1, 12500, 'Amina W', null, null, true]]);
  });

  it('reads date-formatted cells as dates and keeps other numbers, and numbers stored as text, as they are', async () => {
    const bytes = buildXlsx({
      sheets: [
        {
          name: 'Dates',
          cells: [
            { ref: 'A1', value: excelSerial('2015-03-31'), style: 'date' },
            { ref: 'B1', value: excelSerial('2016-01-02'), style: 'customDate' },
            { ref: 'C1', value: excelSerial('2016-01-02') + 0.5, style: 'dateTime' },
            { ref: 'D1', value: excelSerial('2015-03-31') },
            { ref: 'E1', value: 12500.5, style: 'amount' },
            { ref: 'F1', value: '00123', style: 'text' },
            { ref: 'G1', value: '0712345678', type: 'inlineStr' },
            { ref: 'H1', value: 0.1 + 0.2 },
          ],
        },
      ],
    });
    expect(grid(await readXlsx(bytes))).toEqual([
      [1, utcDate('2015-03-31'), utcDate('2016-01-02'), new Date('2016-01-02T12:00:00.000Z'), 42094, 12500.5, '00123', '0712345678', 0.30000000000000004],
    ]);
  });

  it('reads dates of the 1904 date system, however the workbook spells the flag', async () => {
    for (const date1904 of [true, 'true'] as const) {
      const bytes = buildXlsx({ date1904, sheets: [{ name: 'Mac', cells: [{ ref: 'A1', value: excelSerial('2015-03-31', true), style: 'date' }] }] });
      expect(grid(await readXlsx(bytes))).toEqual([[1, utcDate('2015-03-31')]]);
    }
  });

  it('keeps spaces in text (trimming comes later) and reads booleans', async () => {
    const bytes = buildXlsx({ sheets: [{ name: 'S', cells: [{ ref: 'A1', value: '  Amina  ' }, { ref: 'B1', value: ' x ', type: 'inlineStr' }, { ref: 'C1', value: false }] }] });
    expect(grid(await readXlsx(bytes))).toEqual([[1, '  Amina  ', ' x ', false]]);
  });

  it('reads rows written without their row number', async () => {
    const bytes = buildXlsx({ sheets: [{ name: 'S', omitRowNumbers: true, cells: gridCells([['Adm', 'Name'], [1, 'Amina']]) }] });
    expect(grid(await readXlsx(bytes))).toEqual([
      [1, 'Adm', 'Name'],
      [2, 1, 'Amina'],
    ]);
  });

  it('reads the named sheet, matching its name loosely, and lists the sheets when it is missing', async () => {
    const bytes = buildXlsx({
      sheets: [
        { name: 'Grade 1', cells: gridCells([['Adm'], ['g1']]) },
        { name: 'Grade 2', cells: gridCells([['Adm'], ['g2']]) },
      ],
    });
    expect(grid(await readXlsx(bytes, { sheet: 'Grade 2' }))).toEqual([
      [1, 'Adm'],
      [2, 'g2'],
    ]);
    expect((await readXlsx(bytes, { sheet: ' grade 2' })).sheetName).toBe('Grade 2');
    const error = await importErrorOf(() => readXlsx(bytes, { sheet: 'Grade 3', fileName: 'classes.xlsx' }));
    expect(error.message).toBe('classes.xlsx has no sheet called "Grade 3"');
    expect(error.fix).toBe('Choose one of its sheets: "Grade 1", "Grade 2"');
  });

  it('reads the first visible sheet with data when the first sheet is empty or hidden', async () => {
    const bytes = buildXlsx({
      sheets: [
        { name: 'Lookups', hidden: true, cells: gridCells([['hidden']]) },
        { name: 'Cover', cells: [] },
        { name: 'Students', cells: gridCells([['Adm'], [1]]) },
      ],
    });
    const table = await readXlsx(bytes);
    expect(table.sheetName).toBe('Students');
    expect(table.sheetNames).toEqual(['Lookups', 'Cover', 'Students']);
  });

  it('says which sheet is empty', async () => {
    const bytes = buildXlsx({ sheets: [{ name: 'Sheet1', cells: [] }, { name: 'Sheet2', cells: [{ ref: 'A1', value: '', type: 'inlineStr' }] }] });
    const error = await importErrorOf(() => readXlsx(bytes));
    expect(error.message).toBe('The sheet "Sheet1" is empty');
    expect(error.fix).toBe('Choose the sheet that has the list: "Sheet1", "Sheet2"');
    expect((await importErrorOf(() => readXlsx(bytes, { sheet: 'Sheet2' }))).message).toBe('The sheet "Sheet2" is empty');
  });

  it('refuses a workbook it cannot read, rather than crashing', async () => {
    const noCellRefs = buildXlsx({ sheets: [{ name: 'S', omitCellRefs: true, cells: gridCells([['a']]) }] });
    const error = await importErrorOf(() => readXlsx(noCellRefs, { fileName: 'odd.xlsx' }));
    expect(error.message).toMatch(/^odd\.xlsx could not be read \(/);
    expect(error.fix).toBe('Open it in Excel, save it again as .xlsx (Excel Workbook), and choose it again');

    const truncated = buildXlsx({ sheets: [{ name: 'S', cells: gridCells([['a']]) }] }).subarray(0, 200);
    expect((await importErrorOf(() => readXlsx(truncated, { fileName: 'cut.xlsx' }))).message).toMatch(/^cut\.xlsx is damaged or not a complete Excel workbook/);

    const badSharedString = zipSync({
      'xl/workbook.xml': strToU8('<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
      'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
      'xl/worksheets/sheet1.xml': strToU8('<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>'),
    });
    expect((await importErrorOf(() => readXlsx(badSharedString, { fileName: 'bad.xlsx' }))).message).toMatch(/^bad\.xlsx (is damaged|could not be read)/);
  });

  it('names the kind of zip that is not a workbook', async () => {
    const zip = (names: string[]): Uint8Array => zipSync(Object.fromEntries(names.map((name) => [name, strToU8('<x/>')])));
    const cases: [string[], string, string][] = [
      [['mimetype', 'content.xml'], 'list.ods is an OpenDocument spreadsheet (.ods), not an Excel workbook', 'Save it as .xlsx (Excel Workbook) or CSV and choose it again'],
      [['xl/workbook.bin'], 'list.ods is an Excel Binary Workbook (.xlsb)', 'Save it as .xlsx (Excel Workbook) or CSV and choose it again'],
      [['word/document.xml'], 'list.ods is a Word document, not a spreadsheet', 'Choose the Excel or CSV file that has the list'],
      [['photos/a.xml'], 'list.ods is a zip archive, not an Excel workbook', 'Unzip it and choose the spreadsheet inside, or save the list as .xlsx or CSV'],
    ];
    for (const [names, message, fix] of cases) {
      const error = await importErrorOf(() => readXlsx(zip(names), { fileName: 'list.ods' }));
      expect({ message: error.message, fix: error.fix }).toEqual({ message, fix });
    }
  });

  it('reads a workbook written by write-excel-file', async () => {
    const blob: unknown = await writeXlsxFile([
      ['Admission number', 'Date of birth', 'Fee', 'Staff child'],
      ['00123', utcDate('2015-03-31'), 12500.5, true],
      [null, null, null, null],
      [124, utcDate('2016-01-02'), 0, false],
    ], { dateFormat: 'dd/mm/yyyy' }).toBlob();
    if (!isBlob(blob)) throw new Error('write-excel-file did not give a Blob');
    const table = await readXlsx(new Uint8Array(await blob.arrayBuffer()));
    expect(grid(table)).toEqual([
      [1, 'Admission number', 'Date of birth', 'Fee', 'Staff child'],
      [2, '00123', utcDate('2015-03-31'), 12500.5, true],
      [3, null, null, null, null],
      [4, 124, utcDate('2016-01-02'), 0, false],
    ]);
  });
});
