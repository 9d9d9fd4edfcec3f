// Browser adapter: the app is served by its sync server, so the server is this page's origin;
// the session and the desk's enrolment live in localStorage and a service worker keeps the app loadable offline.
import type { Platform } from './port.ts';
import { downloadPdf, printPdfInFrame } from './browser-pdf.ts';

const SESSION_KEY = 'feemaster.session';
const ENROLMENT_KEY = 'feemaster.desk';

export const platform: Platform = {
  info: () => Promise.resolve({ kind: 'web', version: import.meta.env.VITE_APP_VERSION ?? 'dev' }),
  serverUrl: () => Promise.resolve(window.location.origin),
  canChooseServer: false,
  setServerUrl: () => Promise.reject(new Error('The browser edition always talks to the server it was opened from.')),
  loadSession: () => Promise.resolve(window.localStorage.getItem(SESSION_KEY)),
  saveSession: (json) => {
    window.localStorage.setItem(SESSION_KEY, json);
    return Promise.resolve();
  },
  clearSession: () => {
    window.localStorage.removeItem(SESSION_KEY);
    return Promise.resolve();
  },
  loadEnrolment: () => Promise.resolve(window.localStorage.getItem(ENROLMENT_KEY)),
  saveEnrolment: (json) => {
    window.localStorage.setItem(ENROLMENT_KEY, json);
    return Promise.resolve();
  },
  clearEnrolment: () => {
    window.localStorage.removeItem(ENROLMENT_KEY);
    return Promise.resolve();
  },
  async enableOfflineShell() {
    // Ask the browser not to evict the replica: it may hold work not yet synced.
    await navigator.storage.persist();
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  },
  printers: () => Promise.resolve([]),
  printPdf: (pdf, title) => printPdfInFrame(pdf, title),
  savePdf: (pdf, fileName) => downloadPdf(pdf, fileName),
} satisfies Platform;
