// The window is the attack surface: these tests pin its web preferences and guards.
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (event: { url: string; preventDefault: () => void }) => void;

const electron = vi.hoisted(() => {
  const listeners = new Map<string, Listener>();
  const state = {
    listeners,
    windowOptions: undefined as unknown,
    windowOpenHandler: undefined as ((details: { url: string }) => { action: string }) | undefined,
    permissionRequestHandler: undefined as
      | ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void)
      | undefined,
    permissionCheckHandler: undefined as ((contents: unknown, permission: string, origin: string, details: unknown) => boolean) | undefined,
    loadedUrl: undefined as string | undefined,
    windowListeners: new Map<string, () => void>(),
  };
  const webContents = {
    setWindowOpenHandler: (handler: typeof state.windowOpenHandler) => {
      state.windowOpenHandler = handler;
    },
    on: (name: string, listener: Listener) => {
      listeners.set(name, listener);
    },
    session: {
      setPermissionRequestHandler: (handler: typeof state.permissionRequestHandler) => {
        state.permissionRequestHandler = handler;
      },
      setPermissionCheckHandler: (handler: typeof state.permissionCheckHandler) => {
        state.permissionCheckHandler = handler;
      },
    },
  };
  class BrowserWindow {
    readonly webContents = webContents;
    constructor(options: unknown) {
      state.windowOptions = options;
    }
    once(): void {}
    on(name: string, listener: () => void): void {
      state.windowListeners.set(name, listener);
    }
    show(): void {}
    loadURL(url: string): Promise<void> {
      state.loadedUrl = url;
      return Promise.resolve();
    }
  }
  return { state, BrowserWindow, app: { isPackaged: true } };
});

vi.mock('electron', () => ({ BrowserWindow: electron.BrowserWindow, app: electron.app }));

const { createMainWindow } = await import('./window.ts');

function navigate(eventName: string, url: string): boolean {
  const listener = electron.state.listeners.get(eventName);
  if (listener === undefined) throw new Error(`no ${eventName} listener registered`);
  let prevented = false;
  listener({
    url,
    preventDefault: () => {
      prevented = true;
    },
  });
  return prevented;
}

describe('main window', () => {
  beforeEach(() => {
    electron.state.listeners.clear();
    electron.app.isPackaged = true;
    delete process.env.ELECTRON_RENDERER_URL;
    createMainWindow();
  });

  it('runs the renderer sandboxed and isolated, without Node, from the bundled CommonJS preload', () => {
    expect(electron.state.windowOptions).toMatchObject({
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        preload: expect.stringMatching(/preload[\\/]index\.cjs$/) as unknown,
      },
    });
  });

  it('loads the app from the privileged app:// origin, never file://', () => {
    expect(electron.state.loadedUrl).toBe('app://fee-master/');
  });

  it('denies window.open for every URL', () => {
    const handler = electron.state.windowOpenHandler;
    expect(handler?.({ url: 'https://phish.example/login' })).toEqual({ action: 'deny' });
    expect(handler?.({ url: 'app://fee-master/receipt' })).toEqual({ action: 'deny' });
  });

  it('prevents navigation and redirects to another origin but allows moving within the app', () => {
    expect(navigate('will-navigate', 'https://phish.example/')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-navigate', 'app://other-host/')).toBe(true);
    expect(navigate('will-redirect', 'https://phish.example/')).toBe(true);
    expect(navigate('will-navigate', 'app://fee-master/students/42')).toBe(false);
  });

  it('refuses to attach <webview> tags', () => {
    expect(navigate('will-attach-webview', 'https://anything.example/')).toBe(true);
  });

  it('denies every permission request and check', () => {
    const granted: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      electron.state.permissionRequestHandler?.({}, permission, (answer) => granted.push(answer), {
        requestingUrl: 'app://fee-master/',
      });
      expect(electron.state.permissionCheckHandler?.({}, permission, 'app://fee-master', {})).toBe(false);
    }
    expect(granted).toEqual([false, false, false, false, false]);
  });

  it('grants persistent storage to the app only, so the offline replica is not evicted', () => {
    const granted: boolean[] = [];
    const request = (url: string) =>
      electron.state.permissionRequestHandler?.({}, 'persistent-storage', (answer) => granted.push(answer), {
        requestingUrl: url,
      });
    request('app://fee-master/');
    request('https://phish.example/');
    expect(granted).toEqual([true, false]);
    expect(electron.state.permissionCheckHandler?.({}, 'persistent-storage', 'app://fee-master', {})).toBe(true);
    expect(electron.state.permissionCheckHandler?.({}, 'persistent-storage', 'https://phish.example', {})).toBe(false);
  });
});

describe('dev server origin', () => {
  it('is trusted only when the app is not packaged', () => {
    process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173';
    electron.app.isPackaged = false;
    createMainWindow();
    expect(electron.state.loadedUrl).toBe('http://localhost:5173');
    expect(navigate('will-navigate', 'http://localhost:5173/students')).toBe(false);
    expect(navigate('will-navigate', 'http://localhost:5174/')).toBe(true);

    electron.app.isPackaged = true;
    createMainWindow();
    expect(electron.state.loadedUrl).toBe('app://fee-master/');
    expect(navigate('will-navigate', 'http://localhost:5173/students')).toBe(true);
    delete process.env.ELECTRON_RENDERER_URL;
  });
});
