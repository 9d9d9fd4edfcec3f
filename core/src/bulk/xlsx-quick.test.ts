// The quick reader against read-excel-file: for every workbook it reads, it must give exactly
// what read-excel-file gives (values, types, Dates, blank rows and columns); for the rest it must
// step aside, so read-excel-file reads them or names what is wrong.
import fc from 'fast-check';
import { strToU8, unzipSync, zipSync } from 'fflate';
import readXlsxFile from 'read-excel-file/universal';
import writeXlsxFile from 'write-excel-file/universal';
import { describe, expect, it } from 'vitest';
import { collectExport, exportXlsx, type ExportColumn } from './export.ts';
import { buildXlsx, excelSerial, gridCells, type XlsxWorkbook } from './test-xlsx.ts';
import { quickReadWorkbook } from './xlsx-quick.ts';

type Parts = Record<string, Uint8Array>;

// Core has no DOM types, so a Blob is known by the one method used.
function isBlob(value: unknown): value is { arrayBuffer(): Promise<ArrayBuffer> } {
  return typeof value === 'object' && value !== null && 'arrayBuffer' in value && typeof value.arrayBuffer === 'function';
}
type Outcome = { sheets: { sheet: string; data: unknown[][] }[] } | { error: string };

async function readExcelFile(parts: Parts): Promise<Outcome> {
  try {
    const stored = new Uint8Array(zipSync(parts, { level: 0 })).buffer;
    return { sheets: await readXlsxFile(stored, { trim: false }) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Reads `parts` both ways; returns whether the quick reader took the workbook. */
async function compare(parts: Parts): Promise<boolean> {
  const quick = quickReadWorkbook(parts);
  if (quick === undefined) return false;
  expect(await readExcelFile(parts)).toStrictEqual({ sheets: quick });
  return true;
}

const fixtures: Record<string, XlsxWorkbook> = {
  'a title merged over data starting in B4': {
    sheets: [{ name: 'Students', dimension: 'B2:D6', merges: ['B2:D2'], cells: [{ ref: 'B2', value: 'St Mary’s School — Students 2026' }, ...gridCells([['Adm. No', 'Name', 'Class'], ['00123', 'Amina', '4E'], [124, 'Baraka', '4W']], 'B4')] }],
  },
  'formulas with cached, missing and error results': {
    sheets: [
      {
        name: 'Fees',
        cells: [
          { ref: 'A1', value: 'Total' },
          { ref: 'B1', value: 1500, formula: 'SUM(C1:C3)' },
          { ref: 'C1', value: 'Amina Otieno', type: 'str', formula: 'CONCATENATE(D1," ",E1)' },
          { ref: 'D1', formula: 'NOW()' },
          { ref: 'E1', value: '#DIV/0!', type: 'e', formula: '1/0' },
          { ref: 'F1', value: true, formula: 'TRUE()' },
          { ref: 'G1', value: '', type: 'str', formula: 'TRIM("")' },
        ],
      },
    ],
  },
  'dates in every style, text-formatted numbers and amounts': {
    sheets: [
      {
        name: 'Dates',
        cells: [
          { ref: 'A1', value: excelSerial('2026-01-15'), style: 'date' },
          { ref: 'B1', value: excelSerial('1900-02-28'), style: 'customDate' },
          { ref: 'C1', value: excelSerial('2026-03-01') + 0.5, style: 'dateTime' },
          { ref: 'D1', value: '0712345678', style: 'text', type: 'inlineStr' },
          { ref: 'E1', value: 1234.5, style: 'amount' },
          { ref: 'F1', value: 45000, style: 'text' },
        ],
      },
    ],
  },
  'the 1904 date system': { date1904: true, sheets: [{ name: 'Mac', cells: [{ ref: 'A1', value: excelSerial('2026-01-15', true), style: 'date' }] }] },
  'spaces, entities, escapes and booleans': {
    sheets: [
      {
        name: 'Text & more',
        cells: [
          { ref: 'A1', value: '  padded  ' },
          { ref: 'B1', value: 'Tom & Jerry <3', type: 'inlineStr' },
          { ref: 'C1', value: 'tab_x0009_here _x005F_x0041_' },
          { ref: 'D1', value: false },
          { ref: 'E1', value: ' ', type: 'inlineStr' },
          { ref: 'F1', value: '' },
        ],
      },
    ],
  },
  'rows without numbers': { sheets: [{ name: 'S', omitRowNumbers: true, cells: gridCells([['a', 'b'], [1, 2], [null, 3]]) }] },
  'several sheets, one hidden and one empty': {
    sheets: [
      { name: 'Empty', cells: [] },
      { name: 'Hidden', hidden: true, cells: gridCells([['x']]) },
      { name: 'Register', cells: gridCells([['Name'], ['Amina']], 'C10') },
    ],
  },
  'a wide row': { sheets: [{ name: 'Wide', cells: gridCells([Array.from({ length: 800 }, (_, index) => (index % 3 === 0 ? null : index % 3 === 1 ? `c${String(index)}` : index))]) }] },
};

describe('quickReadWorkbook', () => {
  it.each(Object.entries(fixtures))('reads %s exactly as read-excel-file does', async (_name, book) => {
    expect(await compare(unzipSync(buildXlsx(book)))).toBe(true);
  });

  it('reads the workbooks the app exports and write-excel-file writes exactly as read-excel-file does', async () => {
    interface Line { name: string | null; born: string | null; paid: number | null }
    const columns: ExportColumn<Line>[] = [
      { key: 'name', header: 'Name', type: 'text' },
      { key: 'born', header: 'Born', type: 'date' },
      { key: 'paid', header: 'Paid', type: 'money' },
    ];
    const lines: Line[] = [
      { name: 'Amina & Co <x>', born: '2014-02-03', paid: 150000 },
      { name: null, born: null, paid: null },
      { name: ' _x0041_ ', born: '1999-12-31', paid: -5 },
    ];
    expect(await compare(unzipSync(await collectExport(exportXlsx(columns, lines, { currency: 'KES', sheetName: 'Payments' }))))).toBe(true);
    const blob: unknown = await writeXlsxFile([
      ['Admission number', 'Date of birth', 'Fee', 'Staff child'],
      ['00123', new Date(Date.UTC(2015, 2, 31)), 12500.5, true],
      [null, null, null, null],
      [124, new Date(Date.UTC(2016, 0, 2)), 0, false],
    ], { dateFormat: 'dd/mm/yyyy' }).toBlob();
    if (!isBlob(blob)) throw new Error('write-excel-file did not give a Blob');
    expect(await compare(unzipSync(new Uint8Array(await blob.arrayBuffer())))).toBe(true);
  });

  it('leaves to read-excel-file the shapes it does not know', async () => {
    const cells = `<row r="1"><c r="A1"><v>1</v></c></row>`;
    const shapes = {
      prefixed: { sheetData: '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', root: 'x:worksheet' },
      comment: { sheetData: `<!-- written by hand -->${cells}` },
      cdata: { sheetData: '<row r="1"><c r="A1" t="str"><f>A</f><v><![CDATA[x]]></v></c></row>' },
      'cell without its address': { sheetData: '<row r="1"><c><v>1</v></c></row>' },
      'cells out of order': { sheetData: '<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>' },
      'rows out of order': { sheetData: '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>' },
      'a style that does not exist': { sheetData: '<row r="1"><c r="A1" s="99"><v>1</v></c></row>' },
      'a shared string that does not exist': { sheetData: '<row r="1"><c r="A1" t="s"><v>7</v></c></row>' },
      'a number that is not one': { sheetData: '<row r="1"><c r="A1"><v>twelve</v></c></row>' },
      'an unknown cell type': { sheetData: '<row r="1"><c r="A1" t="z"><v>1</v></c></row>' },
      'rich text inline': { sheetData: '<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c></row>' },
      'a prefixed copy of an address': { sheetData: '<row r="1"><c r="A1" x:r="B1"><v>1</v></c></row>' },
      'a damaged dimension': { sheetData: cells, before: '<dimension ref="A1:B"/>' },
      'an unclosed tag after the data': { sheetData: cells, after: '<mergeCells>' },
      'no sheetData at all': { sheetData: undefined },
    } satisfies Record<string, { sheetData: string | undefined; before?: string; after?: string; root?: string }>;
    for (const [shape, sheet] of Object.entries(shapes)) {
      const parts = sheetParts(sheet);
      expect(quickReadWorkbook(parts), shape).toBeUndefined();
    }
    // The same sheet in the known shape is read quickly, so the cases above fail for their shape.
    expect(await compare(sheetParts({ sheetData: cells }))).toBe(true);
  });

  it('gives what read-excel-file gives for generated workbooks, and steps aside where it cannot', async () => {
    let quick = 0;
    let readable = 0;
    await fc.assert(
      fc.asyncProperty(workbookArbitrary, async (parts) => {
        if (await compare(parts)) quick += 1;
        if ('sheets' in (await readExcelFile(parts))) readable += 1;
      }),
      { numRuns: 300 },
    );
    // Most workbooks read-excel-file can read are in the common shape, so the comparison is not empty.
    expect(quick).toBeGreaterThan(readable / 2);
  }, 30_000);
});

// ── Workbooks written part by part ────────────────────────────────────────────────────────────

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function sheetParts(sheet: { sheetData: string | undefined; before?: string; after?: string; root?: string }): Parts {
  const root = sheet.root ?? 'worksheet';
  const data = sheet.sheetData === undefined ? '' : root.startsWith('x:') ? `<x:sheetData>${sheet.sheetData}</x:sheetData>` : `<sheetData>${sheet.sheetData}</sheetData>`;
  const xmlns = root.startsWith('x:') ? `xmlns:x="${MAIN}"` : `xmlns="${MAIN}"`;
  return workbookParts({
    sheets: [{ name: 'Sheet1', xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${xmlns} xmlns:r="${REL}">${sheet.before ?? ''}${data}${sheet.after ?? ''}</${root}>` }],
    sharedStrings: ['<si><t>one</t></si>'],
    styles: STYLES,
  });
}

const STYLES = `<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>`;

interface GeneratedBook {
  sheets: { name: string; xml: string; hidden?: boolean }[];
  sharedStrings: string[] | undefined;
  styles: string | undefined;
  workbookPr?: string;
}

function workbookParts(book: GeneratedBook): Parts {
  const sheets = book.sheets
    .map((sheet, index) => `<sheet name="${sheet.name}" sheetId="${String(index + 1)}"${sheet.hidden === true ? ' state="hidden"' : ''} r:id="rId${String(index + 1)}"/>`)
    .join('');
  const relationships = [
    ...book.sheets.map((_sheet, index) => `<Relationship Id="rId${String(index + 1)}" Type="${REL}/worksheet" Target="worksheets/sheet${String(index + 1)}.xml"/>`),
    `<Relationship Id="rIdS" Type="${REL}/styles" Target="styles.xml"/>`,
    `<Relationship Id="rIdT" Type="${REL}/sharedStrings" Target="/xl/sharedStrings.xml"/>`,
  ].join('');
  const parts: Parts = {
    'xl/workbook.xml': strToU8(`<?xml version="1.0"?>\n<workbook xmlns="${MAIN}" xmlns:r="${REL}">${book.workbookPr ?? ''}<sheets>${sheets}</sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relationships}</Relationships>`),
  };
  if (book.styles !== undefined) parts['xl/styles.xml'] = strToU8(book.styles);
  if (book.sharedStrings !== undefined) parts['xl/sharedStrings.xml'] = strToU8(`<sst xmlns="${MAIN}">${book.sharedStrings.join('')}</sst>`);
  book.sheets.forEach((sheet, index) => {
    parts[`xl/worksheets/sheet${String(index + 1)}.xml`] = strToU8(sheet.xml);
  });
  return parts;
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Text as it appears between tags: escaped, or one of the entity and escape spellings found in files. */
const xmlText = fc.oneof(
  fc.string({ maxLength: 12 }).map(escapeXml),
  fc.constantFrom('', ' ', '  padded ', '\n', 'Tom &amp; Jerry', 'a&lt;b&GT;c', '&#65;&#x42;&#X43;', '&#128512;', '&nbsp;', '&Amp;', '_x0041_', '_x005F_x0041_', '_x000D__x000a_', 'é ü 中文', '&quot;q&apos;'),
);
const numberText = fc.constantFrom('0', '1', '42', '-3.5', '1e3', ' 7', '', 'abc', '44927', '44927.5', '-0', '0x1F', 'Infinity', '1.0000000000000002', '60', '61', '2958466', '-1', '2021-06-10T00:47:45.700Z', '2021-13-45', '&#49;2');
const formatCode = fc.oneof(
  fc.constantFrom('dd/mm/yyyy', '#,##0.00', 'yyyy-mm-dd;@', '[$-409]mmmm d, yyyy', '0.00%', '"Day" d', '[h]:mm:ss', 'mm:ss.0', 'General', '\\d', '[Red]0.00', 'd-mmm-yy', 'h:mm AM/PM', '"x"', '@', 'ss.000', '0;[Red]-0;"zero"', 'e "年"'),
  fc.string({ maxLength: 8 }),
);
const numFmtId = fc.constantFrom(0, 1, 2, 4, 9, 14, 15, 22, 27, 45, 47, 49, 58, 71, 81, 164, 165, 166);

const stylesArbitrary = fc
  .record({
    formats: fc.array(fc.tuple(fc.constantFrom(164, 165, 166, 14), formatCode), { maxLength: 4 }),
    base: fc.array(fc.option(numFmtId), { maxLength: 2 }),
    xfs: fc.array(fc.record({ numFmtId: fc.option(numFmtId), xfId: fc.option(fc.constantFrom(0, 1, 2)) }), { minLength: 8, maxLength: 9 }),
  })
  .map(({ formats, base, xfs }) => {
    const numFmts = formats.map(([id, code]) => `<numFmt numFmtId="${String(id)}" formatCode="${escapeXml(code)}"/>`).join('');
    const attribute = (name: string, value: number | null): string => (value === null ? '' : ` ${name}="${String(value)}"`);
    return (
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="${MAIN}"><numFmts>${numFmts}</numFmts>` +
      `<cellStyleXfs>${base.map((id) => `<xf${attribute('numFmtId', id)}/>`).join('')}</cellStyleXfs>` +
      `<cellXfs>${xfs.map((xf) => `<xf${attribute('numFmtId', xf.numFmtId)}${attribute('xfId', xf.xfId)} fontId="0"/>`).join('')}</cellXfs></styleSheet>`
    );
  });

const sharedStringArbitrary = fc.oneof(
  xmlText.map((text) => `<si><t>${text}</t></si>`),
  xmlText.map((text) => `<si><t xml:space="preserve">${text}</t></si>`),
  fc.tuple(xmlText, xmlText).map(([a, b]) => `<si><r><rPr><b/><sz val="11"/></rPr><t>${a}</t></r><r><t xml:space="preserve">${b}</t></r></si>`),
  fc.tuple(xmlText, xmlText).map(([a, b]) => `<si><t>${a}</t><rPh sb="0" eb="1"><t>${b}</t></rPh><phoneticPr fontId="1"/></si>`),
  fc.constant('<si><t/></si>'),
  fc.constant('<si/>'),
);

interface CellPlan {
  column: number;
  type: string | null;
  style: number | null;
  value: string | null;
  inline: string[] | null;
  formula: boolean;
  selfClosing: boolean;
}

const column = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 800 }));
const style = fc.option(fc.integer({ min: 0, max: 7 }), { nil: null });
const plan = (fields: Partial<{ [Key in keyof CellPlan]: fc.Arbitrary<CellPlan[Key]> }>): fc.Arbitrary<CellPlan> =>
  fc.record({ column, type: fc.constant(null), style: fc.constant(null), value: fc.constant(null), inline: fc.constant(null), formula: fc.constant(false), selfClosing: fc.constant(false), ...fields });

/** Cells as writers write them, each type with its own kind of value. */
const tidyCellPlan: fc.Arbitrary<CellPlan> = fc.oneof(
  { weight: 3, arbitrary: plan({ type: fc.constantFrom(null, 'n'), style, value: fc.constantFrom('0', '1', '42', '-3.5', '1e3', ' 7', '', '44927', '44927.5', '-0', '0x1F', 'Infinity', '60', '61', '1.0000000000000002', '&#49;2') }) },
  { weight: 3, arbitrary: plan({ type: fc.constant('s'), style, value: fc.constantFrom('0', '1', '2', '3', '4', '5', '') }) },
  { weight: 2, arbitrary: plan({ type: fc.constant('inlineStr'), style, inline: fc.array(xmlText, { maxLength: 2 }) }) },
  { weight: 1, arbitrary: plan({ type: fc.constant('b'), value: fc.constantFrom('0', '1', '') }) },
  { weight: 1, arbitrary: plan({ type: fc.constant('str'), formula: fc.constant(true), value: fc.option(xmlText, { nil: null }) }) },
  { weight: 1, arbitrary: plan({ type: fc.constant('e'), formula: fc.boolean(), value: fc.constantFrom('#N/A', '#DIV/0!', '') }) },
  { weight: 1, arbitrary: plan({ type: fc.constant('d'), value: fc.constantFrom('2021-06-10T00:47:45.700Z', '2024-02-29', '') }) },
  { weight: 1, arbitrary: plan({ style, selfClosing: fc.constant(true) }) },
);

/** Now and then, anything at all. */
const wildCellPlan: fc.Arbitrary<CellPlan> = fc.oneof(
  { weight: 12, arbitrary: tidyCellPlan },
  {
    weight: 1,
    arbitrary: plan({
      type: fc.option(fc.constantFrom('n', 's', 'inlineStr', 'b', 'str', 'e', 'd', 'z', ''), { nil: null }),
      style,
      value: fc.option(fc.oneof(numberText, xmlText), { nil: null }),
      inline: fc.option(fc.array(xmlText, { maxLength: 2 }), { nil: null }),
      formula: fc.boolean(),
      selfClosing: fc.boolean(),
    }),
  },
);

function columnLetters(column: number): string {
  let n = column + 1;
  let letters = '';
  while (n > 0) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

function cellXml(cell: CellPlan, rowNumber: number): string {
  const attributes = `${cell.style === null ? '' : ` s="${String(cell.style)}"`} r="${columnLetters(cell.column)}${String(rowNumber)}"${cell.type === null ? '' : ` t="${cell.type}"`}`;
  if (cell.selfClosing) return `<c${attributes}/>`;
  const formula = cell.formula ? '<f>SUM(A1:A2)&amp;""</f>' : '';
  const value = cell.value === null ? '' : cell.value === '' ? '<v/>' : `<v>${cell.value}</v>`;
  const inline = cell.inline === null ? '' : `<is>${cell.inline.map((text) => (text === '' ? '<t/>' : `<t xml:space="preserve">${text}</t>`)).join('')}</is>`;
  return `<c${attributes}>${formula}${value}${inline}</c>`;
}

const rowPlan = (wild: boolean): fc.Arbitrary<{ gap: number; numbered: boolean; extra: string; cells: CellPlan[] }> =>
  fc.record({
    gap: wild ? fc.integer({ min: 0, max: 4 }) : fc.integer({ min: 1, max: 3 }),
    numbered: wild ? fc.boolean() : fc.constant(true),
    extra: fc.constantFrom('', ' spans="1:3"', ' x14ac:dyDescent="0.25"', ' ht="20" customHeight="1"'),
    cells: fc.array(wild ? wildCellPlan : tidyCellPlan, { maxLength: 8 }),
  });

/** Sheets in Excel's shape, or (when wild) with things read-excel-file refuses or the quick reader must leave alone. */
const sheetArbitrary = (wild: boolean): fc.Arbitrary<{ name: string; xml: string; hidden: boolean }> => fc
  .record({
    rows: fc.array(rowPlan(wild), { maxLength: 8 }),
    dimension: wild ? fc.constantFrom('', '<dimension ref="A1"/>', '<dimension ref="B"/>', '<dimension/>') : fc.constantFrom('', '<dimension ref="A1:C4"/>', '<dimension ref="A1"/>'),
    tail: wild
      ? fc.constantFrom('', '<!-- note -->', '<extLst><ext uri="{x}"><x14:c xmlns:x14="urn:x"/></ext></extLst>', '<x:row xmlns:x="urn:x"/>')
      : fc.constantFrom('', '<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>', '<pageMargins left="0.7" right="0.7"/>'),
    sortCells: wild ? fc.boolean() : fc.constant(true),
    name: fc.constantFrom('Sheet1', 'Fees &amp; Levies', 'Term_x0020_1', 'Register'),
    hidden: fc.boolean(),
  })
  .map(({ rows, dimension, tail, sortCells, name, hidden }) => {
    let rowNumber = 0;
    const rowXml = rows.map((row) => {
      rowNumber += row.gap;
      const cells = sortCells ? [...row.cells].sort((a, b) => a.column - b.column).filter((cell, index, all) => index === 0 || all[index - 1]?.column !== cell.column) : row.cells;
      const r = row.numbered ? ` r="${String(rowNumber)}"` : '';
      const content = cells.map((cell) => cellXml(cell, rowNumber)).join('');
      return content === '' && row.gap === 0 ? `<row${r}${row.extra}/>` : `<row${r}${row.extra}>${content}</row>`;
    });
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN}" xmlns:r="${REL}" xmlns:x14ac="urn:x14ac">${dimension}<sheetData>${rowXml.join('')}</sheetData>${tail}</worksheet>`;
    return { name, xml, hidden };
  });

const workbookArbitrary = fc.boolean().chain((wild) => fc
  .record({
    sheets: fc.array(sheetArbitrary(wild), { minLength: 1, maxLength: 3 }),
    sharedStrings: wild ? fc.option(fc.array(sharedStringArbitrary, { maxLength: 10 }), { nil: undefined }) : fc.array(sharedStringArbitrary, { minLength: 6, maxLength: 10 }),
    styles: wild ? fc.option(stylesArbitrary, { nil: undefined }) : stylesArbitrary,
    workbookPr: fc.constantFrom('', '<workbookPr date1904="1"/>', '<workbookPr date1904="true"/>', '<workbookPr/><workbookPr date1904="1"/>', '<workbookPr date1904="0"/>'),
  })
  .map((book) => workbookParts(book)));
