// Electron main process entry: app lifecycle only. One instance per user; when ready,
// serve the renderer, open the bridge and show the window.
import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import { registerAppScheme, serveAppProtocol } from './app-protocol.ts';
import { registerIpcHandlers } from './ipc.ts';
import { getServerUrl } from './settings.ts';
import { createMainWindow } from './window.ts';
import { loadWindowState } from './window-state.ts';

const rendererDir = join(import.meta.dirname, '../renderer');

async function openMainWindow(): Promise<void> {
  createMainWindow(await loadWindowState().catch(() => null));
}

function focusMainWindow(): void {
  const [window] = BrowserWindow.getAllWindows();
  if (window === undefined) {
    void openMainWindow();
    return;
  }
  if (window.isMinimized()) window.restore();
  window.focus();
}

async function start(): Promise<void> {
  serveAppProtocol(rendererDir, getServerUrl);
  registerIpcHandlers();
  await openMainWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void openMainWindow();
  });
}

registerAppScheme();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Two copies writing one replica would fight over IndexedDB and the receipt series.
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Fee Master could not start', `${String(error)}\n\nReinstall Fee Master or contact your IT support.`);
      app.exit(1);
    });
}
