// Test helper, not shipped code: builds real .xlsx bytes from a short description of cells, so
// tests can make the workbooks people actually send (titles, merged cells, data starting in B4,
// formulas, dates, text that looks like numbers) without binary fixtures.
import { strToU8, zipSync } from 'fflate';

/** The XML cell types: number, shared string, inline string, boolean, formula text result, error. */
export type XlsxCellType = 'n' | 's' | 'inlineStr' | 'b' | 'str' | 'e';

/**
 * Number formats a cell can have: 'date' is Excel's built-in short date (numFmtId 14),
 * 'customDate' a custom dd/mm/yyyy (164), 'dateTime' m/d/yy h:mm (22), 'text' the Text format
 * (49, as when a column is formatted as Text before typing), 'amount' #,##0.00 (4).
 */
export type XlsxCellStyle = 'date' | 'customDate' | 'dateTime' | 'text' | 'amount';

export interface XlsxCell {
  /** Where the cell is, as Excel names it: 'C5'. */
  ref: string;
  /** The value, or the cached result of `formula`; leave out for a formula never calculated. */
  value?: string | number | boolean;
  /** Defaults from the value: a number is 'n', a string 's' (shared), a boolean 'b'. */
  type?: XlsxCellType;
  /** Formula text without the leading '='. */
  formula?: string;
  style?: XlsxCellStyle;
}

export interface XlsxSheet {
  name: string;
  cells: readonly XlsxCell[];
  /** Merged ranges, e.g. 'A1:E1' for a title across five columns. */
  merges?: readonly string[];
  /** The `<dimension ref>` to write (Excel writes the used range, e.g. 'B4:F20'). */
  dimension?: string;
  hidden?: boolean;
  /** Leave out `<row r="…">`, as some writers do (the row follows the previous one). */
  omitRowNumbers?: boolean;
  /** Leave out `<c r="…">`, as a few streaming writers do. */
  omitCellRefs?: boolean;
}

export interface XlsxWorkbook {
  sheets: readonly XlsxSheet[];
  /** The 1904 date system (old Mac Excel): true writes date1904="1", 'true' the spelled-out form. */
  date1904?: boolean | 'true';
}

const STYLE_INDEX: Readonly<Record<XlsxCellStyle, number>> = { date: 1, customDate: 2, dateTime: 3, text: 4, amount: 5 };

/** The Excel reference of a 1-based row and 0-based column: (5, 2) → 'C5'. */
export function cellRef(rowNumber: number, columnIndex: number): string {
  let n = columnIndex + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${String(rowNumber)}`;
}

function parseRef(ref: string): { row: number; column: number } {
  const match = /^([A-Z]+)(\d+)$/.exec(ref);
  if (match === null) throw new Error(`Bad cell reference ${ref}`);
  let column = 0;
  for (const letter of match[1] ?? '') column = column * 26 + (letter.charCodeAt(0) - 64);
  return { row: Number(match[2]), column: column - 1 };
}

/**
 * Cells for a grid of values placed with its top-left at `origin`; null and undefined leave a
 * cell out. Strings become shared strings, numbers numbers, booleans booleans.
 */
export function gridCells(rows: readonly (readonly (string | number | boolean | null | undefined)[])[], origin = 'A1'): XlsxCell[] {
  const start = parseRef(origin);
  const cells: XlsxCell[] = [];
  rows.forEach((row, rowOffset) => {
    row.forEach((value, columnOffset) => {
      if (value !== null && value !== undefined) cells.push({ ref: cellRef(start.row + rowOffset, start.column + columnOffset), value });
    });
  });
  return cells;
}

/** Excel's serial number of a YYYY-MM-DD date (1900 system, or 1904), as a date cell stores it. */
export function excelSerial(isoDate: string, date1904 = false): number {
  const [year = 0, month = 1, day = 1] = isoDate.split('-').map(Number);
  const days = (Date.UTC(year, month - 1, day) - Date.UTC(1899, 11, 30)) / 86_400_000;
  if (date1904) return days - 1462;
  // Serials below 61 are one less: Excel's 29 February 1900 sits between them and the rest.
  return days < 61 ? days - 1 : days;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cellType(cell: XlsxCell): XlsxCellType {
  if (cell.type !== undefined) return cell.type;
  if (typeof cell.value === 'string') return 's';
  if (typeof cell.value === 'boolean') return 'b';
  return 'n';
}

function cellXml(cell: XlsxCell, sheet: XlsxSheet, sharedIndex: (text: string) => number): string {
  const type = cellType(cell);
  const attributes = [
    sheet.omitCellRefs === true ? '' : ` r="${cell.ref}"`,
    cell.style !== undefined ? ` s="${String(STYLE_INDEX[cell.style])}"` : '',
    type === 'n' ? '' : ` t="${type}"`,
  ].join('');
  const formula = cell.formula !== undefined ? `<f>${escapeXml(cell.formula)}</f>` : '';
  const value = cell.value;
  if (value === undefined) return `<c${attributes}>${formula}</c>`;
  switch (type) {
    case 's':
      return `<c${attributes}><v>${String(sharedIndex(String(value)))}</v></c>`;
    case 'inlineStr':
      return `<c${attributes}><is><t xml:space="preserve">${escapeXml(String(value))}</t></is></c>`;
    case 'b':
      return `<c${attributes}>${formula}<v>${value === true || value === 1 ? '1' : '0'}</v></c>`;
    default:
      return `<c${attributes}>${formula}<v>${escapeXml(String(value))}</v></c>`;
  }
}

function sheetXml(sheet: XlsxSheet, sharedIndex: (text: string) => number): string {
  const rows = new Map<number, XlsxCell[]>();
  for (const cell of sheet.cells) {
    const { row } = parseRef(cell.ref);
    rows.set(row, [...(rows.get(row) ?? []), cell]);
  }
  const rowXml = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([row, cells]) => {
      const sorted = [...cells].sort((a, b) => parseRef(a.ref).column - parseRef(b.ref).column);
      const r = sheet.omitRowNumbers === true ? '' : ` r="${String(row)}"`;
      return `<row${r}>${sorted.map((cell) => cellXml(cell, sheet, sharedIndex)).join('')}</row>`;
    })
    .join('');
  const dimension = sheet.dimension !== undefined ? `<dimension ref="${sheet.dimension}"/>` : '';
  const merges =
    sheet.merges !== undefined && sheet.merges.length > 0
      ? `<mergeCells count="${String(sheet.merges.length)}">${sheet.merges.map((ref) => `<mergeCell ref="${ref}"/>`).join('')}</mergeCells>`
      : '';
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    `${dimension}<sheetData>${rowXml}</sheetData>${merges}</worksheet>`
  );
}

const STYLES_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>' +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

/** Builds the bytes of an .xlsx file holding `book`. */
export function buildXlsx(book: XlsxWorkbook): Uint8Array {
  const shared: string[] = [];
  const sharedIndexes = new Map<string, number>();
  const sharedIndex = (text: string): number => {
    let index = sharedIndexes.get(text);
    if (index === undefined) {
      index = shared.length;
      shared.push(text);
      sharedIndexes.set(text, index);
    }
    return index;
  };
  const sheets = book.sheets.map((sheet) => sheetXml(sheet, sharedIndex));

  const date1904 = book.date1904 === 'true' ? ' date1904="true"' : book.date1904 === true ? ' date1904="1"' : '';
  const workbook =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    `<workbookPr${date1904}/><sheets>` +
    book.sheets
      .map((sheet, index) => `<sheet name="${escapeXml(sheet.name)}" sheetId="${String(index + 1)}"${sheet.hidden === true ? ' state="hidden"' : ''} r:id="rId${String(index + 1)}"/>`)
      .join('') +
    '</sheets></workbook>';
  const rels = (entries: string[]): string =>
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${entries.join('')}</Relationships>`;
  const relationship = (id: string, type: string, target: string): string =>
    `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`;
  const count = book.sheets.length;
  const workbookRels = rels([
    ...book.sheets.map((_sheet, index) => relationship(`rId${String(index + 1)}`, 'worksheet', `worksheets/sheet${String(index + 1)}.xml`)),
    relationship(`rId${String(count + 1)}`, 'styles', 'styles.xml'),
    relationship(`rId${String(count + 2)}`, 'sharedStrings', 'sharedStrings.xml'),
  ]);
  const sharedStrings =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${String(shared.length)}" uniqueCount="${String(shared.length)}">` +
    shared.map((text) => `<si><t xml:space="preserve">${escapeXml(text)}</t></si>`).join('') +
    '</sst>';
  const contentTypes =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    book.sheets
      .map((_sheet, index) => `<Override PartName="/xl/worksheets/sheet${String(index + 1)}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
      .join('') +
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
    '</Types>';

  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(contentTypes),
    '_rels/.rels': strToU8(rels([relationship('rId1', 'officeDocument', 'xl/workbook.xml')])),
    'xl/workbook.xml': strToU8(workbook),
    'xl/_rels/workbook.xml.rels': strToU8(workbookRels),
    'xl/styles.xml': strToU8(STYLES_XML),
    'xl/sharedStrings.xml': strToU8(sharedStrings),
  };
  sheets.forEach((xml, index) => {
    files[`xl/worksheets/sheet${String(index + 1)}.xml`] = strToU8(xml);
  });
  return zipSync(files, { level: 6 });
}
