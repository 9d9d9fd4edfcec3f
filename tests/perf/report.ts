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

/** The middle value (the lower middle of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** pouchdb-server's storage: its default LevelDB in a scratch directory, or `--in-memory`. */
export type PeerStorage = 'disk' | 'memory';

export const PEER_STORAGES: readonly PeerStorage[] = ['disk', 'memory'];

/** Throughput per round, when a measurement was taken in several rounds. */
export interface RoundRates {
  push: number;
  pull: number;
}

/**
 * The ratios of two measurements taken round by round (round i of one beside round i of the
 * other, which ran moments apart): their median and range. Without rounds, the one ratio.
 */
export function roundRatios(ours: readonly RoundRates[], theirs: readonly RoundRates[], way: keyof RoundRates, fallback: number): { median: number; min: number; max: number; rounds: number } {
  const ratios = ours.length > 0 && ours.length === theirs.length ? ours.map((round, i) => round[way] / (theirs[i]?.[way] ?? Number.NaN)) : [fallback];
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: ratios.length };
}

/** One measurement of several rounds: each way the timings of its median round, every round's rates. */
export function combineServerRounds(results: readonly ServerResult[]): ServerResult {
  const [first] = results;
  if (!first) throw new Error('no rounds to combine');
  const rounds = results.flatMap((r) => r.rounds);
  const middle = (way: keyof RoundRates): ServerResult => {
    const target = median(results.map((r) => r[way].docsPerSecond));
    return results.find((r) => r[way].docsPerSecond === target) ?? first;
  };
  return { ...first, push: middle('push').push, pull: middle('pull').pull, rounds };
}

export function combinePeerRounds(results: readonly PeerResult[]): PeerResult {
  const [first] = results;
  if (!first) throw new Error('no rounds to combine');
  const pushRound = results.find((r) => r.pushDocsPerSecond === median(results.map((x) => x.pushDocsPerSecond))) ?? first;
  const pullRound = results.find((r) => r.pullDocsPerSecond === median(results.map((x) => x.pullDocsPerSecond))) ?? first;
  return {
    ...first,
    pushSeconds: pushRound.pushSeconds,
    pushDocsPerSecond: pushRound.pushDocsPerSecond,
    pullSeconds: pullRound.pullSeconds,
    pullDocsPerSecond: pullRound.pullDocsPerSecond,
    rounds: results.flatMap((r) => r.rounds),
  };
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const rate = (value: number): string => `${n(value)} docs/s`;
const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const times = (value: number): string => `${value.toFixed(2)}×`;
/** The median's spread over the rounds, when there were several. */
const spread = (values: readonly number[], format: (value: number) => string): string =>
  values.length > 1 ? ` (${String(values.length)} rounds: ${format(Math.min(...values))}–${format(Math.max(...values))})` : '';
const rateOf = (value: number, rounds: readonly number[]): string => `${rate(value)}${spread(rounds, n)}`;
const ratioOf = (r: { median: number; min: number; max: number; rounds: number }): string => `${times(r.median)}${r.rounds > 1 ? ` (rounds ${r.min.toFixed(2)}–${times(r.max)})` : ''}`;
const backendName = { postgres: 'PostgreSQL', pglite: 'PGlite' } as const;
/**
 * The peer the targets are judged against: pouchdb-server as it runs by default, storing in
 * LevelDB on disk as our server stores in PostgreSQL. Its --in-memory mode writes nothing and is
 * shown beside it for comparison.
 */
export const JUDGED_PEER: PeerStorage = 'disk';
const peerLabel: Record<PeerStorage, string> = { disk: 'default (LevelDB on disk)', memory: '--in-memory' };

export function buildRows(results: BenchResults): Row[] {
  const rows: Row[] = [];
  const peerFor = (docs: number, storage: PeerStorage): PeerResult | undefined => results.peer.find((p) => p.docs === docs && p.storage === storage);
  /** Our rounds against the peer's: judged against pouchdb-server as it runs by default, shown against its in-memory mode. */
  const ratioRows = (server: ServerResult, way: keyof RoundRates, target: number): Row[] =>
    PEER_STORAGES.flatMap((storage) => {
      const peer = peerFor(server.payments, storage);
      if (!peer) return [];
      const judged = server.backend === 'postgres' && storage === JUDGED_PEER;
      const peerRate = way === 'push' ? peer.pushDocsPerSecond : peer.pullDocsPerSecond;
      const ratio = roundRatios(server.rounds, peer.rounds, way, server[way].docsPerSecond / peerRate);
      return [
        {
          measurement: `  ${way} ÷ PouchDB ${way}, ${peerLabel[storage]} (median of the rounds' ratios)`,
          docs: server.payments,
          result: ratioOf(ratio),
          target: judged ? `≥ ${times(target)}` : '',
          met: judged ? ratio.median >= target : null,
        },
      ];
    });
  for (const server of results.server) {
    const name = backendName[server.backend];
    const onPostgres = server.backend === 'postgres';
    rows.push({
      measurement: `server push, ${name}`,
      docs: server.payments,
      result: rateOf(server.push.docsPerSecond, server.rounds.map((r) => r.push)),
      target: onPostgres ? `≥ ${rate(TARGETS.postgresPushDocsPerSecond)}` : '',
      met: onPostgres ? server.push.docsPerSecond >= TARGETS.postgresPushDocsPerSecond : null,
    });
    rows.push(...ratioRows(server, 'push', TARGETS.pushTimesPeer));
    rows.push({
      measurement: `server pull, ${name}`,
      docs: server.payments,
      result: rateOf(server.pull.docsPerSecond, server.rounds.map((r) => r.pull)),
      target: onPostgres ? `≥ ${rate(TARGETS.postgresPullDocsPerSecond)}` : '',
      met: onPostgres ? server.pull.docsPerSecond >= TARGETS.postgresPullDocsPerSecond : null,
    });
    rows.push(...ratioRows(server, 'pull', TARGETS.pullTimesPeer));
  }
  for (const peer of results.peer) {
    rows.push({ measurement: `peer push, PouchDB → pouchdb-server, ${peerLabel[peer.storage]}`, docs: peer.docs, result: rateOf(peer.pushDocsPerSecond, peer.rounds.map((r) => r.push)), target: '', met: null });
    rows.push({ measurement: `peer pull, pouchdb-server → PouchDB, ${peerLabel[peer.storage]}`, docs: peer.docs, result: rateOf(peer.pullDocsPerSecond, peer.rounds.map((r) => r.pull)), target: '', met: null });
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
