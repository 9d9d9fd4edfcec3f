// Builds the `window.feemaster` object: one function per capability, each a single IPC
// call whose reply is checked before it reaches the page.
import { IpcChannels } from './bridge.ts';
import type { AppInfo, DesktopBridge, IpcChannel, OpenedFile, PrinterChoice } from './bridge.ts';

export type Invoke = (channel: IpcChannel, ...args: unknown[]) => Promise<unknown>;

/** Drops Electron's "Error invoking remote method '…': Error: " wrapper so the page sees main's message. */
function unwrapRemoteErrors(invoke: Invoke): Invoke {
  return async (channel, ...args) => {
    try {
      return await invoke(channel, ...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, ''), { cause: error });
    }
  };
}

function unexpectedReply(channel: IpcChannel): Error {
  return new Error(`[unexpected-reply] The desktop app gave an unexpected answer on ${channel}. Restart Fee Master.`);
}

function isAppInfo(value: unknown): value is AppInfo {
  return (
    typeof value === 'object' &&
    value !== null &&
    'version' in value &&
    typeof value.version === 'string' &&
    'platform' in value &&
    typeof value.platform === 'string' &&
    'electron' in value &&
    typeof value.electron === 'string'
  );
}

export function createDesktopBridge(ipcInvoke: Invoke): DesktopBridge {
  const invoke = unwrapRemoteErrors(ipcInvoke);
  return {
    async appInfo() {
      const reply = await invoke(IpcChannels.appInfo);
      if (!isAppInfo(reply)) throw unexpectedReply(IpcChannels.appInfo);
      return { version: reply.version, platform: reply.platform, electron: reply.electron };
    },
    async loadSession() {
      const reply = await invoke(IpcChannels.loadSession);
      if (reply !== null && typeof reply !== 'string') throw unexpectedReply(IpcChannels.loadSession);
      return reply;
    },
    async saveSession(json) {
      await invoke(IpcChannels.saveSession, json);
    },
    async clearSession() {
      await invoke(IpcChannels.clearSession);
    },
    async loadEnrolment() {
      const reply = await invoke(IpcChannels.loadEnrolment);
      if (reply !== null && typeof reply !== 'string') throw unexpectedReply(IpcChannels.loadEnrolment);
      return reply;
    },
    async saveEnrolment(json) {
      await invoke(IpcChannels.saveEnrolment, json);
    },
    async clearEnrolment() {
      await invoke(IpcChannels.clearEnrolment);
    },
    async getServerUrl() {
      const reply = await invoke(IpcChannels.getServerUrl);
      if (typeof reply !== 'string') throw unexpectedReply(IpcChannels.getServerUrl);
      return reply;
    },
    async setServerUrl(url) {
      await invoke(IpcChannels.setServerUrl, url);
    },
    async listPrinters() {
      const reply = await invoke(IpcChannels.listPrinters);
      if (!Array.isArray(reply) || !reply.every(isPrinterChoice)) throw unexpectedReply(IpcChannels.listPrinters);
      return reply.map((p) => ({ name: p.name, displayName: p.displayName }));
    },
    async printPdf(pdf, title, printer) {
      await invoke(IpcChannels.printPdf, pdf, title, printer);
    },
    async savePdf(pdf, suggestedName) {
      const reply = await invoke(IpcChannels.savePdf, pdf, suggestedName);
      if (reply !== 'saved' && reply !== 'cancelled') throw unexpectedReply(IpcChannels.savePdf);
      return reply;
    },
    async openFile(kind) {
      const reply = await invoke(IpcChannels.openFile, kind);
      if (reply === null) return null;
      if (!isOpenedFile(reply)) throw unexpectedReply(IpcChannels.openFile);
      return { name: reply.name, bytes: reply.bytes };
    },
  };
}

function isPrinterChoice(value: unknown): value is PrinterChoice {
  return typeof value === 'object' && value !== null && 'name' in value && typeof value.name === 'string' && 'displayName' in value && typeof value.displayName === 'string';
}

function isOpenedFile(value: unknown): value is OpenedFile {
  return typeof value === 'object' && value !== null && 'name' in value && typeof value.name === 'string' && 'bytes' in value && value.bytes instanceof Uint8Array;
}
