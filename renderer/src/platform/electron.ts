// Desktop adapter: everything goes through the preload bridge (`window.feemaster`); the
// session is encrypted by the OS keychain in the main process.
import type { DesktopBridge } from '../../../electron/preload/bridge.ts';
import type { Platform } from './port.ts';
import { downloadPdf, printPdfInFrame } from './browser-pdf.ts';

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
  // Until the main process prints to a chosen printer (issue 6's Electron shell), as a browser does.
  printPdf: (pdf, title) => printPdfInFrame(pdf, title),
  savePdf: (pdf, fileName) => downloadPdf(pdf, fileName),
} satisfies Platform;
