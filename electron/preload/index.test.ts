// The preload entry must expose the bridge under one name and never ipcRenderer itself.
import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: (channel: string, ...args: unknown[]) => Promise.resolve({ channel, args }),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => {
      electron.exposed.set(key, api);
    },
  },
  ipcRenderer: { invoke: electron.invoke, on: () => undefined, send: () => undefined },
}));

await import('./index.ts');

describe('preload', () => {
  it('exposes only window.feemaster, made of the bridge functions', () => {
    expect([...electron.exposed.keys()]).toEqual(['feemaster']);
    const api = electron.exposed.get('feemaster');
    if (typeof api !== 'object' || api === null) throw new Error('window.feemaster is not an object');
    const entries = Object.entries(api);
    expect(entries.map(([name]) => name).sort()).toEqual(
      ['appInfo', 'clearEnrolment', 'clearSession', 'getServerUrl', 'listPrinters', 'loadEnrolment', 'loadSession', 'openFile', 'printPdf', 'saveEnrolment', 'savePdf', 'saveSession', 'setServerUrl'],
    );
    for (const [, value] of entries) {
      expect(typeof value).toBe('function');
      expect(value).not.toBe(electron.invoke);
    }
  });
});
