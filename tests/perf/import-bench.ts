// `npm run bench:import`: bulk import and export on the real desk app (the browser edition) in
// Debian's Chromium, against a real sync server on PGlite. Two parts, in one run:
//
// 1. Import: a 10,000-row register of students with their guardians (about two children per
//    family, dates of birth as date cells, the school's classes and categories set up on the
//    server first) as an .xlsx the office would send, chosen in Students → Import from Excel or
//    CSV, previewed, imported. Timed from the app's own User Timing marks
//    (renderer/src/exports/bulk-timings.ts): the file chosen → its preview on screen (read and
//    checked in the worker), Import clicked → every change written to the replica. Target: the
//    two together in 5 s or less. Beside it, the floor under the write: the records the import
//    stored, put by IndexedDB alone (same stores and indexes, no RxDB or Dexie) in a fresh
//    browser. Then, for comparison, another register on a second desk with the browser offline:
//    the replica write without the upload running beside it.
// 2. Export: 100,000 payments of a term (export-bench's school: 20,000 students, cash, M-Pesa,
//    transfers and cheques at four desks, 3% voided) pushed to the server, downloaded by a fresh
//    desk, then exported from Students → Export… as Payments to Excel, voided ones included:
//    Export clicked → the file handed to the browser's download, with its parts. Each round on a
//    reloaded desk (nothing of the replica in memory), then once more on the same page (RxDB's
//    query cache warm). Target: 10 s or less. Beside it, the same rows written by exportXlsx in
//    Node (in this process), for comparison.
//
// Prints a table with the targets and writes .bench/import.json. Measures and reports; asserts nothing.
//
//   npm run bench:import                                   10,000 rows, 100,000 payments (about 7 minutes)
//   npm run bench:import -- --rows 1000 --payments 5000    a quick run (about a minute and a half)
//   npm run bench:import -- --only export                  the export part alone (the import's rows left out)
//   npm run bench:import -- --only import                  the import part alone (no payments school)
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Locator, Page } from '@playwright/test';
import {
  LEDGER_SCHEMA_VERSION,
  collectExport,
  exportXlsx,
  newId,
  paymentExportRows,
  type ClassDoc,
  type DeviceApproval,
  type ExportColumn,
  type MemberSummary,
  type ReferenceDoc,
  type StudentCategoryDoc,
} from '@feemaster/core';
import { OWNER } from '../../sync-server/test/fixtures.ts';
import { launchChromium, type BenchBrowser } from './browser-bench.ts';
import { DEFAULT_ADMIN_URL } from './bench-server.ts';
import { api, benchLog, buildDeskApp, heapMb, pushAll, repoRoot } from './desk-driver.ts';
import { seeded } from './bench-data.ts';
import { CASHIERS, FAMILY, GIVEN, generatePaymentSchool, timePaymentWriter } from './payment-school.ts';
import { cpuSince, cpuSnapshot, describeCpu, type CpuUse } from './proc-cpu.ts';
import { median } from './report.ts';
import { startServerProcess } from './server-process.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    payments: { type: 'string', default: '100000' },
    /** Students of the payments' school; a fifth of the payments, at most 20,000, by default. */
    students: { type: 'string' },
    /** Exports timed on the desk, each on a reloaded desk (and writes in Node); the median is reported. */
    rounds: { type: 'string', default: '3' },
    out: { type: 'string', default: resolve(repoRoot, '.bench/import.json') },
    /** `import` or `export`: that part alone. */
    only: { type: 'string' },
  },
  strict: true,
});
const whole = (name: 'rows' | 'payments' | 'students' | 'rounds', fallback?: number): number => {
  const given = args[name];
  const value = given === undefined ? (fallback ?? Number.NaN) : Number(String(given).replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number above 0`);
  return value;
};
const ROWS = whole('rows');
const PAYMENTS = whole('payments');
const STUDENTS = whole('students', Math.min(20_000, Math.max(100, Math.round(PAYMENTS / 5))));
const ROUNDS = whole('rounds');
if (args.only !== undefined && args.only !== 'export' && args.only !== 'import') throw new Error('--only takes import or export (that part alone)');
const EXPORT_ONLY = args.only === 'export';
const IMPORT_ONLY = args.only === 'import';

const TARGETS = { importSeconds: 5, exportSeconds: 10 } as const;
const TIME_ZONE = 'Africa/Nairobi';
const CURRENCY = 'KES';
const LEDGER_PATH = `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`;
const LONG = 30 * 60_000;

const log = benchLog();

// ── The register the office sends ─────────────────────────────────────────────────────────────

const CLASSES = ['PP1', 'PP2', ...[1, 2, 3, 4, 5, 6].flatMap((grade) => [`Grade ${String(grade)} East`, `Grade ${String(grade)} West`])];
const CATEGORIES = [
  { name: 'Day scholar', code: 'DAY' },
  { name: 'Boarder', code: 'BOARD' },
];

interface RegisterRow {
  admissionNumber: string;
  firstName: string;
  lastName: string;
  otherNames: string | null;
  dateOfBirth: string;
  className: string;
  category: string;
  joinedOn: string | null;
  status: string;
  staffChild: string;
  guardianName: string;
  guardianPhone: string;
  guardianEmail: string | null;
  relationship: string;
  secondGuardianName: string | null;
  secondGuardianPhone: string | null;
}

/** Headed as the import template is, so every column is recognised without mapping. */
const REGISTER_COLUMNS: readonly ExportColumn<RegisterRow>[] = [
  { key: 'admissionNumber', header: 'Admission number', type: 'text' },
  { key: 'firstName', header: 'First name', type: 'text' },
  { key: 'lastName', header: 'Last name', type: 'text' },
  { key: 'otherNames', header: 'Other names', type: 'text' },
  { key: 'dateOfBirth', header: 'Date of birth', type: 'date' },
  { key: 'className', header: 'Class', type: 'text' },
  { key: 'category', header: 'Category', type: 'text' },
  { key: 'joinedOn', header: 'Joined on', type: 'date' },
  { key: 'status', header: 'Status', type: 'text' },
  { key: 'staffChild', header: 'Staff child', type: 'text' },
  { key: 'guardianName', header: 'Guardian name', type: 'text' },
  { key: 'guardianPhone', header: 'Guardian phone', type: 'text' },
  { key: 'guardianEmail', header: 'Guardian email', type: 'text' },
  { key: 'relationship', header: 'Relationship', type: 'text' },
  { key: 'secondGuardianName', header: 'Second guardian name', type: 'text' },
  { key: 'secondGuardianPhone', header: 'Second guardian phone', type: 'text' },
];

/** Kenyan mobile numbers as people write them: 0712 345 678. */
const phone = (prefix: string, n: number): string => {
  const digits = `${prefix}${String(n).padStart(6, '0')}`;
  return `${digits.slice(0, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`;
};

/** Families of one to three children (two on average) who share a surname, a guardian and a phone. */
/** Which register: its admission numbers, phone numbers and e-mail domain, so two registers share no student or family. */
interface RegisterStyle {
  seed: number;
  admissionPrefix: string;
  phonePrefixes: [string, string];
}

function registerRows(count: number, style: RegisterStyle): { rows: RegisterRow[]; families: number } {
  const next = seeded(style.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const day = (fromYear: number, years: number): string => new Date(Date.UTC(fromYear, 0, 1) + Math.floor(next() * years * 365) * 86_400_000).toISOString().slice(0, 10);
  const rows: RegisterRow[] = [];
  let family = 0;
  while (rows.length < count) {
    family += 1;
    const roll = next();
    const children = roll < 0.3 ? 1 : roll < 0.8 ? 2 : 3;
    const lastName = pick(FAMILY);
    const mother = `${pick(GIVEN)} ${lastName}`;
    const second = next() < 0.35 ? { name: `${pick(GIVEN)} ${lastName}`, phone: phone(style.phonePrefixes[1], family) } : null;
    const joinedOn = next() < 0.6 ? day(2019, 6) : null;
    for (let k = 0; k < children && rows.length < count; k += 1) {
      rows.push({
        admissionNumber: `${style.admissionPrefix}-${String(rows.length + 1).padStart(5, '0')}`,
        firstName: pick(GIVEN),
        lastName,
        otherNames: next() < 0.3 ? pick(GIVEN) : null,
        dateOfBirth: day(2009, 12),
        className: pick(CLASSES),
        category: next() < 0.25 ? 'Boarder' : 'Day scholar',
        joinedOn,
        status: 'active',
        staffChild: next() < 0.03 ? 'yes' : 'no',
        guardianName: mother,
        guardianPhone: phone(style.phonePrefixes[0], family),
        guardianEmail: next() < 0.5 ? `parent${String(family)}@${style.admissionPrefix.toLowerCase()}.example.com` : null,
        relationship: pick(['Mother', 'Father', 'Aunt', 'Grandmother', 'Guardian']),
        secondGuardianName: second?.name ?? null,
        secondGuardianPhone: second?.phone ?? null,
      });
    }
  }
  return { rows, families: family };
}

const registerWorkbook = (rows: readonly RegisterRow[]): Promise<Uint8Array> => collectExport(exportXlsx(REGISTER_COLUMNS, rows, { currency: CURRENCY, sheetName: 'Students' }));

// ── Driving the desk ──────────────────────────────────────────────────────────────────────────

/** The latest start time of each mark (`feemaster:<name>`), in the page's clock. */
async function marks<Name extends string>(page: Page, names: readonly Name[]): Promise<Record<Name, number>> {
  // No named functions inside: the page gets the callback's source, without tsx's helpers.
  return page.evaluate((list) => Object.fromEntries(list.map((name) => [name, performance.getEntriesByName(`feemaster:${name}`, 'mark').at(-1)?.startTime ?? Number.NaN])), names) as Promise<Record<Name, number>>;
}

/** Signs the school's owner in on a desk that is not enrolled (as the web edition allows) and waits for the Students screen. */
async function signInOwner(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(OWNER.email);
  await form.getByLabel('Password').fill(OWNER.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Students/ }).waitFor({ timeout: LONG });
}

function watch(page: Page): void {
  page.on('pageerror', (error) => log(`  page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser asks every page for a favicon, which the desk does not have.
    // (Nor is a desk taken offline on purpose an error.)
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico') && !message.text().includes('ERR_INTERNET_DISCONNECTED')) log(`  browser error: ${message.text()}`);
  });
}

interface ImportTiming {
  readMs: number;
  /** The parts of readMs: the school gathered and the file posted to the worker; the worker reading the file and planning; the plan back and the preview rendered. */
  preview: { contextMs: number; workerReadMs: number; workerFileMs: number; workerSchoolMs: number; workerPlanMs: number; toWorkerAndBackMs: number; renderMs: number };
  writeMs: number;
  /** CPU used by the browser and the server from the click until the write was seen done (up to a quarter second after it). */
  writeCpu: CpuUse;
  writeCpuWallMs: number;
  totalMs: number;
  summary: string;
}

interface ImportResult extends ImportTiming {
  browserVersion: string;
  /** The import's records written by IndexedDB alone (in a fresh browser). */
  floor: IndexedDbFloor;
  uploadSeconds: number;
  heapMbAfter: { used: number; total: number };
  /** The same on a second, fresh desk with the browser offline: the replica write without the upload alongside it. */
  offline: ImportTiming;
}

/** Chooses the file in Students → Import, waits for the preview, imports it, and reads the marks. */
async function importOnce(page: Page, workbook: Uint8Array, fileName: string, label: string): Promise<ImportTiming> {
  await page.getByRole('button', { name: 'Import from Excel or CSV' }).click();
  const panel = page.getByRole('region', { name: 'Import students' });
  await panel.getByLabel('Spreadsheet (.xlsx or .csv)').setInputFiles({ name: fileName, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(workbook) });
  const importButton = panel.getByRole('button', { name: /^Import \d+ students$/ });
  const problems = panel.getByTestId('import-error');
  // One wait for either (a race of two waits would leave the loser polling the page during the write).
  await importButton.or(problems.first()).first().waitFor({ timeout: LONG });
  if ((await problems.count()) > 0) throw new Error(`the generated register has problems: ${(await problems.first().textContent()) ?? ''}`);
  const writtenBefore = await page.evaluate(() => performance.getEntriesByName('feemaster:import:written', 'mark').length);
  const cpuBefore = cpuSnapshot();
  const clicked = performance.now();
  await importButton.click();
  // Waits on the app's own mark, looking four times a second: a locator's wait would query the
  // page on every frame, on the thread doing the write (about a second of a 10,000-row write).
  await page.waitForFunction((before) => performance.getEntriesByName('feemaster:import:written', 'mark').length > before, writtenBefore, { timeout: LONG, polling: 250 });
  const writeCpu = cpuSince(cpuBefore);
  const writeCpuWallMs = performance.now() - clicked;
  const done = panel.getByRole('status').filter({ hasText: 'Imported from' });
  await done.waitFor({ timeout: LONG });
  const summary = ((await done.textContent()) ?? '').replace(/\. The changes sync.*$/u, '');
  const at = await marks(page, ['import:chosen', 'import:posted', 'import:received', 'import:planned', 'import:commit', 'import:written']);
  // No named functions inside: the page gets the callback's source, without tsx's helpers.
  const received = await page.evaluate((): unknown => (performance.getEntriesByName('feemaster:import:received', 'mark').at(-1) as PerformanceMark | undefined)?.detail);
  const readMs = at['import:planned'] - at['import:chosen'];
  const workerReadMs = durationIn(received, 'readMs');
  const workerPlanMs = durationIn(received, 'planMs');
  const preview = {
    contextMs: at['import:posted'] - at['import:chosen'],
    workerReadMs,
    // The file and the school's documents are read side by side in the worker (the school only by a worker that reads it itself).
    workerFileMs: durationIn(received, 'fileMs'),
    workerSchoolMs: durationIn(received, 'schoolMs'),
    workerPlanMs,
    toWorkerAndBackMs: at['import:received'] - at['import:posted'] - workerReadMs - workerPlanMs,
    renderMs: at['import:planned'] - at['import:received'],
  };
  const writeMs = at['import:written'] - at['import:commit'];
  log(
    `  import${label}: chosen → preview ${readMs.toFixed(0)} ms (school gathered and posted ${preview.contextMs.toFixed(0)}, worker read ${workerReadMs.toFixed(0)} (file ${preview.workerFileMs.toFixed(0)}, school ${preview.workerSchoolMs.toFixed(0)}) + plan ${workerPlanMs.toFixed(0)}, ` +
      `to the worker and back ${preview.toWorkerAndBackMs.toFixed(0)}, rendered ${preview.renderMs.toFixed(0)}), Import → written ${writeMs.toFixed(0)} ms (${summary})`,
  );
  log(`    the write: ${describeCpu(writeCpu, writeCpuWallMs, cpus().length)}`);
  return { readMs, preview, writeMs, writeCpu, writeCpuWallMs, totalMs: readMs + writeMs, summary };
}

/** IndexedDB alone writing what the import wrote: the floor under the import's write on this machine. */
interface IndexedDbFloor {
  records: number;
  /** Median of the runs: the students' and families' records put into fresh stores with the same indexes, one transaction per store, side by side. */
  ms: number;
  runs: number[];
  /** CPU used by the browser in the runs, per run (mean). */
  cpu: CpuUse;
  /** The same records into stores without indexes: what the indexes cost. */
  bare: { ms: number; runs: number[]; cpu: CpuUse };
}

interface StoreCopy {
  name: string;
  keyPath: string | string[];
  indexes: { name: string; keyPath: string | string[] }[];
  records: unknown[];
}

/** The students' and families' stores as the desk's IndexedDB holds them after the import: key path, indexes, records (as RxDB's Dexie storage laid them out). */
async function storesAfterImport(page: Page): Promise<StoreCopy[]> {
  // A string, so the page gets exactly this code (no bundler helpers).
  return page.evaluate<StoreCopy[]>(`(async () => {
    const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    // RxDB's Dexie storage keeps each collection in its own database, its documents in the store 'docs'.
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => /^rxdb-dexie-.*--(students|payers)$/.test(n));
    const stores = [];
    for (const name of names) {
      const db = await request(indexedDB.open(name));
      const store = db.transaction('docs', 'readonly').objectStore('docs');
      const indexes = [...store.indexNames].map((i) => ({ name: i, keyPath: store.index(i).keyPath }));
      stores.push({ name: name.replace(/.*--/, ''), keyPath: store.keyPath, indexes, records: await request(store.getAll()) });
      db.close();
    }
    return stores;
  })()`);
}

/** Mean CPU per run of several runs' uses. */
function perRun(uses: readonly CpuUse[]): CpuUse {
  const totals = new Map<string, number>();
  for (const use of uses) for (const g of use.groups) totals.set(g.group, (totals.get(g.group) ?? 0) + g.seconds / uses.length);
  const groups = [...totals].map(([group, seconds]) => ({ group, seconds })).sort((a, b) => b.seconds - a.seconds);
  return { groups, seconds: groups.reduce((sum, g) => sum + g.seconds, 0) };
}

/**
 * The floor under the import's write: the records the import stored put with plain IndexedDB into
 * stores laid out as the desk's (a database per collection, as RxDB's Dexie storage keeps them; the
 * same key path and indexes), in a fresh browser with its profile on disk as the desk's: no RxDB,
 * no Dexie, no change events, no conflict read, one transaction per store, the two side by side
 * (as the import writes them). Each run in throwaway databases; runs with the indexes alternate
 * with runs without them (what the indexes cost).
 */
async function indexedDbFloor(baseUrl: string, stores: readonly StoreCopy[], runs = 3): Promise<IndexedDbFloor> {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    // Any page of the server's origin has IndexedDB; this one runs no app.
    await page.goto(`${baseUrl}/health`);
    await page.evaluate((copies) => {
      (window as unknown as { floorStores: unknown }).floorStores = copies;
    }, stores);
    const once = (run: number, indexed: boolean): Promise<number> =>
      page.evaluate<number>(`(async (run, indexed) => {
        const stores = window.floorStores;
        const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
        const done = (tx) => new Promise((resolve, reject) => { tx.oncomplete = () => resolve(); tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error); });
        const names = stores.map((s) => 'feemaster-floor-' + run + '-' + s.name);
        const dbs = await Promise.all(stores.map((s, i) => {
          const open = indexedDB.open(names[i], 1);
          open.onupgradeneeded = () => {
            const created = open.result.createObjectStore('docs', { keyPath: s.keyPath });
            if (indexed) for (const x of s.indexes) created.createIndex(x.name, x.keyPath);
          };
          return request(open);
        }));
        const started = performance.now();
        await Promise.all(stores.map((s, i) => {
          const tx = dbs[i].transaction('docs', 'readwrite');
          const store = tx.objectStore('docs');
          for (const record of s.records) store.put(record);
          return done(tx);
        }));
        const ms = performance.now() - started;
        for (const db of dbs) db.close();
        for (const name of names) await request(indexedDB.deleteDatabase(name));
        return ms;
      })(${String(run)}, ${String(indexed)})`);
    const indexed = { runs: [] as number[], cpu: [] as CpuUse[] };
    const bare = { runs: [] as number[], cpu: [] as CpuUse[] };
    for (let run = 0; run < runs; run += 1) {
      for (const [kind, into] of [[true, indexed], [false, bare]] as const) {
        const before = cpuSnapshot();
        into.runs.push(await once(run, kind));
        into.cpu.push(cpuSince(before));
      }
    }
    return {
      records: stores.reduce((n, s) => n + s.records.length, 0),
      runs: indexed.runs,
      ms: median(indexed.runs),
      cpu: perRun(indexed.cpu),
      bare: { runs: bare.runs, ms: median(bare.runs), cpu: perRun(bare.cpu) },
    };
  } finally {
    await browser.close();
  }
}

/**
 * The register imported on a desk as the office would (online, the import uploading as it is
 * written); then another register on a second desk with the browser offline, which that desk
 * never uploads (its profile is thrown away), so the server holds the first register only.
 */
async function timeImport(baseUrl: string, workbook: Uint8Array, offlineWorkbook: Uint8Array): Promise<ImportResult> {
  const online = await launchChromium();
  let result: Omit<ImportResult, 'offline' | 'floor'>;
  let stores: StoreCopy[];
  try {
    const page = await online.context.newPage();
    watch(page);
    await signInOwner(page, baseUrl);
    const timing = await importOnce(page, workbook, 'register-2026.xlsx', '');
    const uploadStarted = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-testid="sync-indicator"]')?.getAttribute('data-pending') === '0', undefined, { timeout: LONG, polling: 250 });
    const uploadSeconds = (Date.now() - uploadStarted) / 1000;
    log(`  the desk uploaded the import to the server in ${uploadSeconds.toFixed(0)} s more`);
    const heapMbAfter = await heapMb(page);
    stores = await storesAfterImport(page);
    result = { ...timing, browserVersion: online.version, uploadSeconds, heapMbAfter };
  } finally {
    await online.close();
  }
  const floor = await indexedDbFloor(baseUrl, stores);
  log(`  IndexedDB alone putting the same ${floor.records.toLocaleString('en-US')} records with the same indexes, in a fresh browser: ${floor.runs.map((ms) => ms.toFixed(0)).join(', ')} ms; a run ${describeCpu(floor.cpu, floor.ms, cpus().length)}`);
  log(`  the same without indexes: ${floor.bare.runs.map((ms) => ms.toFixed(0)).join(', ')} ms; a run ${describeCpu(floor.bare.cpu, floor.bare.ms, cpus().length)}`);
  const offline = await launchChromium();
  try {
    const page = await offline.context.newPage();
    watch(page);
    await signInOwner(page, baseUrl);
    await page.getByTestId('initial-sync').waitFor({ state: 'detached', timeout: LONG });
    await page.context().setOffline(true);
    return { ...result, floor, offline: await importOnce(page, offlineWorkbook, 'intake-2026.xlsx', ', second desk offline') };
  } finally {
    await offline.close();
  }
}

interface ExportRound {
  totalMs: number;
  /** Export clicked → the documents read from the replica by the export worker (RxDB plans the queries, the worker reads RxDB's Dexie tables): the reads, then the desk's keys taken off. */
  readMs: number;
  queryMs: number;
  plainMs: number;
  /** → the worker has built the rows (`workerBuildMs` of it, the row builders themselves). */
  buildMs: number;
  workerBuildMs: number;
  /** → the last part of the file back on the main thread (`workerWriteMs` of it, the worker's own writing). */
  writeMs: number;
  workerWriteMs: number;
  /** A payment export's file written again after the read (its ledger did not come near enough its order). */
  writtenAgain: boolean;
  /** → the Blob made and the download started. */
  saveMs: number;
  bytes: number;
  rows: number;
}

/** A duration the desk measured off the main timeline (in the worker, or inside a step), kept in a mark's detail. */
function durationIn(detail: unknown, key: string): number {
  if (typeof detail !== 'object' || detail === null) return Number.NaN;
  const value: unknown = (detail as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : Number.NaN;
}

/** Students → Export…, set for payments to Excel with the voided ones, as a bursar would for the auditors. */
async function openExportPanel(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Export…' }).click();
  const panel = page.getByRole('region', { name: 'Export' });
  await panel.getByLabel('What to export').selectOption({ label: 'Payments' });
  await panel.getByLabel('Format').selectOption({ label: 'Excel (.xlsx)' });
  await panel.getByLabel('Include voided, refunded and returned payments').check();
  return panel;
}

async function exportOnce(page: Page, panel: Locator, label: string): Promise<ExportRound> {
  const download = page.waitForEvent('download', { timeout: LONG });
  await panel.getByRole('button', { name: 'Export', exact: true }).click();
  const file = await download;
  const saved = panel.getByRole('status').filter({ hasText: 'Saved payments-' });
  await saved.waitFor({ timeout: LONG });
  const rows = Number(/: ([\d,]+) rows?/u.exec((await saved.textContent()) ?? '')?.[1]?.replaceAll(',', '') ?? Number.NaN);
  const bytes = (await stat(await file.path())).size;
  await file.delete();
  const at = await marks(page, ['export:start', 'export:rows', 'export:built', 'export:written', 'export:saved']);
  // No named functions inside: the page gets the callback's source, without tsx's helpers.
  const [read, built, written] = await page.evaluate(() =>
    ['export:rows', 'export:built', 'export:written'].map((name): unknown => (performance.getEntriesByName(`feemaster:${name}`, 'mark').at(-1) as PerformanceMark | undefined)?.detail),
  );
  const round: ExportRound = {
    totalMs: at['export:saved'] - at['export:start'],
    readMs: at['export:rows'] - at['export:start'],
    queryMs: durationIn(read, 'queryMs'),
    plainMs: durationIn(read, 'plainMs'),
    buildMs: at['export:built'] - at['export:rows'],
    workerBuildMs: durationIn(built, 'buildMs'),
    writeMs: at['export:written'] - at['export:built'],
    workerWriteMs: durationIn(written, 'writeMs'),
    writtenAgain: durationIn(written, 'writtenAgain') === 1,
    saveMs: at['export:saved'] - at['export:written'],
    bytes,
    rows,
  };
  log(
    `  ${label}: ${round.totalMs.toFixed(0)} ms (replica read ${round.readMs.toFixed(0)}: reads ${round.queryMs.toFixed(0)} + keys off ${round.plainMs.toFixed(0)}; ` +
      `to the worker + rows ${round.buildMs.toFixed(0)} of which rows ${round.workerBuildMs.toFixed(0)}; XLSX written ${round.writeMs.toFixed(0)}${round.writtenAgain ? ' (again, after the read)' : ''}; saved ${round.saveMs.toFixed(0)}), ` +
      `${round.rows.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(1)} MB`,
  );
  return round;
}

/** How long a reopened desk is left to finish opening (replication, the search copy) before the export. */
const SETTLE_MS = 8_000;

/**
 * Each round on a freshly loaded desk (the replica on disk, nothing of it in memory), as a bursar
 * who opens the desk to export meets it; then once more on the same page, where RxDB answers the
 * same query from its cache.
 */
async function timeExports(page: Page): Promise<{ cold: ExportRound[]; warm: ExportRound }> {
  const cold: ExportRound[] = [];
  let panel: Locator | null = null;
  for (let round = 0; round < ROUNDS; round += 1) {
    await page.reload();
    await page.getByRole('heading', { name: /^Students/ }).waitFor({ timeout: LONG });
    await page.waitForTimeout(SETTLE_MS);
    panel = await openExportPanel(page);
    cold.push(await exportOnce(page, panel, `export ${String(round + 1)}, desk reloaded`));
  }
  if (!panel) throw new Error('--rounds must be at least 1');
  return { cold, warm: await exportOnce(page, panel, 'once more on the same page') };
}

// ── The run ───────────────────────────────────────────────────────────────────────────────────

interface ExportPart {
  data: { voids: number };
  exportBrowserVersion: string;
  downloadSeconds: number;
  desk: ExportRound[];
  warm: ExportRound;
  heapAfterExport: { used: number; total: number };
  node: { rowsMs: number; writeMs: number; bytes: number; rows: number }[];
}

/** The export's measurements when it is left out (`--only import`): not a number, so left off the table. */
function exportNotRun(): ExportPart {
  const nan = Number.NaN;
  const round: ExportRound = { totalMs: nan, readMs: nan, queryMs: nan, plainMs: nan, buildMs: nan, workerBuildMs: nan, writeMs: nan, workerWriteMs: nan, writtenAgain: false, saveMs: nan, bytes: 0, rows: nan };
  return { data: { voids: 0 }, exportBrowserVersion: '', downloadSeconds: Number.NaN, desk: [], warm: round, heapAfterExport: { used: Number.NaN, total: Number.NaN }, node: [] };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  log('building the desk app (browser edition) into out/web');
  const server = await startServerProcess('pglite', 0, DEFAULT_ADMIN_URL, buildDeskApp());
  const browsers: BenchBrowser[] = [];
  try {
    const { baseUrl, ownerToken, school: identity } = server.info;
    const { schoolId, officeId } = identity;
    log(`sync server (PGlite) at ${baseUrl}`);

    // 1. The import.
    const now = new Date().toISOString();
    const reference: ReferenceDoc[] = [
      ...CLASSES.map((name): ClassDoc => ({ id: newId(), schoolId, kind: 'class', name, data: { code: name.replace(/[^A-Z0-9]/gu, '') }, createdAt: now, updatedAt: now })),
      ...CATEGORIES.map(({ name, code }): StudentCategoryDoc => ({ id: newId(), schoolId, kind: 'studentCategory', name, data: { code }, createdAt: now, updatedAt: now })),
    ];
    await pushAll(baseUrl, ownerToken, '/api/v1/sync/reference/1/push', reference);
    const register = registerRows(ROWS, { seed: 10_000, admissionPrefix: 'IMP', phonePrefixes: ['0711', '0722'] });
    const workbook = await registerWorkbook(register.rows);
    const intake = await registerWorkbook(registerRows(ROWS, { seed: 20_000, admissionPrefix: 'INT', phonePrefixes: ['0733', '0744'] }).rows);
    log(`the register: ${ROWS.toLocaleString('en-US')} students in ${register.families.toLocaleString('en-US')} families, ${(workbook.length / 1e6).toFixed(1)} MB of XLSX; ${String(CLASSES.length)} classes on the server`);
    const unmeasured: CpuUse = { groups: [], seconds: Number.NaN };
    const notTimed = { readMs: Number.NaN, preview: { contextMs: Number.NaN, workerReadMs: Number.NaN, workerFileMs: Number.NaN, workerSchoolMs: Number.NaN, workerPlanMs: Number.NaN, toWorkerAndBackMs: Number.NaN, renderMs: Number.NaN }, writeMs: Number.NaN, writeCpu: unmeasured, writeCpuWallMs: Number.NaN, totalMs: Number.NaN, summary: 'not run (--only export)' };
    const imported = EXPORT_ONLY ? { ...notTimed, browserVersion: '', floor: { records: 0, ms: Number.NaN, runs: [], cpu: unmeasured, bare: { ms: Number.NaN, runs: [], cpu: unmeasured } }, uploadSeconds: Number.NaN, heapMbAfter: { used: Number.NaN, total: Number.NaN }, offline: notTimed } : await timeImport(baseUrl, workbook, intake);

    const exportPart = IMPORT_ONLY ? exportNotRun() : await timeExportPart();
    const { data, downloadSeconds, desk, warm, heapAfterExport, node } = exportPart;
    const browserVersion = IMPORT_ONLY ? imported.browserVersion : exportPart.exportBrowserVersion;

    async function timeExportPart(): Promise<ExportPart> {
      // 2. The payments, as four desks took them, and a fresh desk that downloads them.
      const deviceIds: string[] = [];
      for (const n of [1, 2, 3, 4]) {
        const approval = await api<DeviceApproval>(baseUrl, ownerToken, '/api/v1/devices', { method: 'POST', body: { name: `Front desk ${String(n)}`, code: `D0${String(n)}`, officeId } });
        deviceIds.push(approval.device.id);
      }
      const staff = new Map<string, string>();
      for (const [i, name] of CASHIERS.entries()) {
        const member = await api<MemberSummary>(baseUrl, ownerToken, '/api/v1/users', { method: 'POST', body: { email: `cashier${String(i + 1)}@hillside.example`, password: `bench-cashier-${String(i + 1)}-2026`, displayName: name, role: 'cashier' } });
        staff.set(member.userId, name);
      }
      const data = generatePaymentSchool({ schoolId, officeId, deviceIds, students: STUDENTS, payments: PAYMENTS, currency: CURRENCY, staff, invoices: true, cardPayments: false });
      log(`pushing ${STUDENTS.toLocaleString('en-US')} students, ${data.payers.length.toLocaleString('en-US')} families, their invoices, ${PAYMENTS.toLocaleString('en-US')} payments and ${data.voids.length.toLocaleString('en-US')} voids`);
      await pushAll(baseUrl, ownerToken, '/api/v1/sync/students/1/push', data.students);
      await pushAll(baseUrl, ownerToken, '/api/v1/sync/payers/0/push', data.payers);
      await pushAll(baseUrl, ownerToken, LEDGER_PATH, data.invoices);
      await pushAll(baseUrl, ownerToken, LEDGER_PATH, data.payments);
      await pushAll(baseUrl, ownerToken, LEDGER_PATH, data.voids);
      log('the server holds the school');

      const exportBrowser = await launchChromium();
      browsers.push(exportBrowser);
      const page = await exportBrowser.context.newPage();
      watch(page);
      const downloadStarted = Date.now();
      await signInOwner(page, baseUrl);
      await page.getByTestId('initial-sync').waitFor({ state: 'visible', timeout: 60_000 });
      await page.getByTestId('initial-sync').waitFor({ state: 'detached', timeout: LONG });
      const downloadSeconds = (Date.now() - downloadStarted) / 1000;
      log(`a fresh desk downloaded the school in ${downloadSeconds.toFixed(0)} s`);
      const { cold: desk, warm } = await timeExports(page);
      const heapAfterExport = await heapMb(page);

      // 3. The same rows written in Node, in this process, for comparison.
      const office = { id: officeId, schoolId, kind: 'office' as const, name: 'Main office', data: { code: 'MAIN' }, createdAt: now, updatedAt: now };
      const devices = deviceIds.map((id, i) => ({ id, schoolId, kind: 'device' as const, name: `Front desk ${String(i + 1)}`, data: { officeId, code: `D0${String(i + 1)}` }, createdAt: now, updatedAt: now }));
      const source = { students: data.students, payers: data.payers, reference: [office, ...devices], ledger: [...data.payments, ...data.voids], staffNames: data.staff };
      const node: { rowsMs: number; writeMs: number; bytes: number; rows: number }[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const begin = performance.now();
        const rows = paymentExportRows(source, { includeVoided: true }, { timeZone: TIME_ZONE });
        const rowsMs = performance.now() - begin;
        const written = await timePaymentWriter('xlsx', rows, { currency: CURRENCY, timeZone: TIME_ZONE });
        node.push({ rowsMs, writeMs: written.seconds * 1000, bytes: written.bytes, rows: rows.length });
      }
      log(`  Node: rows ${median(node.map((n) => n.rowsMs)).toFixed(0)} ms, exportXlsx ${median(node.map((n) => n.writeMs)).toFixed(0)} ms`);
      return { data: { voids: data.voids.length }, exportBrowserVersion: exportBrowser.version, downloadSeconds, desk, warm, heapAfterExport, node };
    }

    // The table.
    const ms = (value: number): string => `${(value / 1000).toFixed(2)} s`;
    const cpuShare = (use: CpuUse, wallMs: number): string => (Number.isNaN(use.seconds) ? 'NaN' : use.groups.length === 0 ? 'CPU not measured' : `CPU ${use.seconds.toFixed(1)} s of the ${((wallMs / 1000) * cpus().length).toFixed(1)} s the cores had`);
    const spread = (values: readonly number[]): string => (values.length > 1 ? ` (${ms(Math.min(...values))}–${ms(Math.max(...values))})` : '');
    const med = (pick: (r: ExportRound) => number): number => median(desk.map(pick));
    const exportTotal = med((r) => r.totalMs);
    const nodeRows = median(node.map((n) => n.rowsMs));
    const nodeWrite = median(node.map((n) => n.writeMs));
    const table: { measurement: string; rows: string; result: string; target: string; met: boolean | null }[] = [
      { measurement: 'import: file chosen → preview shown (read + check, worker)', rows: ROWS.toLocaleString('en-US'), result: ms(imported.readMs), target: '', met: null },
      { measurement: 'import: Import clicked → written to the replica', rows: ROWS.toLocaleString('en-US'), result: ms(imported.writeMs), target: '', met: null },
      { measurement: 'import: the two together', rows: ROWS.toLocaleString('en-US'), result: ms(imported.totalMs), target: `≤ ${String(TARGETS.importSeconds)} s`, met: imported.totalMs <= TARGETS.importSeconds * 1000 },
      { measurement: '  CPU used by the browser and server meanwhile (up to 0.25 s past the write)', rows: '', result: cpuShare(imported.writeCpu, imported.writeCpuWallMs), target: '', met: null },
      { measurement: '  IndexedDB alone putting the same records with the same indexes, fresh browser (floor under the write)', rows: imported.floor.records.toLocaleString('en-US'), result: `${ms(imported.floor.ms)}${spread(imported.floor.runs)}; ${cpuShare(imported.floor.cpu, imported.floor.ms)}`, target: '', met: null },
      { measurement: '  the same records into stores without indexes (what the indexes cost)', rows: imported.floor.records.toLocaleString('en-US'), result: `${ms(imported.floor.bare.ms)}${spread(imported.floor.bare.runs)}; ${cpuShare(imported.floor.bare.cpu, imported.floor.bare.ms)}`, target: '', met: null },
      { measurement: '  then uploaded to the server (not judged)', rows: '', result: `${imported.uploadSeconds.toFixed(0)} s`, target: '', met: null },
      {
        measurement: '  another register, a second desk offline (no upload alongside)',
        rows: ROWS.toLocaleString('en-US'),
        result: `${ms(imported.offline.totalMs)} (preview ${ms(imported.offline.readMs)}, written ${ms(imported.offline.writeMs)})`,
        target: '',
        met: null,
      },
      { measurement: `export: Export clicked → file saved (median of ${String(ROUNDS)}, desk reloaded each time)`, rows: (desk[0]?.rows ?? Number.NaN).toLocaleString('en-US'), result: `${ms(exportTotal)}${spread(desk.map((r) => r.totalMs))}, ${((desk[0]?.bytes ?? 0) / 1e6).toFixed(1)} MB`, target: `≤ ${String(TARGETS.exportSeconds)} s`, met: exportTotal <= TARGETS.exportSeconds * 1000 },
      { measurement: '  documents read from the replica (in the export worker), the rows and XLSX written meanwhile', rows: '', result: `${ms(med((r) => r.readMs))} (the worker's read ${ms(med((r) => r.queryMs))})`, target: '', met: null },
      { measurement: '  then rows built in the worker (none left: made during the read)', rows: '', result: `${ms(med((r) => r.buildMs))} (rows ${ms(med((r) => r.workerBuildMs))})`, target: '', met: null },
      { measurement: '  then the XLSX finished and its parts sent back', rows: '', result: `${ms(med((r) => r.writeMs))} (in the worker ${ms(med((r) => r.workerWriteMs))}; written again after the read in ${String(desk.filter((r) => r.writtenAgain).length)} of ${String(desk.length)})`, target: '', met: null },
      { measurement: '  Blob made, download started', rows: '', result: ms(med((r) => r.saveMs)), target: '', met: null },
      { measurement: '  once more on the same page', rows: '', result: `${ms(warm.totalMs)} (replica read ${ms(warm.readMs)})`, target: '', met: null },
      { measurement: 'Node, same rows: paymentExportRows + exportXlsx', rows: (node[0]?.rows ?? Number.NaN).toLocaleString('en-US'), result: `${ms(nodeRows + nodeWrite)} (rows ${ms(nodeRows)}, XLSX ${ms(nodeWrite)}), ${((node[0]?.bytes ?? 0) / 1e6).toFixed(1)} MB`, target: '', met: null },
      { measurement: 'renderer JS heap after the import / after the exports', rows: '', result: `${imported.heapMbAfter.used.toFixed(0)} MB / ${heapAfterExport.used.toFixed(0)} MB`, target: '', met: null },
      { measurement: 'first download of the school by the export desk', rows: '', result: `${downloadSeconds.toFixed(0)} s`, target: '', met: null },
    ];
    const header = ['measurement', 'rows', 'result', 'target', 'met'];
    const cells = table.filter((r) => args.only === undefined || !r.result.includes('NaN')).map((r) => [r.measurement, r.rows, r.result, r.target, r.met === null ? '' : r.met ? 'met' : 'NOT MET']);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
    const line = (cell: readonly string[]): string => cell.map((text, i) => (i === 1 ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
    console.log(`\nFee Master bulk import and export on the desk (Chromium ${browserVersion}, PGlite server on this machine)\n`);
    console.log([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n'));
    console.log(`\nMachine: ${String(cpus().length)} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);

    const report = {
      benchmark: 'import',
      at: new Date().toISOString(),
      settings: { rows: ROWS, families: register.families, payments: PAYMENTS, voided: data.voids, students: STUDENTS, rounds: ROUNDS, server: 'PGlite', browser: `Chromium ${browserVersion}, profile on disk` },
      machine: { cpus: cpus().length, memoryBytes: totalmem(), node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg() },
      targets: TARGETS,
      results: { import: imported, export: { medianMs: exportTotal, rounds: desk, sameTabAgain: warm }, node, downloadSeconds, heapMbAfterExport: heapAfterExport },
      table,
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Wrote ${args.out}`);
  } finally {
    for (const browser of browsers) await browser.close();
    await server.close();
  }
}

await main();
