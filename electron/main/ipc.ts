// The main-process side of the bridge: one handler per capability, each reached only from
// the app's own top-level frame and only with arguments that pass validation.
import { app, ipcMain } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { IpcChannels } from '../preload/bridge.ts';
import type { DesktopBridge } from '../preload/bridge.ts';
import { isAppUrl } from './app-origin.ts';
import { DesktopError } from './desktop-error.ts';
import { clearEnrolment, clearSession, loadEnrolment, loadSession, saveEnrolment, saveSession } from './secrets.ts';
import { getServerUrl, MAX_SERVER_URL_LENGTH, setServerUrl } from './settings.ts';
import { listPrinters, openFile, openFileKindArg, pdfArg, printPdf, savePdf } from './documents.ts';

/** Far above a refresh token, or a desk's enrolment with a few dozen people's offline verifiers. */
export const MAX_SESSION_JSON_LENGTH = 64 * 1024;

type ChannelHandlers = {
  [K in keyof DesktopBridge as (typeof IpcChannels)[K]]: (args: readonly unknown[], event: Pick<IpcMainInvokeEvent, 'sender'>) => ReturnType<DesktopBridge[K]>;
};

function expectArgs(args: readonly unknown[], count: number, call: string): void {
  if (args.length !== count) {
    throw new DesktopError('invalid-argument', `${call} takes ${count} argument(s), got ${args.length}.`);
  }
}

function stringArg(args: readonly unknown[], call: string, what: string, maxLength: number): string {
  expectArgs(args, 1, call);
  const [value] = args;
  if (typeof value !== 'string') {
    throw new DesktopError('invalid-argument', `${call} expects ${what} as a string, got ${typeof value}.`);
  }
  if (value.length > maxLength) {
    throw new DesktopError('invalid-argument', `${call}: ${what} is longer than ${maxLength} characters.`);
  }
  return value;
}

function jsonArg(args: readonly unknown[], call: 'saveSession' | 'saveEnrolment'): string {
  const json = stringArg(args, call, call === 'saveSession' ? 'the session JSON' : 'the enrolment JSON', MAX_SESSION_JSON_LENGTH);
  try {
    JSON.parse(json);
  } catch (error) {
    throw new DesktopError('invalid-argument', `${call} expects valid JSON (${String(error)}).`);
  }
  return json;
}

export const ipcHandlers = {
  [IpcChannels.appInfo]: (args) => {
    expectArgs(args, 0, 'appInfo');
    return Promise.resolve({ version: app.getVersion(), platform: process.platform, electron: process.versions.electron });
  },
  [IpcChannels.loadSession]: (args) => {
    expectArgs(args, 0, 'loadSession');
    return loadSession();
  },
  [IpcChannels.saveSession]: (args) => saveSession(jsonArg(args, 'saveSession')),
  [IpcChannels.clearSession]: (args) => {
    expectArgs(args, 0, 'clearSession');
    return clearSession();
  },
  [IpcChannels.loadEnrolment]: (args) => {
    expectArgs(args, 0, 'loadEnrolment');
    return loadEnrolment();
  },
  [IpcChannels.saveEnrolment]: (args) => saveEnrolment(jsonArg(args, 'saveEnrolment')),
  [IpcChannels.clearEnrolment]: (args) => {
    expectArgs(args, 0, 'clearEnrolment');
    return clearEnrolment();
  },
  [IpcChannels.getServerUrl]: (args) => {
    expectArgs(args, 0, 'getServerUrl');
    return getServerUrl();
  },
  [IpcChannels.setServerUrl]: (args) => setServerUrl(stringArg(args, 'setServerUrl', 'the server URL', MAX_SERVER_URL_LENGTH)),
  [IpcChannels.listPrinters]: (args, event) => {
    expectArgs(args, 0, 'listPrinters');
    return listPrinters(event.sender);
  },
  [IpcChannels.printPdf]: (args, event) => {
    expectArgs(args, 3, 'printPdf');
    const [pdf, title, printer] = args;
    if (typeof title !== 'string' || title.length > 200) throw new DesktopError('invalid-argument', 'printPdf expects a title of at most 200 characters.');
    if (printer !== null && (typeof printer !== 'string' || printer.length === 0 || printer.length > 200)) throw new DesktopError('invalid-argument', 'printPdf expects a printer name, or null for the print dialog.');
    return printPdf(event.sender, pdfArg(pdf, 'printPdf'), title, printer);
  },
  [IpcChannels.savePdf]: (args, event) => {
    expectArgs(args, 2, 'savePdf');
    const [pdf, name] = args;
    if (typeof name !== 'string' || name.length > 200) throw new DesktopError('invalid-argument', 'savePdf expects a file name of at most 200 characters.');
    return savePdf(event.sender, pdfArg(pdf, 'savePdf'), name);
  },
  [IpcChannels.openFile]: (args, event) => {
    expectArgs(args, 1, 'openFile');
    return openFile(event.sender, openFileKindArg(args[0]));
  },
} satisfies ChannelHandlers;

/** Only the app's own top-level document may call in: not an iframe, not a page navigated elsewhere. */
export function assertTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): void {
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null || !isAppUrl(frame.url)) {
    throw new DesktopError('forbidden-sender', `Refused a desktop call from ${frame?.url ?? 'an unknown frame'}.`);
  }
}

export function registerIpcHandlers(): void {
  for (const [channel, handler] of Object.entries(ipcHandlers)) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      assertTrustedSender(event);
      return handler(args, event);
    });
  }
}
