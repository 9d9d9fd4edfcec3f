// What the renderer needs from the machine it runs on. Two adapters implement it: web.ts (a
// plain browser, the app served by the sync server) and electron.ts (the desktop preload
// bridge); the build picks one through the `#platform` alias.

export interface PlatformInfo {
  kind: 'web' | 'electron';
  version: string;
}

export interface Platform {
  info(): Promise<PlatformInfo>;
  /** The sync server this desk talks to. */
  serverUrl(): Promise<string>;
  /** Whether the person at the desk may change the server URL (desktop only). */
  readonly canChooseServer: boolean;
  setServerUrl(url: string): Promise<void>;
  /** The signed-in session as JSON, kept where this platform keeps secrets. */
  loadSession(): Promise<string | null>;
  saveSession(json: string): Promise<void>;
  clearSession(): Promise<void>;
  /** This desk's enrolment (device id and secret, offline sign-in verifiers) as JSON, kept like the session. */
  loadEnrolment(): Promise<string | null>;
  saveEnrolment(json: string): Promise<void>;
  clearEnrolment(): Promise<void>;
  /** Makes the app itself load without a network (a service worker on the web; built in on desktop). */
  enableOfflineShell(): Promise<void>;
  /** The printers receipts may go to without a dialog (desktop only; none in a browser). */
  printers(): Promise<{ name: string; displayName: string }[]>;
  /** Prints a PDF (a receipt, a Z-report): to `printer` directly, or through the print dialog. */
  printPdf(pdf: Uint8Array, title: string, printer?: string | null): Promise<void>;
  /** Saves a PDF where the person chooses (a download in the browser). */
  savePdf(pdf: Uint8Array, fileName: string): Promise<void>;
}
