// Desktop settings kept as JSON in the user data folder: for now only the sync server URL.
import { app } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DesktopError } from './desktop-error.ts';
import { isMissingFile, writeFileAtomically } from './user-data-files.ts';

export const FALLBACK_SERVER_URL = 'http://localhost:8787';
export const MAX_SERVER_URL_LENGTH = 2048;

interface Settings {
  serverUrl?: string;
}

function settingsPath(): string {
  return join(app.getPath('userData'), 'settings.json');
}

/**
 * Accepts an http(s) URL without credentials, query or fragment and returns it without a
 * trailing slash, so `${serverUrl}/api/v1/...` is always well-formed.
 */
export function parseServerUrl(input: string): string {
  if (input.length > MAX_SERVER_URL_LENGTH) {
    throw new DesktopError('invalid-argument', `Server URL is longer than ${MAX_SERVER_URL_LENGTH} characters.`);
  }
  const url = URL.parse(input.trim());
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new DesktopError('invalid-argument', 'Server URL must start with http:// or https://, e.g. https://fees.example.org.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new DesktopError('invalid-argument', 'Server URL must not contain a user name or password.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new DesktopError('invalid-argument', 'Server URL must not contain "?" or "#" parts.');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function defaultServerUrl(): string {
  const fromEnv = process.env.FEEMASTER_SERVER_URL;
  if (fromEnv === undefined || fromEnv === '') return FALLBACK_SERVER_URL;
  try {
    return parseServerUrl(fromEnv);
  } catch (error) {
    console.warn(`Ignoring FEEMASTER_SERVER_URL (${String(error)}); using ${FALLBACK_SERVER_URL}.`);
    return FALLBACK_SERVER_URL;
  }
}

async function readSettings(): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(settingsPath(), 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return {};
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'serverUrl' in parsed && typeof parsed.serverUrl === 'string') {
      return { serverUrl: parseServerUrl(parsed.serverUrl) };
    }
    return {};
  } catch (error) {
    // A damaged file must not stop the app from starting; the user can set the URL again.
    console.warn(`Ignoring unreadable settings in ${settingsPath()}: ${String(error)}`);
    return {};
  }
}

export async function getServerUrl(): Promise<string> {
  return (await readSettings()).serverUrl ?? defaultServerUrl();
}

export async function setServerUrl(input: string): Promise<void> {
  const serverUrl = parseServerUrl(input);
  const settings: Settings = { ...(await readSettings()), serverUrl };
  await writeFileAtomically(settingsPath(), JSON.stringify(settings, null, 2));
}
