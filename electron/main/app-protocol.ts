// Serves the built renderer from app://fee-master/ with a strict Content-Security-Policy,
// so the app never runs from file:// and every page gets the policy as a response header.
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-origin.ts';
import { isMissingFile } from './user-data-files.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Must run before the app is ready: a standard, secure scheme gets IndexedDB, fetch and crypto.subtle. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** No 'unsafe-eval' anywhere: validators and templates must be compiled at build time. */
export function contentSecurityPolicy(serverUrl: string): string {
  const serverOrigin = new URL(serverUrl).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${serverOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Maps a request URL to a file inside `rendererDir`, or null when the URL is not ours or
 * would escape the folder (`..`, encoded slashes, absolute or drive paths, NUL bytes).
 */
export function resolveRendererFile(rendererDir: string, requestUrl: string): string | null {
  const url = URL.parse(requestUrl);
  if (url === null || url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  const segments: string[] = [];
  for (const raw of url.pathname.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null; // malformed percent-encoding is refused, not guessed at
    }
    // An encoded slash or backslash inside one segment is a traversal attempt, never a file name.
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment) || /^[a-z]:$/i.test(segment)) return null;
    segments.push(segment);
  }
  const root = resolve(rendererDir);
  const file = resolve(root, ...(segments.length === 0 ? ['index.html'] : segments));
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return null;
  return file;
}

export function createAppRequestHandler(
  rendererDir: string,
  getServerUrl: () => Promise<string>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers = new Headers({
      'Content-Security-Policy': contentSecurityPolicy(await getServerUrl()),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers });
    }
    const file = resolveRendererFile(rendererDir, request.url);
    if (file === null) return new Response('Forbidden', { status: 403, headers });
    const body = await readRendererFile(file, rendererDir);
    if (body === null) return new Response('Not found', { status: 404, headers });
    headers.set('Content-Type', CONTENT_TYPES[extname(body.path).toLowerCase()] ?? 'application/octet-stream');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body.bytes), { status: 200, headers });
  };
}

/**
 * Reads the file, or for an extension-less path that does not exist (a client-side route
 * such as /students/42) the app's index.html, so reloading any screen works.
 */
async function readRendererFile(file: string, rendererDir: string): Promise<{ path: string; bytes: Buffer } | null> {
  const candidates = extname(file) === '' ? [file, resolve(rendererDir, 'index.html')] : [file];
  for (const path of candidates) {
    try {
      return { path, bytes: await readFile(path) };
    } catch (error) {
      if (!isMissingFile(error) && !isDirectory(error)) throw error;
    }
  }
  return null;
}

function isDirectory(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EISDIR';
}

export function serveAppProtocol(rendererDir: string, getServerUrl: () => Promise<string>): void {
  protocol.handle(APP_SCHEME, createAppRequestHandler(rendererDir, getServerUrl));
}
