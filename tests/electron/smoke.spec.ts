// Launches the built desktop app (out/) in real Electron and checks what the unit tests can
// only assert against stubs: the page has the bridge, no Node, and a CSP that blocks eval.
import { _electron as electron, expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DesktopBridge } from '../../electron/preload/bridge.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const serverUrl = 'http://127.0.0.1:8787';
const bridgeFunctions = [
  'appInfo',
  'clearSession',
  'getServerUrl',
  'loadSession',
  'saveSession',
  'setServerUrl',
] satisfies (keyof DesktopBridge)[];

async function packageVersion(): Promise<string> {
  const pkg: unknown = JSON.parse(await readFile(resolve(repoRoot, 'package.json'), 'utf8'));
  if (typeof pkg !== 'object' || pkg === null || !('version' in pkg) || typeof pkg.version !== 'string') {
    throw new Error('package.json has no version');
  }
  return pkg.version;
}

test('the desktop app opens a sandboxed window that exposes only window.feemaster', async () => {
  // Without ELECTRON_RENDERER_URL, so the app loads its own app:// build, not a dev server.
  const env = Object.fromEntries(
    Object.entries({ ...process.env, FEEMASTER_SERVER_URL: serverUrl }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'ELECTRON_RENDERER_URL',
    ),
  );
  const app = await electron.launch({ args: [repoRoot], cwd: repoRoot, env });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    await expect(page).toHaveTitle('Fee Master');
    expect(page.url()).toMatch(/^app:\/\/fee-master\//);
    // React rendered: the module script and stylesheet loaded from app:// under the CSP.
    await expect(page.locator('#root > *').first()).toBeVisible();

    const renderer = await page.evaluate(() => ({
      bridgeFunctions: Object.keys(window.feemaster ?? {}).sort(),
      process: typeof globalThis.process,
      require: typeof require,
      module: typeof module,
    }));
    expect(renderer).toEqual({ bridgeFunctions, process: 'undefined', require: 'undefined', module: 'undefined' });

    // The Content-Security-Policy response header has no 'unsafe-eval'.
    const evalOutcome = await page.evaluate(() => {
      try {
        return String(eval('"eval ran"'));
      } catch (error) {
        return error instanceof Error ? error.name : String(error);
      }
    });
    expect(evalOutcome).toBe('EvalError');

    const info = await page.evaluate(() => window.feemaster?.appInfo());
    expect(info?.version).toBe(await packageVersion());
    expect(await page.evaluate(() => window.feemaster?.getServerUrl())).toBe(serverUrl);
    await expect(page.evaluate(() => window.feemaster?.setServerUrl('file:///etc/passwd'))).rejects.toThrow(
      /invalid-argument/,
    );

    await page.screenshot({ path: test.info().outputPath('window.png') });
  } finally {
    await app.close();
  }
});
