// What the benchmarks that drive the real desk app share (desk-bench.ts, import-bench.ts): the
// browser edition built into out/web for the benchmark server to serve, the server's API called
// as the owner to seed a school, and the renderer's heap read over CDP.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** The desk app's browser edition, built into out/web (the benchmark server's web root). */
export function buildDeskApp(): string {
  execFileSync(process.execPath, [resolve(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.web.config.ts', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
  return resolve(repoRoot, 'out/web');
}

/** A log line with the seconds since the benchmark started. */
export function benchLog(started = Date.now()): (line: string) => void {
  return (line) => console.log(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}`);
}

export async function api<T>(baseUrl: string, token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered HTTP ${String(res.status)}: ${(await res.text()).slice(0, 400)}`);
  return (await res.json()) as T;
}

/** Pushes documents as new (no assumed master state), a thousand per request as a desk uploads them. */
export async function pushAll(baseUrl: string, token: string, path: string, docs: readonly object[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 1000) {
    await api(baseUrl, token, path, { method: 'POST', body: docs.slice(i, i + 1000).map((doc) => ({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } })) });
  }
}

/** The renderer's JavaScript heap after a garbage collection, in MiB. */
export async function heapMb(page: Page): Promise<{ used: number; total: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string): number => (metrics.find((m) => m.name === name)?.value ?? Number.NaN) / 2 ** 20;
  await cdp.detach();
  return { used: metric('JSHeapUsedSize'), total: metric('JSHeapTotalSize') };
}
