// The main window and the guards on its web contents: sandboxed, isolated, no Node, no
// new windows, no navigation away from the app, and no permissions beyond persistent storage.
import { BrowserWindow } from 'electron';
import type { Session, WebContents, WebPreferences } from 'electron';
import { join } from 'node:path';
import { isAppUrl, rendererEntryUrl } from './app-origin.ts';
import { DEFAULT_SIZE, MIN_SIZE, saveWindowState, type WindowState } from './window-state.ts';

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
  };
}

/** Keeps the contents on the app: links, redirects, window.open and <webview> to anywhere else are refused. */
export function guardWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
}

/**
 * Everything is denied (camera, microphone, notifications, geolocation, clipboard reads…)
 * except persistent storage for the app itself: without it Chromium may evict the IndexedDB
 * replica under disk pressure, and with it any payment taken offline and not yet synced.
 */
const GRANTED_TO_APP: ReadonlySet<string> = new Set(['persistent-storage']);

export function restrictPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(GRANTED_TO_APP.has(permission) && isAppUrl(details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => {
    return GRANTED_TO_APP.has(permission) && isAppUrl(requestingOrigin);
  });
}

export function createMainWindow(state: WindowState | null = null): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Fee Master',
    ...(state ? state.bounds : DEFAULT_SIZE),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  guardWebContents(window.webContents);
  restrictPermissions(window.webContents.session);
  window.once('ready-to-show', () => {
    if (state?.maximized) window.maximize();
    window.show();
  });
  // Where the person left it, for the next start.
  window.on('close', () => {
    saveWindowState(window).catch((error: unknown) => console.warn('Fee Master could not remember the window position:', error));
  });
  window.loadURL(rendererEntryUrl()).catch((error: unknown) => {
    console.error(`Fee Master could not load its screens from ${rendererEntryUrl()}:`, error);
    window.show();
  });
  return window;
}
