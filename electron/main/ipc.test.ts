// The bridge's main side: only the app's own top-level frame may call, with valid arguments.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcChannels } from '../preload/bridge.ts';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

const electron = vi.hoisted(() => ({
  handlers: new Map<string, Handler>(),
  userData: '',
  app: {
    isPackaged: true,
    getVersion: () => '1.2.3',
    getPath: (name: string): string => {
      if (name !== 'userData') throw new Error(`unexpected path ${name}`);
      return electron.userData;
    },
  },
}));

vi.mock('electron', () => ({
  app: electron.app,
  ipcMain: {
    handle: (channel: string, handler: Handler) => {
      electron.handlers.set(channel, handler);
    },
  },
  safeStorage: {
    isAsyncEncryptionAvailable: () => Promise.resolve(true),
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptStringAsync: (text: string) => Promise.resolve(Buffer.from(text, 'utf8').reverse()),
    decryptStringAsync: (data: Buffer) =>
      Promise.resolve({ result: Buffer.from(data).reverse().toString('utf8'), shouldReEncrypt: false }),
  },
}));

const { registerIpcHandlers, MAX_SESSION_JSON_LENGTH } = await import('./ipc.ts');

const appFrame = { senderFrame: { url: 'app://fee-master/index.html', parent: null } };

function call(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
  const handler = electron.handlers.get(channel);
  if (handler === undefined) throw new Error(`no handler for ${channel}`);
  return handler(event, ...args);
}

beforeEach(async () => {
  electron.userData = await mkdtemp(join(tmpdir(), 'feemaster-ipc-'));
  electron.app.isPackaged = true;
  electron.handlers.clear();
  registerIpcHandlers();
});

afterEach(async () => {
  delete process.env.ELECTRON_RENDERER_URL;
  await rm(electron.userData, { recursive: true, force: true });
});

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per bridge capability', () => {
    expect([...electron.handlers.keys()].sort()).toEqual(Object.values(IpcChannels).sort());
  });

  it('answers the app frame', async () => {
    await expect(call(IpcChannels.appInfo, appFrame)).resolves.toMatchObject({ version: '1.2.3' });
    await call(IpcChannels.saveSession, appFrame, '{"token":"t"}');
    await expect(call(IpcChannels.loadSession, appFrame)).resolves.toBe('{"token":"t"}');
  });

  it.each([
    ['another site', { senderFrame: { url: 'https://phish.example/', parent: null } }],
    ['a file:// page', { senderFrame: { url: 'file:///tmp/evil.html', parent: null } }],
    ['an app:// look-alike host', { senderFrame: { url: 'app://fee-master.evil/', parent: null } }],
    ['an iframe inside the app', { senderFrame: { url: 'app://fee-master/frame.html', parent: {} } }],
    ['a destroyed frame', { senderFrame: null }],
  ])('refuses calls from %s and does nothing', async (_name, event) => {
    await expect(call(IpcChannels.saveSession, event, '{"token":"t"}')).rejects.toThrow(/\[forbidden-sender\]/);
    await expect(call(IpcChannels.loadSession, event)).rejects.toThrow(/\[forbidden-sender\]/);
    await expect(call(IpcChannels.setServerUrl, event, 'https://evil.example')).rejects.toThrow(/\[forbidden-sender\]/);
    expect(await readdir(electron.userData)).toEqual([]);
  });

  it('trusts the dev server only while unpackaged', async () => {
    process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173';
    const devFrame = { senderFrame: { url: 'http://localhost:5173/', parent: null } };
    electron.app.isPackaged = false;
    await expect(call(IpcChannels.getServerUrl, devFrame)).resolves.toEqual(expect.any(String));
    electron.app.isPackaged = true;
    await expect(call(IpcChannels.getServerUrl, devFrame)).rejects.toThrow(/\[forbidden-sender\]/);
  });

  it.each([
    ['a number', [42]],
    ['an object', [{ token: 't' }]],
    ['no argument', []],
    ['two arguments', ['{}', '{}']],
    ['text that is not JSON', ['token=t']],
    ['oversize JSON', [JSON.stringify('x'.repeat(MAX_SESSION_JSON_LENGTH))]],
  ])('saveSession rejects %s', async (_name, args) => {
    await expect(call(IpcChannels.saveSession, appFrame, ...args)).rejects.toThrow(/\[invalid-argument\]/);
    expect(await readdir(electron.userData)).toEqual([]);
  });

  it.each([
    ['a file URL', 'file:///etc/passwd'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['a websocket URL', 'ws://fees.example.org'],
    ['not a URL', 'fees.example.org'],
    ['embedded credentials', 'https://admin:secret@fees.example.org'],
    ['an oversize URL', `https://fees.example.org/${'a'.repeat(3000)}`],
    ['a number', 8787],
  ])('setServerUrl rejects %s', async (_name, url) => {
    await expect(call(IpcChannels.setServerUrl, appFrame, url)).rejects.toThrow(/\[invalid-argument\]/);
    await expect(call(IpcChannels.getServerUrl, appFrame)).resolves.toBe('http://localhost:8787');
  });

  it('rejects extra arguments to calls that take none', async () => {
    await expect(call(IpcChannels.loadSession, appFrame, 'extra')).rejects.toThrow(/\[invalid-argument\]/);
    await expect(call(IpcChannels.clearSession, appFrame, 'extra')).rejects.toThrow(/\[invalid-argument\]/);
    await expect(call(IpcChannels.loadEnrolment, appFrame, 'extra')).rejects.toThrow(/\[invalid-argument\]/);
    await expect(call(IpcChannels.clearEnrolment, appFrame, 'extra')).rejects.toThrow(/\[invalid-argument\]/);
  });

  it.each([
    ['a number', [42]],
    ['text that is not JSON', ['secret=s']],
    ['oversize JSON', [JSON.stringify('x'.repeat(MAX_SESSION_JSON_LENGTH))]],
  ])('saveEnrolment rejects %s', async (_name, args) => {
    await expect(call(IpcChannels.saveEnrolment, appFrame, ...args)).rejects.toThrow(/\[invalid-argument\]/);
    expect(await readdir(electron.userData)).toEqual([]);
  });

  it.each([
    ['text instead of a PDF', ['%PDF-1.4', 'Receipt', null]],
    ['bytes that are no PDF', [new Uint8Array([1, 2, 3, 4, 5, 6]), 'Receipt', null]],
    ['a printer that is no name', [new TextEncoder().encode('%PDF-1.3'), 'Receipt', 42]],
    ['a missing argument', [new TextEncoder().encode('%PDF-1.3'), 'Receipt']],
  ])('printPdf rejects %s before printing anything', async (_name, args) => {
    await expect(call(IpcChannels.printPdf, appFrame, ...args)).rejects.toThrow(/\[invalid-argument\]/);
  });

  it('prints and saves for the app frame only', async () => {
    const foreign = { senderFrame: { url: 'https://phish.example/', parent: null } };
    await expect(call(IpcChannels.printPdf, foreign, new TextEncoder().encode('%PDF-1.3'), 'Receipt', null)).rejects.toThrow(/\[forbidden-sender\]/);
    await expect(call(IpcChannels.savePdf, foreign, new TextEncoder().encode('%PDF-1.3'), 'Receipt')).rejects.toThrow(/\[forbidden-sender\]/);
    await expect(call(IpcChannels.openFile, foreign, 'spreadsheet')).rejects.toThrow(/\[forbidden-sender\]/);
  });

  it('round-trips the enrolment for the app frame only', async () => {
    await call(IpcChannels.saveEnrolment, appFrame, '{"deviceSecret":"s"}');
    await expect(call(IpcChannels.loadEnrolment, appFrame)).resolves.toBe('{"deviceSecret":"s"}');
    await expect(call(IpcChannels.loadEnrolment, { senderFrame: { url: 'https://evil.example/', parent: null } })).rejects.toThrow(/\[forbidden-sender\]/);
  });

  it('stores a valid server URL without its trailing slash', async () => {
    await call(IpcChannels.setServerUrl, appFrame, 'https://fees.example.org:8443/');
    await expect(call(IpcChannels.getServerUrl, appFrame)).resolves.toBe('https://fees.example.org:8443');
  });
});
