// Reading one sheet of an .xlsx workbook into rows numbered as Excel numbers them, column A
// first, read as read-excel-file reads it. Formula cells give the value Excel last worked out;
// date-formatted cells come back as Dates, other numbers as numbers.
import { type Unzipped, strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import readXlsxFile, { InvalidInputError, InvalidSpreadsheetError } from 'read-excel-file/universal';
import { type CellValue, ImportFileError, type SheetTable } from './table.ts';
import { quickReadWorkbook, type WorkbookSheet } from './xlsx-quick.ts';

export interface XlsxOptions {
  /** The sheet to read; by default the first visible sheet that has anything in it. */
  sheet?: string;
  /** The file's name, to name it in messages. */
  fileName?: string;
}

// A workbook's XML can be many times its zipped size; past this it would not fit in memory well.
const MAX_UNZIPPED_BYTES = 300 * 1024 * 1024;
const MAX_DEFLATE_RATIO = 1100;
const RESAVE_FIX = 'Save it as .xlsx (Excel Workbook) or CSV and choose it again';
const REPAIR_FIX = 'Open it in Excel, save it again as .xlsx (Excel Workbook), and choose it again';

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text
    .replace(/&(?:#x([0-9a-f]+)|#(\d+)|(\w+));/giu, (entity, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
      const code = hex !== undefined ? parseInt(hex, 16) : decimal !== undefined ? Number(decimal) : undefined;
      // A code point past Unicode's end is left as written rather than thrown on.
      if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      return (name !== undefined ? XML_ENTITIES[name] : undefined) ?? entity;
    })
    .replace(/_x([0-9a-f]{4})_/giu, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Names of the sheets Excel hides; only these are skipped when no sheet is asked for. */
function hiddenSheets(workbookXml: string): Set<string> {
  const hidden = new Set<string>();
  for (const match of workbookXml.matchAll(/<(?:\w+:)?sheet\b([^>]*)>/gu)) {
    const attributes = match[1] ?? '';
    const name = /\bname\s*=\s*(?:"([^"]*)"|'([^']*)')/u.exec(attributes);
    if (name && /\bstate\s*=\s*["'](?:hidden|veryHidden)["']/u.test(attributes)) hidden.add(unescapeXml(name[1] ?? name[2] ?? ''));
  }
  return hidden;
}

function notAWorkbook(entries: readonly string[], fileName: string): ImportFileError {
  const has = (name: string): boolean => entries.includes(name);
  if (has('content.xml') && has('mimetype')) {
    return new ImportFileError(`${fileName} is an OpenDocument spreadsheet (.ods), not an Excel workbook`, RESAVE_FIX);
  }
  if (has('xl/workbook.bin')) return new ImportFileError(`${fileName} is an Excel Binary Workbook (.xlsb)`, RESAVE_FIX);
  if (has('word/document.xml')) return new ImportFileError(`${fileName} is a Word document, not a spreadsheet`, 'Choose the Excel or CSV file that has the list');
  return new ImportFileError(`${fileName} is a zip archive, not an Excel workbook`, 'Unzip it and choose the spreadsheet inside, or save the list as .xlsx or CSV');
}

/**
 * The workbook's XML parts, unzipped here to cap the unpacked size and name what a non-workbook
 * zip is.
 */
function unpackWorkbook(bytes: Uint8Array, fileName: string): { parts: Unzipped; workbookXml: string } {
  const entries: string[] = [];
  let unpacked = 0;
  let files: Unzipped;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        entries.push(file.name);
        if (!file.name.endsWith('.xml') && !file.name.endsWith('.rels')) return false;
        // Deflate shrinks at most about 1032 to 1: a part claiming more is damaged (or a zip bomb),
        // and its claimed size must not be allocated.
        if (file.originalSize > file.size * MAX_DEFLATE_RATIO + 1024) {
          throw new ImportFileError(`${fileName} is damaged: a part of it claims an impossible size`, REPAIR_FIX);
        }
        unpacked += file.originalSize;
        if (unpacked > MAX_UNZIPPED_BYTES) {
          throw new ImportFileError(`${fileName} is too large once unpacked (over ${String(MAX_UNZIPPED_BYTES / 1024 / 1024)} MB of sheet data)`, 'Split the list into smaller workbooks, or delete sheets you do not need, and choose it again');
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`${fileName} is damaged or not a complete Excel workbook (${errorText(error)})`, REPAIR_FIX);
  }
  const workbook = files['xl/workbook.xml'];
  if (workbook === undefined) throw notAWorkbook(entries, fileName);
  let workbookXml = strFromU8(workbook);
  // read-excel-file only knows date1904="1"; "true" is as valid (xsd:boolean) and some writers use it.
  const date1904True = /(\bdate1904\s*=\s*)(["'])true\2/u;
  if (date1904True.test(workbookXml)) {
    workbookXml = workbookXml.replace(date1904True, '$1"1"');
    files['xl/workbook.xml'] = strToU8(workbookXml);
  }
  return { parts: files, workbookXml };
}

/**
 * The parts zipped again without compression for read-excel-file. Its unzip hands parts over
 * 512 kB to fflate's Web Worker, built from a blob: URL, which the app's Content Security Policy
 * (script-src 'self') refuses; stored parts are only copied, on this thread.
 */
function storedWorkbook(parts: Unzipped): ArrayBuffer {
  // A copy into an exact ArrayBuffer, which is what read-excel-file takes.
  return new Uint8Array(zipSync(parts, { level: 0 })).buffer;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function cellValueOf(value: unknown): CellValue {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  return null;
}

function hasData(rows: readonly (readonly unknown[])[]): boolean {
  return rows.some((row) => row.some((cell) => cellValueOf(cell) !== null));
}

async function readAllSheets(parts: Unzipped, fileName: string): Promise<WorkbookSheet[]> {
  // The quick reader gives the same sheets for the workbooks it knows the shape of, in a fraction
  // of the time; read-excel-file reads the rest, and says what is wrong with a damaged one.
  const quick = quickReadWorkbook(parts);
  if (quick !== undefined) return quick;
  try {
    return await readXlsxFile(storedWorkbook(parts), { trim: false });
  } catch (error) {
    if (error instanceof InvalidInputError) {
      if (error.code === 'XLS_FILE_NOT_SUPPORTED') throw new ImportFileError(`${fileName} is an old Excel 97–2003 (.xls) file`, RESAVE_FIX);
      if (error.code === 'NO_DATA') throw new ImportFileError(`${fileName} is empty`, 'Choose the file that has the list in it');
      throw new ImportFileError(`${fileName} is not an Excel workbook that can be read`, RESAVE_FIX);
    }
    if (error instanceof InvalidSpreadsheetError) {
      throw new ImportFileError(`${fileName} is damaged: a sheet in it cannot be read (${error.message})`, REPAIR_FIX);
    }
    // read-excel-file can also fail with a plain TypeError on odd XML (a cell without its "r").
    throw new ImportFileError(`${fileName} could not be read (${errorText(error)})`, REPAIR_FIX);
  }
}

/**
 * Reads one sheet of an .xlsx file: row 1 of the table is Excel's row 1 and cell 0 is column A,
 * blank rows and columns included (blank rows at the end are dropped). Throws ImportFileError.
 */
export async function readXlsx(bytes: Uint8Array, options: XlsxOptions = {}): Promise<SheetTable> {
  const fileName = options.fileName ?? 'The workbook';
  const { parts, workbookXml } = unpackWorkbook(bytes, fileName);
  const sheets = await readAllSheets(parts, fileName);
  const sheetNames = sheets.map((sheet) => sheet.sheet);
  if (sheets.length === 0) throw new ImportFileError(`${fileName} has no sheets`, REPAIR_FIX);

  let chosen: WorkbookSheet | undefined;
  if (options.sheet !== undefined) {
    const wanted = options.sheet;
    const loose = (name: string): string => name.trim().toLowerCase();
    chosen = sheets.find((sheet) => sheet.sheet === wanted) ?? sheets.find((sheet) => loose(sheet.sheet) === loose(wanted));
    if (chosen === undefined) {
      throw new ImportFileError(
        `${fileName} has no sheet called "${wanted}"`,
        `Choose one of its sheets: ${sheetNames.map((name) => `"${name}"`).join(', ')}`,
      );
    }
  } else {
    // The first sheet Excel shows; if it is empty, the next one with something in it.
    const hidden = hiddenSheets(workbookXml);
    const visible = sheets.filter((sheet) => !hidden.has(sheet.sheet));
    const candidates = visible.length > 0 ? visible : sheets;
    chosen = candidates.find((sheet) => hasData(sheet.data)) ?? candidates[0];
  }
  if (chosen === undefined || !hasData(chosen.data)) {
    const name = chosen?.sheet ?? sheetNames[0] ?? '';
    throw new ImportFileError(
      `The sheet "${name}" is empty`,
      sheetNames.length > 1 ? `Choose the sheet that has the list: ${sheetNames.map((sheet) => `"${sheet}"`).join(', ')}` : 'Choose the file that has the list in it',
    );
  }

  // read-excel-file fills gaps from row 1 and column A, so a row's index is its Excel row - 1.
  const rows = chosen.data.map((cells, index) => ({ rowNumber: index + 1, cells: cells.map(cellValueOf) }));
  return { format: 'xlsx', sheetName: chosen.sheet, rows, sheetNames };
}
