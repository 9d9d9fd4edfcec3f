// The app:// handler is the renderer's web server: it must stay inside the renderer folder
// and send a CSP that forbids eval and allows only the configured sync server.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ app: { isPackaged: true }, protocol: {} }));

const { contentSecurityPolicy, createAppRequestHandler, resolveRendererFile } = await import('./app-protocol.ts');

let base = '';
let rendererDir = '';
let handle: (request: Request) => Promise<Response>;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'feemaster-protocol-'));
  rendererDir = join(base, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(join(rendererDir, 'assets', 'index-abc.js'), 'console.log("app")');
  await writeFile(join(base, 'secret.txt'), 'TOP SECRET');
  await writeFile(join(base, 'renderer-evil.txt'), 'TOP SECRET');
  handle = createAppRequestHandler(rendererDir, () => Promise.resolve('https://sync.school.example:8443/fees'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('app:// request handler', () => {
  it('serves index.html at the root with the CSP header', async () => {
    const response = await handle(new Request('app://fee-master/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('<div id="root">');
    expect(response.headers.get('content-security-policy')).toBe(
      contentSecurityPolicy('https://sync.school.example:8443/fees'),
    );
  });

  it('serves built assets with their content type', async () => {
    const response = await handle(new Request('app://fee-master/assets/index-abc.js'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves index.html for client-side routes but 404s missing files', async () => {
    const route = await handle(new Request('app://fee-master/students/42'));
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="root">');
    expect((await handle(new Request('app://fee-master/assets/missing.js'))).status).toBe(404);
  });

  it.each([
    'app://fee-master/..%2fsecret.txt',
    'app://fee-master/assets/..%2f..%2fsecret.txt',
    'app://fee-master/%2e%2e%2fsecret.txt',
    'app://fee-master/..%5csecret.txt',
    'app://fee-master/%2e%2e%5c..%5csecret.txt',
    'app://fee-master/..%2frenderer-evil.txt',
    'app://fee-master/C:%2fWindows%2fwin.ini',
    'app://fee-master/%2fetc%2fpasswd',
    'app://fee-master/index.html%00.js',
    'app://fee-master/%E0%A4%A',
  ])('refuses traversal: %s', async (url) => {
    const response = await handle(new Request(url));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.text()).not.toContain('TOP SECRET');
  });

  it('refuses other hosts and methods', async () => {
    expect((await handle(new Request('app://other-app/index.html'))).status).toBe(403);
    expect((await handle(new Request('app://fee-master/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('resolveRendererFile', () => {
  it('keeps every resolved path inside the renderer folder', () => {
    expect(resolveRendererFile(rendererDir, 'app://fee-master/assets/index-abc.js')).toBe(
      join(rendererDir, 'assets', 'index-abc.js'),
    );
    expect(resolveRendererFile(rendererDir, 'app://fee-master/..%2f..%2fsecret.txt')).toBeNull();
    expect(resolveRendererFile(rendererDir, 'https://fee-master/index.html')).toBeNull();
  });
});

describe('contentSecurityPolicy', () => {
  const csp = contentSecurityPolicy('https://sync.school.example:8443/fees');
  const directive = (name: string): string | undefined =>
    csp
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${name} `));

  it('never allows eval', () => {
    expect(csp).not.toContain('unsafe-eval');
    expect(directive('script-src')).toBe("script-src 'self'");
  });

  it('lets the renderer reach only itself and the configured sync server origin', () => {
    expect(directive('connect-src')).toBe("connect-src 'self' https://sync.school.example:8443");
  });

  it('locks down objects, base URIs, framing and forms', () => {
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(directive('base-uri')).toBe("base-uri 'none'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive('form-action')).toBe("form-action 'none'");
  });
});
