// Desktop adapter: everything goes through the preload bridge (`window.feemaster`); the
// session is encrypted by the OS keychain in the main process.
import type { DesktopBridge } from '../../../electron/preload/bridge.ts';
import type { Platform } from './port.ts';

function bridge(): DesktopBridge {
  const desktop = window.feemaster;
  if (!desktop) throw new Error('The desktop bridge is missing: start Fee Master from its installed app.');
  return desktop;
}

export const platform: Platform = {
  async info() {
    const info = await bridge().appInfo();
    return { kind: 'electron', version: info.version };
  },
  serverUrl: () => bridge().getServerUrl(),
  canChooseServer: true,
  setServerUrl: (url) => bridge().setServerUrl(url),
  loadSession: () => bridge().loadSession(),
  saveSession: (json) => bridge().saveSession(json),
  clearSession: () => bridge().clearSession(),
  loadEnrolment: () => bridge().loadEnrolment(),
  saveEnrolment: (json) => bridge().saveEnrolment(json),
  clearEnrolment: () => bridge().clearEnrolment(),
  // The desktop app loads from its own bundle; it only asks that the replica is never evicted.
  enableOfflineShell: async () => {
    await navigator.storage.persist();
  },
  printers: () => bridge().listPrinters(),
  // Main prints from a window of its own: to the chosen printer, or through the system's dialog.
  printPdf: (pdf, title, printer) => bridge().printPdf(pdf, title, printer ?? null),
  savePdf: async (pdf, fileName) => {
    await bridge().savePdf(pdf, fileName);
  },
} satisfies Platform;
