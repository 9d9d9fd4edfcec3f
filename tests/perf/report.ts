// The benchmark's table: each number beside the target issue 5 sets for it, and whether it is met.
import type { BrowserSyncResult } from './browser/main.ts';
import type { LatencyResult } from './live-latency.ts';
import type { PeerResult } from './pouch-peer.ts';
import type { ServerResult } from './server-bench.ts';

export const TARGETS = {
  postgresPushDocsPerSecond: 5_000,
  postgresPullDocsPerSecond: 10_000,
  pushTimesPeer: 2.5,
  pullTimesPeer: 3,
  initialSyncTimesBulkInsert: 1.3,
  liveP95Ms: 300,
  crossInstanceMaxMs: 1_000,
} as const;

export interface Row {
  measurement: string;
  docs: number | null;
  result: string;
  target: string;
  /** null: no target for this number (shown for comparison). */
  met: boolean | null;
}

export interface LatencyRun {
  name: string;
  backend: 'postgres' | 'pglite';
  ledgerDocs: number;
  result: LatencyResult;
  crossInstance: boolean;
}

export interface BenchResults {
  server: ServerResult[];
  peer: PeerResult[];
  browser: (BrowserSyncResult & { payments: number })[];
  latency: LatencyRun[];
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const rate = (value: number): string => `${n(value)} docs/s`;
const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const times = (value: number): string => `${value.toFixed(2)}×`;
const backendName = { postgres: 'PostgreSQL', pglite: 'PGlite' } as const;

export function buildRows(results: BenchResults): Row[] {
  const rows: Row[] = [];
  const peerFor = (docs: number): PeerResult | undefined => results.peer.find((p) => p.docs === docs);
  for (const server of results.server) {
    const name = backendName[server.backend];
    const peer = peerFor(server.payments);
    const onPostgres = server.backend === 'postgres';
    rows.push({
      measurement: `server push, ${name}`,
      docs: server.payments,
      result: rate(server.push.docsPerSecond),
      target: onPostgres ? `≥ ${rate(TARGETS.postgresPushDocsPerSecond)}` : '',
      met: onPostgres ? server.push.docsPerSecond >= TARGETS.postgresPushDocsPerSecond : null,
    });
    if (peer) {
      rows.push({
        measurement: `  push ÷ PouchDB push`,
        docs: server.payments,
        result: times(server.push.docsPerSecond / peer.pushDocsPerSecond),
        target: onPostgres ? `≥ ${times(TARGETS.pushTimesPeer)}` : '',
        met: onPostgres ? server.push.docsPerSecond >= TARGETS.pushTimesPeer * peer.pushDocsPerSecond : null,
      });
    }
    rows.push({
      measurement: `server pull, ${name}`,
      docs: server.payments,
      result: rate(server.pull.docsPerSecond),
      target: onPostgres ? `≥ ${rate(TARGETS.postgresPullDocsPerSecond)}` : '',
      met: onPostgres ? server.pull.docsPerSecond >= TARGETS.postgresPullDocsPerSecond : null,
    });
    if (peer) {
      rows.push({
        measurement: `  pull ÷ PouchDB pull`,
        docs: server.payments,
        result: times(server.pull.docsPerSecond / peer.pullDocsPerSecond),
        target: onPostgres ? `≥ ${times(TARGETS.pullTimesPeer)}` : '',
        met: onPostgres ? server.pull.docsPerSecond >= TARGETS.pullTimesPeer * peer.pullDocsPerSecond : null,
      });
    }
  }
  for (const peer of results.peer) {
    rows.push({ measurement: 'peer push, PouchDB → pouchdb-server', docs: peer.docs, result: rate(peer.pushDocsPerSecond), target: '', met: null });
    rows.push({ measurement: 'peer pull, pouchdb-server → PouchDB', docs: peer.docs, result: rate(peer.pullDocsPerSecond), target: '', met: null });
  }
  for (const browser of results.browser) {
    const ratio = browser.replication.validated.seconds / browser.rxdbBulkInsert.validated.seconds;
    rows.push({
      measurement: "browser initial sync, the desk's (bulk download + replication; Dexie + validator)",
      docs: browser.docs,
      result: `${browser.replication.validated.seconds.toFixed(2)} s, ${rate(browser.replication.validated.docsPerSecond)}`,
      target: '',
      met: null,
    });
    rows.push({
      measurement: '  RxDB replication alone, for comparison',
      docs: browser.docs,
      result: `${browser.replication.replicationOnly.seconds.toFixed(2)} s, ${rate(browser.replication.replicationOnly.docsPerSecond)} (${times(browser.replication.replicationOnly.seconds / browser.rxdbBulkInsert.validated.seconds)} bulkInsert)`,
      target: '',
      met: null,
    });
    rows.push({
      measurement: 'browser RxDB bulkInsert (Dexie + validator)',
      docs: browser.docs,
      result: `${browser.rxdbBulkInsert.validated.seconds.toFixed(2)} s, ${rate(browser.rxdbBulkInsert.validated.docsPerSecond)}`,
      target: '',
      met: null,
    });
    rows.push({
      measurement: '  initial sync ÷ bulkInsert (time)',
      docs: browser.docs,
      result: times(ratio),
      target: `≤ ${times(TARGETS.initialSyncTimesBulkInsert)}`,
      met: ratio <= TARGETS.initialSyncTimesBulkInsert,
    });
    const plainRatio = browser.replication.plain.seconds / browser.rxdbBulkInsert.plain.seconds;
    rows.push({
      measurement: 'browser initial sync, Dexie without validator',
      docs: browser.docs,
      result: `${browser.replication.plain.seconds.toFixed(2)} s, ${rate(browser.replication.plain.docsPerSecond)}`,
      target: '',
      met: null,
    });
    rows.push({
      measurement: 'browser RxDB bulkInsert, Dexie without validator',
      docs: browser.docs,
      result: `${browser.rxdbBulkInsert.plain.seconds.toFixed(2)} s, ${rate(browser.rxdbBulkInsert.plain.docsPerSecond)}`,
      target: '',
      met: null,
    });
    rows.push({ measurement: '  initial sync ÷ bulkInsert, no validator', docs: browser.docs, result: times(plainRatio), target: `≤ ${times(TARGETS.initialSyncTimesBulkInsert)}`, met: plainRatio <= TARGETS.initialSyncTimesBulkInsert });
    rows.push({
      measurement: 'browser raw Dexie bulkPut (ceiling)',
      docs: browser.docs,
      result: `${browser.dexieBulkPut.seconds.toFixed(2)} s, ${rate(browser.dexieBulkPut.docsPerSecond)}`,
      target: '',
      met: null,
    });
  }
  for (const run of results.latency) {
    const { result } = run;
    const missed = result.missed > 0 ? `, ${String(result.missed)} missed` : '';
    rows.push({
      measurement: `live A → B p50 / p95, ${run.name}`,
      docs: result.samples,
      result: `${ms(result.p50)} / ${ms(result.p95)} (max ${ms(result.max)}${missed})`,
      target: `p95 ≤ ${ms(TARGETS.liveP95Ms)}`,
      met: result.missed === 0 && result.p95 <= TARGETS.liveP95Ms,
    });
    if (run.crossInstance) {
      rows.push({
        measurement: '  every payment across instances (issue item 2)',
        docs: result.samples,
        result: `max ${ms(result.max)}${missed}`,
        target: `each ≤ ${ms(TARGETS.crossInstanceMaxMs)}`,
        met: result.missed === 0 && result.max <= TARGETS.crossInstanceMaxMs,
      });
    }
  }
  return rows;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['measurement', 'docs', 'result', 'target (issue 5)', 'met'];
  const cells = rows.map((row) => [row.measurement, row.docs === null ? '' : n(row.docs), row.result, row.target, row.met === null ? '' : row.met ? 'met' : 'NOT MET']);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)));
  const line = (cell: readonly string[]): string =>
    cell
      .map((text, column) => (column === 1 ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
