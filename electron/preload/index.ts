// Sandboxed preload entry: exposes `window.feemaster` and nothing else. ipcRenderer itself
// never reaches the page; this file must stay free of exports (it is loaded as a script).
import { contextBridge, ipcRenderer } from 'electron';
import { createDesktopBridge } from './desktop-bridge.ts';

contextBridge.exposeInMainWorld(
  'feemaster',
  createDesktopBridge((channel, ...args) => ipcRenderer.invoke(channel, ...args)),
);
