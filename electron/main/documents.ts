// Paper and files for the desk: printing a PDF (a receipt, a Z-report) to the chosen printer or
// through the print dialog, saving a PDF where the person chooses, and opening a spreadsheet to
// import. Every argument is checked here; the page only hands over bytes and names.
import { randomUUID } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, type WebContents } from 'electron';
import type { OpenedFile, OpenFileKind, PrinterChoice } from '../preload/bridge.ts';
import { DesktopError } from './desktop-error.ts';

/** A receipt is tens of kilobytes; a long statement a few hundred. */
export const MAX_PDF_BYTES = 20 * 1024 * 1024;
/** A spreadsheet of a whole school is a few megabytes. */
export const MAX_OPENED_FILE_BYTES = 50 * 1024 * 1024;

export function pdfArg(value: unknown, call: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new DesktopError('invalid-argument', `${call} expects the PDF as bytes.`);
  if (value.byteLength > MAX_PDF_BYTES) throw new DesktopError('invalid-argument', `${call}: the PDF is larger than ${String(MAX_PDF_BYTES / 1024 / 1024)} MB.`);
  if (Buffer.from(value.subarray(0, 5)).toString('latin1') !== '%PDF-') throw new DesktopError('invalid-argument', `${call} expects a PDF document.`);
  return value;
}

/** A file name the page suggests, reduced to its last part with a .pdf ending. */
export function safePdfName(suggested: string): string {
  const name = basename(suggested.replaceAll('\\', '/')).replaceAll(/[<>:"|?*\p{Cc}]/gu, '').trim().slice(0, 120);
  const stem = name === '' || name === '.' || name === '..' ? 'Fee Master' : name;
  return extname(stem).toLowerCase() === '.pdf' ? stem : `${stem}.pdf`;
}

export async function listPrinters(sender: WebContents): Promise<PrinterChoice[]> {
  const printers = await sender.getPrintersAsync();
  return printers.map((p) => ({ name: p.name, displayName: p.displayName || p.name }));
}

/**
 * Prints the PDF from a hidden window showing it: to `printer` without asking, or through the
 * system's print dialog. The file is written to the temp folder and removed afterwards.
 */
export async function printPdf(sender: WebContents, pdf: Uint8Array, title: string, printer: string | null): Promise<void> {
  if (printer !== null && !(await listPrinters(sender)).some((p) => p.name === printer)) {
    throw new DesktopError('invalid-argument', `The printer “${printer}” is not installed on this computer; choose another one.`);
  }
  const file = join(tmpdir(), `feemaster-print-${randomUUID()}.pdf`);
  await writeFile(file, pdf, { mode: 0o600 });
  const window = new BrowserWindow({ show: false, title, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, plugins: true } });
  try {
    await window.loadURL(pathToFileURL(file).toString());
    await new Promise<void>((resolve, reject) => {
      window.webContents.print({ silent: printer !== null, ...(printer === null ? {} : { deviceName: printer }), printBackground: true }, (success, reason) => {
        // A person closing the dialog is not a failure.
        if (success || reason === 'cancelled') resolve();
        else reject(new DesktopError('print-failed', `The printer did not take “${title}” (${reason}). Check that it is on and has paper, then print again.`));
      });
    });
  } finally {
    window.destroy();
    await rm(file, { force: true });
  }
}

export async function savePdf(sender: WebContents, pdf: Uint8Array, suggestedName: string): Promise<'saved' | 'cancelled'> {
  const owner = BrowserWindow.fromWebContents(sender);
  const options = { defaultPath: join(app.getPath('documents'), safePdfName(suggestedName)), filters: [{ name: 'PDF document', extensions: ['pdf'] }] };
  const chosen = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  if (chosen.canceled || !chosen.filePath) return 'cancelled';
  try {
    await writeFile(chosen.filePath, pdf);
  } catch (error) {
    throw new DesktopError('file-failed', `The PDF could not be saved to ${chosen.filePath} (${error instanceof Error ? error.message : String(error)}); choose another folder.`);
  }
  return 'saved';
}

const OPEN_FILTERS: Record<OpenFileKind, { name: string; extensions: string[] }[]> = {
  spreadsheet: [{ name: 'Spreadsheets (Excel, CSV)', extensions: ['xlsx', 'xls', 'csv'] }],
};

export function openFileKindArg(value: unknown): OpenFileKind {
  if (typeof value !== 'string' || !Object.hasOwn(OPEN_FILTERS, value)) throw new DesktopError('invalid-argument', `openFile expects one of ${Object.keys(OPEN_FILTERS).join(', ')}.`);
  return value as OpenFileKind;
}

export async function openFile(sender: WebContents, kind: OpenFileKind): Promise<OpenedFile | null> {
  const owner = BrowserWindow.fromWebContents(sender);
  const options = { properties: ['openFile' as const], filters: OPEN_FILTERS[kind] };
  const chosen = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  const [path] = chosen.filePaths;
  if (chosen.canceled || path === undefined) return null;
  const { size } = await stat(path);
  if (size > MAX_OPENED_FILE_BYTES) throw new DesktopError('file-failed', `${basename(path)} is larger than ${String(MAX_OPENED_FILE_BYTES / 1024 / 1024)} MB; split it into smaller files.`);
  return { name: basename(path), bytes: new Uint8Array(await readFile(path)) };
}
