// The one entry point for reading an import file: what the bytes are decides how they are read
// (an .xlsx zip, an old .xls, or text), not the file's name, and every failure is an
// ImportFileError with a message and a fix for the person.
import { type CsvDelimiter, readCsv } from './csv.ts';
import { decodeText } from './decode-text.ts';
import { ImportFileError, type SheetTable } from './table.ts';
import { readXlsx } from './xlsx.ts';

const MB = 1024 * 1024;

/** The largest file an import reads: far above any school's list, below what strains a browser. */
export const MAX_IMPORT_FILE_BYTES = 30 * MB;

export interface ReadTableOptions {
  /** For a workbook: the sheet to read (the first one with data by default). */
  sheet?: string;
  /** For CSV: the separator, when the person chose one (found from the content by default). */
  delimiter?: CsvDelimiter;
}

export type ImportFileKind = 'xlsx' | 'ole2' | 'pdf' | 'html' | 'text';

const RESAVE_FIX = 'Save it as .xlsx (Excel Workbook) or CSV and choose it again';
// Bytes of text looked at to tell a text file from some other binary file.
const TEXT_SNIFF_CHARS = 65_536;

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((byte, index) => bytes[index] === byte);
}

/** What a file is, from its first bytes. */
export function sniffFileKind(bytes: Uint8Array): ImportFileKind {
  // Local file header of a zip, or the end record of an empty one.
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'xlsx';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole2';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  const head = String.fromCharCode(...bytes.subarray(0, 512)).replace(/^\uFEFF|^\u00EF\u00BB\u00BF/u, '').trimStart().toLowerCase();
  // Some school systems "export to Excel" as a web page with an .xls name.
  if (/^<(?:!doctype html|html|table|\?xml[^>]*>\s*<html)/u.test(head)) return 'html';
  return 'text';
}

/** An OLE2 file is an old .xls, or an .xlsx that has a password (Excel wraps those the same way). */
function oldOrEncrypted(bytes: Uint8Array, fileName: string): ImportFileError {
  // The stream name "EncryptedPackage" in UTF-16LE, as the OLE2 directory stores it.
  const marker = [...'EncryptedPackage'].flatMap((char) => [char.charCodeAt(0), 0]);
  const limit = Math.min(bytes.length, 1024 * 1024) - marker.length;
  for (let i = 0; i <= limit; i++) {
    if (bytes[i] === marker[0] && marker.every((byte, offset) => bytes[i + offset] === byte)) {
      return new ImportFileError(`${fileName} is protected with a password`, 'Open it in Excel, remove the password (File › Info › Protect Workbook), save it, and choose it again');
    }
  }
  return new ImportFileError(`${fileName} is an old Excel 97–2003 (.xls) file, which cannot be read`, RESAVE_FIX);
}

/** Control characters (other than tab and line breaks) in text mean it is some other binary file. */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, TEXT_SNIFF_CHARS);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if (code === 0) return true;
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffd) control++;
  }
  return control > sample.length / 100;
}

async function readByKind(bytes: Uint8Array, fileName: string, options: ReadTableOptions): Promise<SheetTable> {
  if (bytes.length === 0) throw new ImportFileError(`${fileName} is empty`, 'Choose the file that has the list in it');
  if (bytes.length > MAX_IMPORT_FILE_BYTES) {
    throw new ImportFileError(
      // Rounded up, so a file just over the limit never reads as the limit itself.
      `${fileName} is ${(Math.ceil((bytes.length / MB) * 10) / 10).toFixed(1)} MB; files up to ${String(MAX_IMPORT_FILE_BYTES / MB)} MB can be imported`,
      'Split the list into smaller files, or delete pictures and sheets you do not need, and choose it again',
    );
  }
  switch (sniffFileKind(bytes)) {
    case 'xlsx':
      return readXlsx(bytes, { fileName, ...(options.sheet !== undefined ? { sheet: options.sheet } : {}) });
    case 'ole2':
      throw oldOrEncrypted(bytes, fileName);
    case 'pdf':
      throw new ImportFileError(`${fileName} is a PDF, which cannot be imported`, 'Choose the Excel (.xlsx) or CSV file the list was made in');
    case 'html':
      throw new ImportFileError(`${fileName} is a web page saved with a spreadsheet name, not a real Excel file`, `Open it in Excel, then ${RESAVE_FIX.charAt(0).toLowerCase()}${RESAVE_FIX.slice(1)}`);
    case 'text': {
      // Decoded twice for text files (here and in readCsv); cheap next to parsing.
      if (looksBinary(decodeText(bytes.subarray(0, TEXT_SNIFF_CHARS * 2)).text)) {
        throw new ImportFileError(`${fileName} is not a spreadsheet or CSV file`, 'Choose the Excel (.xlsx) or CSV file that has the list');
      }
      return readCsv(bytes, fileName, options.delimiter !== undefined ? { delimiter: options.delimiter } : {});
    }
  }
}

/**
 * Reads an import file (.xlsx, or CSV/TSV text in any common encoding) into a table of cells with
 * spreadsheet row numbers. Every failure is an ImportFileError.
 */
export async function readTable(bytes: Uint8Array, fileName: string, options: ReadTableOptions = {}): Promise<SheetTable> {
  try {
    return await readByKind(bytes, fileName, options);
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`${fileName} could not be read (${error instanceof Error ? error.message : String(error)})`, RESAVE_FIX);
  }
}
