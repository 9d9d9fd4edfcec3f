// Printing and files from main, with Electron stubbed: what reaches the printer and the disk, and
// what is refused before anything happens.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type PrintCallback = (success: boolean, reason: string) => void;

const electron = vi.hoisted(() => {
  const state = {
    printers: [{ name: 'EPSON_TM_T20', displayName: 'Epson TM-T20 (receipts)' }],
    printed: [] as { url: string; options: Record<string, unknown> }[],
    printResult: [true, ''] as [boolean, string],
    windowsDestroyed: 0,
    saveChoice: { canceled: false, filePath: '' as string | undefined },
    openChoice: { canceled: false, filePaths: [] as string[] },
    documents: '',
  };
  class BrowserWindow {
    url = '';
    readonly webContents = {
      print: (options: Record<string, unknown>, callback: PrintCallback) => {
        state.printed.push({ url: this.url, options });
        callback(...state.printResult);
      },
    };
    loadURL(url: string): Promise<void> {
      this.url = url;
      return Promise.resolve();
    }
    destroy(): void {
      state.windowsDestroyed += 1;
    }
    static fromWebContents(): null {
      return null;
    }
  }
  return {
    state,
    BrowserWindow,
    app: { getPath: (name: string) => (name === 'documents' ? state.documents : '') },
    dialog: {
      showSaveDialog: () => Promise.resolve(state.saveChoice),
      showOpenDialog: () => Promise.resolve(state.openChoice),
    },
  };
});

vi.mock('electron', () => ({ BrowserWindow: electron.BrowserWindow, app: electron.app, dialog: electron.dialog }));

const { openFile, openFileKindArg, pdfArg, printPdf, safePdfName, savePdf } = await import('./documents.ts');

const sender = { getPrintersAsync: () => Promise.resolve(electron.state.printers) } as unknown as Parameters<typeof printPdf>[0];
const pdf = new TextEncoder().encode('%PDF-1.3\n% a receipt\n%%EOF');
let folder = '';

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'feemaster-documents-'));
  electron.state.documents = folder;
  electron.state.printed = [];
  electron.state.printResult = [true, ''];
  electron.state.windowsDestroyed = 0;
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const printTempFiles = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('feemaster-print-'));

describe('printing a PDF', () => {
  it('sends it to the chosen printer without a dialog, and leaves no file behind', async () => {
    const before = await printTempFiles();
    await printPdf(sender, pdf, 'Receipt MAIN-D01-000007', 'EPSON_TM_T20');
    expect(electron.state.printed).toEqual([{ url: expect.stringMatching(/^file:\/\/.*feemaster-print-.*\.pdf$/) as string, options: { silent: true, deviceName: 'EPSON_TM_T20', printBackground: true } }]);
    expect(electron.state.windowsDestroyed).toBe(1);
    expect(await printTempFiles()).toEqual(before);
  });

  it('shows the print dialog when no printer is chosen, and a closed dialog is no failure', async () => {
    electron.state.printResult = [false, 'cancelled'];
    await printPdf(sender, pdf, 'Z-report MAIN-D01', null);
    expect(electron.state.printed[0]?.options).toEqual({ silent: false, printBackground: true });
  });

  it('says what to check when the printer refuses, and refuses a printer this computer does not have', async () => {
    electron.state.printResult = [false, 'failed'];
    await expect(printPdf(sender, pdf, 'Receipt MAIN-D01-000008', 'EPSON_TM_T20')).rejects.toThrow(/\[print-failed\].*Check that it is on and has paper/);
    expect(electron.state.windowsDestroyed).toBe(1);
    await expect(printPdf(sender, pdf, 'Receipt', 'Office laser')).rejects.toThrow(/\[invalid-argument\] The printer “Office laser” is not installed/);
  });

  it('takes only a PDF, of a sensible size', () => {
    expect(() => pdfArg('%PDF-1.3', 'printPdf')).toThrow(/expects the PDF as bytes/);
    expect(() => pdfArg(new TextEncoder().encode('<html>'), 'printPdf')).toThrow(/expects a PDF document/);
    expect(() => pdfArg(new Uint8Array(21 * 1024 * 1024), 'printPdf')).toThrow(/larger than 20 MB/);
    expect(pdfArg(pdf, 'printPdf')).toBe(pdf);
  });
});

describe('saving and opening files', () => {
  it('saves the PDF where the person chose, or nothing when they cancel', async () => {
    const target = join(folder, 'Receipt MAIN-D01-000007.pdf');
    electron.state.saveChoice = { canceled: false, filePath: target };
    await expect(savePdf(sender, pdf, 'Receipt MAIN-D01-000007')).resolves.toBe('saved');
    expect(await readFile(target)).toEqual(Buffer.from(pdf));
    electron.state.saveChoice = { canceled: true, filePath: undefined };
    await expect(savePdf(sender, pdf, 'x')).resolves.toBe('cancelled');
  });

  it('suggests a plain file name, whatever the page asked for', () => {
    expect(safePdfName('../../etc/passwd')).toBe('passwd.pdf');
    expect(safePdfName('C:\\Windows\\Receipt 7.PDF')).toBe('Receipt 7.PDF');
    expect(safePdfName('Z-report: MAIN/D01?')).toBe('D01.pdf');
    expect(safePdfName('')).toBe('Fee Master.pdf');
  });

  it('opens a chosen spreadsheet, refuses one too large, and returns null when cancelled', async () => {
    const sheet = join(folder, 'students.csv');
    await writeFile(sheet, 'admission,first name\n0042,José\n');
    electron.state.openChoice = { canceled: false, filePaths: [sheet] };
    const opened = await openFile(sender, 'spreadsheet');
    expect(opened?.name).toBe('students.csv');
    expect(new TextDecoder().decode(opened?.bytes)).toContain('José');
    electron.state.openChoice = { canceled: true, filePaths: [] };
    await expect(openFile(sender, 'spreadsheet')).resolves.toBeNull();
    expect(() => openFileKindArg('executable')).toThrow(/\[invalid-argument\] openFile expects one of spreadsheet/);
  });
});
