// The contract between the renderer and the Electron main process: what `window.feemaster`
// offers and the IPC channel behind each capability. Types and constants only.

export interface AppInfo {
  version: string;
  platform: string;
  electron: string;
}

/** A printer the computer knows, for choosing where receipts go. */
export interface PrinterChoice {
  name: string;
  displayName: string;
}

/** A file the person chose to open (a spreadsheet to import). */
export interface OpenedFile {
  name: string;
  bytes: Uint8Array;
}

export type OpenFileKind = 'spreadsheet';

export interface DesktopBridge {
  appInfo(): Promise<AppInfo>;
  /** The JSON the renderer last saved, decrypted, or null when nothing is saved. */
  loadSession(): Promise<string | null>;
  /** Encrypted at rest with the OS key store (safeStorage); refused when that is unavailable. */
  saveSession(json: string): Promise<void>;
  clearSession(): Promise<void>;
  /** The desk's enrolment JSON (device secret, offline verifiers), encrypted like the session. */
  loadEnrolment(): Promise<string | null>;
  saveEnrolment(json: string): Promise<void>;
  clearEnrolment(): Promise<void>;
  getServerUrl(): Promise<string>;
  /** http(s) URL only, validated in main. Reload the page afterwards: the CSP is per document. */
  setServerUrl(url: string): Promise<void>;
  listPrinters(): Promise<PrinterChoice[]>;
  /** Prints a PDF: to `printer` without a dialog, or through the print dialog when it is null. */
  printPdf(pdf: Uint8Array, title: string, printer: string | null): Promise<void>;
  /** Asks where to save a PDF; 'cancelled' when the person closed the dialog. */
  savePdf(pdf: Uint8Array, suggestedName: string): Promise<'saved' | 'cancelled'>;
  /** Asks for a file to open; null when the person closed the dialog. */
  openFile(kind: OpenFileKind): Promise<OpenedFile | null>;
}

/** One IPC channel per bridge capability, keyed by the bridge method it serves. */
export const IpcChannels = {
  appInfo: 'app:info',
  loadSession: 'session:load',
  saveSession: 'session:save',
  clearSession: 'session:clear',
  loadEnrolment: 'enrolment:load',
  saveEnrolment: 'enrolment:save',
  clearEnrolment: 'enrolment:clear',
  getServerUrl: 'settings:get-server-url',
  setServerUrl: 'settings:set-server-url',
  listPrinters: 'print:list-printers',
  printPdf: 'print:pdf',
  savePdf: 'file:save-pdf',
  openFile: 'file:open',
} as const satisfies Record<keyof DesktopBridge, string>;

export type IpcChannel = (typeof IpcChannels)[keyof typeof IpcChannels];

/**
 * Why a bridge call failed. A rejected bridge promise carries an Error whose message starts
 * with the code in brackets, e.g. `[encryption-unavailable] This computer …`.
 */
export type DesktopErrorCode =
  | 'forbidden-sender'
  | 'invalid-argument'
  | 'encryption-unavailable'
  | 'session-unreadable'
  | 'print-failed'
  | 'file-failed'
  | 'unexpected-reply';

declare global {
  interface Window {
    /** Present only inside the Electron shell; the web build has no bridge. */
    feemaster?: DesktopBridge;
  }
}
