// The page-facing bridge: one IPC call per capability, replies checked, errors readable.
import { describe, expect, it, vi } from 'vitest';
import { IpcChannels } from './bridge.ts';
import type { IpcChannel } from './bridge.ts';
import { createDesktopBridge } from './desktop-bridge.ts';

function bridgeAnswering(reply: unknown) {
  const invoke = vi.fn((_channel: IpcChannel, ..._args: unknown[]) => Promise.resolve(reply));
  return { invoke, bridge: createDesktopBridge(invoke) };
}

describe('createDesktopBridge', () => {
  it('sends each capability on its own channel with exactly its arguments', async () => {
    const { invoke, bridge } = bridgeAnswering(undefined);
    await bridge.saveSession('{"token":"t"}');
    await bridge.clearSession();
    await bridge.saveEnrolment('{"deviceSecret":"s"}');
    await bridge.clearEnrolment();
    await bridge.setServerUrl('https://fees.example.org');
    expect(invoke.mock.calls).toEqual([
      [IpcChannels.saveSession, '{"token":"t"}'],
      [IpcChannels.clearSession],
      [IpcChannels.saveEnrolment, '{"deviceSecret":"s"}'],
      [IpcChannels.clearEnrolment],
      [IpcChannels.setServerUrl, 'https://fees.example.org'],
    ]);
  });

  it('passes replies through when they have the promised shape', async () => {
    await expect(bridgeAnswering('{"a":1}').bridge.loadSession()).resolves.toBe('{"a":1}');
    await expect(bridgeAnswering(null).bridge.loadSession()).resolves.toBeNull();
    await expect(bridgeAnswering('https://x.example').bridge.getServerUrl()).resolves.toBe('https://x.example');
    const info = { version: '0.1.0', platform: 'win32', electron: '45.4.1' };
    await expect(bridgeAnswering(info).bridge.appInfo()).resolves.toEqual(info);
  });

  it('rejects replies of the wrong shape', async () => {
    await expect(bridgeAnswering(42).bridge.loadSession()).rejects.toThrow(/\[unexpected-reply\]/);
    await expect(bridgeAnswering(42).bridge.loadEnrolment()).rejects.toThrow(/\[unexpected-reply\]/);
    await expect(bridgeAnswering(null).bridge.getServerUrl()).rejects.toThrow(/\[unexpected-reply\]/);
    await expect(bridgeAnswering({ version: '1' }).bridge.appInfo()).rejects.toThrow(/\[unexpected-reply\]/);
  });

  it("strips Electron's remote-call wrapper from main's error message", async () => {
    const bridge = createDesktopBridge(() =>
      Promise.reject(
        new Error("Error invoking remote method 'session:save': DesktopError: [encryption-unavailable] No key store."),
      ),
    );
    await expect(bridge.saveSession('{}')).rejects.toThrow(/^\[encryption-unavailable\] No key store\.$/);
  });
});
