// Builds the browser benchmark page (tests/perf/browser) with vite and runs it in headless
// Chromium against a loaded sync server, which serves the page itself (same origin as the API).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from '@playwright/test';
import { build } from 'vite';
import type { BrowserSyncRequest, BrowserSyncResult } from './browser/main.ts';

const pageRoot = fileURLToPath(new URL('./browser/', import.meta.url));

/** Bundles the page into `outDir` (served as the server's web root). */
export async function buildBrowserPage(outDir: string): Promise<void> {
  await build({ root: pageRoot, configFile: false, logLevel: 'warn', base: '/', build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4_000 } });
}

export interface BenchBrowser {
  version: string;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium with a profile on disk, as a desk has: a fresh (incognito) context would keep
 * IndexedDB in memory and flatter every write measured here.
 */
export async function launchChromium(): Promise<BenchBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'feemaster-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.FEEMASTER_BENCH_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    version: context.browser()?.version() ?? 'unknown',
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** One page: the server's ledger pulled by a fresh replica, bulk-inserted and bulk-put, each into a database of its own. */
export async function runBrowserSync(browser: BenchBrowser, baseUrl: string, request: BrowserSyncRequest, log: (line: string) => void): Promise<BrowserSyncResult> {
  const page = await browser.context.newPage();
  try {
    page.on('pageerror', (error) => log(`  browser: page error: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      // RxDB's notice that premium storages exist: said once here, not on every database.
      if (text.includes('RxDB Open Core RxStorage')) return;
      if (message.type() === 'error' || message.type() === 'warning') log(`  browser ${message.type()}: ${text}`);
    });
    await page.goto(`${baseUrl}/index.html`);
    await page.waitForFunction(() => document.title.endsWith('ready'));
    return await page.evaluate(async (req) => {
      if (!window.runSyncBench) throw new Error('the benchmark page did not load its script');
      return window.runSyncBench(req);
    }, request);
  } finally {
    await page.close();
  }
}
