// Where the renderer is loaded from, and the one test of "is this URL our app?" that
// navigation guards and IPC sender checks share.
import { app } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'fee-master';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/`;

/**
 * The electron-vite dev server URL, honoured only when running unpackaged so that an
 * environment variable can never point an installed app at another site.
 */
export function devRendererUrl(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  if (app.isPackaged || url === undefined || url === '') return null;
  return url;
}

export function rendererEntryUrl(): string {
  return devRendererUrl() ?? APP_URL;
}

export function isAppUrl(candidate: string): boolean {
  const url = URL.parse(candidate);
  if (url === null) return false;
  // Node treats `app:` as a non-special scheme whose `origin` is "null", so compare parts.
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST) return true;
  const dev = devRendererUrl();
  return dev !== null && URL.parse(dev)?.origin === url.origin && url.origin !== 'null';
}
