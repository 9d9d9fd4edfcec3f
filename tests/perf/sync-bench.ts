// `npm run bench:sync`: issue 5's sync benchmark in one run on one machine, with the same
// generated documents throughout — server push/pull on PostgreSQL and PGlite, the PouchDB peer,
// a fresh browser replica's initial sync, and live propagation between two desks. Prints a
// table with the targets and writes .bench/sync.json. Measures and reports; asserts nothing.
//
//   npm run bench:sync                 10,000 and 100,000 payments, 200 live samples
//   npm run bench:sync -- --quick      10,000 payments, 50 live samples
//   options: --sizes 10000,50000  --samples 200  --desks 4
//            --browser-max 100000 (browser runs at sizes up to this; default 10000: 100,000 adds ~9 minutes)
//            --rounds 3 (server and peer push/pull measured this many times, interleaved; medians reported)
//            --warmup 2000 (payments replicated untimed first, by each server and the peer)
//            --profile <dir> (CPU profiles of the server processes)  --out <file>
// PostgreSQL: FEEMASTER_BENCH_DATABASE_URL (a server where the user may CREATE DATABASE); default
// the .ci/start-postgres cluster on :55432, which the tests run with fsync off. The run prints the
// server's fsync and synchronous_commit: use a cluster with them on for deployment-like numbers.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem, arch, platform, release } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_PULL_LIMIT, MAX_PUSH_ROWS } from '@feemaster/core';
import { generateDataSet, livePayment, paymentsByDesk, splitDataSet, type BenchDataSet, type SchoolIdentity } from './bench-data.ts';
import { DEFAULT_ADMIN_URL, postgresDurability } from './bench-server.ts';
import { buildBrowserPage, launchChromium, runBrowserSync } from './browser-bench.ts';
import { measureLatency } from './live-latency.ts';
import { benchPouchPeer, type PeerResult } from './pouch-peer.ts';
import { buildRows, combinePeerRounds, combineServerRounds, formatTable, PEER_STORAGES, TARGETS, type BenchResults, type LatencyRun } from './report.ts';
import { benchServer, fmt, type LoadedServer, type ServerResult } from './server-bench.ts';
import { setServerNodeFlags, startInstanceProcess } from './server-process.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const STUDENTS = 1_000;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    samples: { type: 'string' },
    'browser-max': { type: 'string' },
    desks: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2000' },
    profile: { type: 'string' },
    out: { type: 'string', default: resolve(repoRoot, '.bench/sync.json') },
  },
  strict: true,
});

function positiveInteger(text: string, what: string): number {
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${what} must be a whole number above 0, not '${text}'`);
  return value;
}

const sizes = (args.sizes ?? (args.quick ? '10000' : '10000,100000')).split(',').map((s) => positiveInteger(s.trim(), '--sizes'));
const samples = positiveInteger(args.samples ?? (args.quick ? '50' : '200'), '--samples');
const browserMax = positiveInteger(args['browser-max'] ?? '10000', '--browser-max');
const desks = positiveInteger(args.desks, '--desks');
const roundCount = positiveInteger(args.rounds, '--rounds');
const warmupCount = Number(args.warmup);
if (!Number.isSafeInteger(warmupCount) || warmupCount < 0) throw new Error(`--warmup must be a whole number of payments (0 for none), not '${args.warmup}'`);
if (desks < 2) throw new Error('--desks must be at least 2: live propagation needs a desk A and a desk B');
const adminUrl = process.env.FEEMASTER_BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL;
if (args.profile) setServerNodeFlags(['--cpu-prof', `--cpu-prof-dir=${resolve(args.profile)}`]);

const started = new Date();
const log = (line: string): void => {
  const elapsed = ((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4);
  console.log(`[${elapsed} s] ${line}`);
};

/** Desk A's next receipt numbers follow the payments it took in the data set. */
function liveSeries(data: BenchDataSet, school: SchoolIdentity): () => Record<string, unknown> {
  const deskA = school.desks[0];
  if (!deskA) throw new Error('no desk A');
  let seq = Math.max(0, ...data.paymentTemplates.filter((p) => p.desk === 0).map((p) => p.seq));
  return () => {
    seq += 1;
    return livePayment(data, school, deskA, seq);
  };
}

async function latencyRuns(loaded: LoadedServer): Promise<LatencyRun[]> {
  const [deskA, deskB] = loaded.running.desks;
  if (!deskA || !deskB) throw new Error('live propagation needs two desks');
  const next = liveSeries(loaded.data, loaded.running.school);
  const name = loaded.backend === 'postgres' ? 'PostgreSQL, one instance' : 'PGlite, one instance';
  const runs: LatencyRun[] = [];
  const single = await measureLatency({ pushUrl: loaded.running.baseUrl, streamUrl: loaded.running.baseUrl, deskA: deskA.token, deskB: deskB.token, samples, nextPayment: next });
  log(`  live ${name}: p50 ${single.p50.toFixed(1)} ms, p95 ${single.p95.toFixed(1)} ms`);
  runs.push({ name, backend: loaded.backend, ledgerDocs: loaded.ledgerDocs, result: single, crossInstance: false });
  if (loaded.backend === 'postgres') {
    const second = await startInstanceProcess(loaded.target);
    try {
      const cross = await measureLatency({ pushUrl: loaded.running.baseUrl, streamUrl: second.baseUrl, deskA: deskA.token, deskB: deskB.token, samples, nextPayment: next });
      log(`  live across two instances: p50 ${cross.p50.toFixed(1)} ms, p95 ${cross.p95.toFixed(1)} ms`);
      runs.push({ name: 'PostgreSQL, two instances (LISTEN/NOTIFY)', backend: 'postgres', ledgerDocs: loaded.ledgerDocs + samples, result: cross, crossInstance: true });
    } finally {
      await second.close();
    }
  }
  return runs;
}

function machine(): Record<string, unknown> {
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytesAtEnd: freemem(),
    loadAverage: loadavg(),
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
  };
}

async function main(): Promise<void> {
  const results: BenchResults = { server: [], peer: [], browser: [], latency: [] };
  const loadAtStart = loadavg();
  const durability = await postgresDurability(adminUrl);
  const webRoot = resolve(repoRoot, '.bench/browser');
  log(`building the browser page into ${webRoot}`);
  await buildBrowserPage(webRoot);
  let browserVersion = 'not run';
  const latencySize = Math.min(...sizes);
  for (const size of sizes) {
    // The warm-up payments go first, untimed, on every server and the peer alike: a fresh process
    // runs its first thousands of documents through code not yet compiled, a large part of a
    // 10,000-payment push; a server runs for months.
    const [warmup, data] = splitDataSet(generateDataSet({ payments: warmupCount + size, students: STUDENTS, desks }), warmupCount);
    log(`${fmt(size)} payments from ${String(desks)} desks (after ${fmt(STUDENTS)} invoices), push batches of ${String(MAX_PUSH_ROWS)}, pull pages of ${String(MAX_PULL_LIMIT)}`);
    // Push and pull are short at 10,000 documents, and this machine's speed drifts: each is
    // measured in rounds, PostgreSQL, PGlite and the peer one after the other in each round; the
    // browser and live measurements run in the first round only.
    const rounds: { postgres: ServerResult; pglite: ServerResult; peers: PeerResult[] }[] = [];
    for (let round = 1; round <= roundCount; round += 1) {
      if (roundCount > 1) log(`  round ${String(round)} of ${String(roundCount)}`);
      const first = round === 1;
      const postgres = await benchServer('postgres', data, warmup, {
        adminUrl,
        webRoot,
        log,
        whileRunning: first
          ? async (loaded) => {
              if (size <= browserMax) {
                log(`  browser: initial sync of ${fmt(loaded.ledgerDocs)} ledger documents vs bulkInsert and bulkPut`);
                const token = loaded.running.desks.at(-1)?.token;
                if (!token) throw new Error('no desk for the browser replica');
                // The compared pair runs twice, in both orders, at small sizes; once at large ones.
                const repeats = loaded.ledgerDocs <= 20_000 ? 2 : 1;
                // Chromium runs for this part only: left open, it went on using CPU after the writes
                // (its IndexedDB files, presumably) and every measurement after it ran a third slower.
                const browser = await launchChromium();
                browserVersion = browser.version;
                const result = await runBrowserSync(browser, loaded.running.baseUrl, { token, expectedDocs: loaded.ledgerDocs, label: String(size), repeats }, log).finally(() => browser.close());
                log(`  browser: initial sync ${result.replication.validated.seconds.toFixed(2)} s, bulkInsert ${result.rxdbBulkInsert.validated.seconds.toFixed(2)} s, bulkPut ${result.dexieBulkPut.seconds.toFixed(2)} s`);
                results.browser.push({ ...result, payments: size });
              }
              if (size === latencySize) results.latency.push(...(await latencyRuns(loaded)));
            }
          : undefined,
      });
      const pglite = await benchServer('pglite', data, warmup, {
        adminUrl,
        webRoot: null,
        log,
        whileRunning: first
          ? async (loaded) => {
              if (size === latencySize) results.latency.push(...(await latencyRuns(loaded)));
            }
          : undefined,
      });
      // The peer gets exactly the payments the PostgreSQL server stored, on pouchdb-server's
      // default storage and in memory.
      const peers: PeerResult[] = [];
      for (const storage of PEER_STORAGES) peers.push(await benchPouchPeer(storage, paymentsByDesk(data, postgres.school).flat(), paymentsByDesk(warmup, postgres.school).flat(), log));
      rounds.push({ postgres: postgres.result, pglite: pglite.result, peers });
    }
    results.server.push(combineServerRounds(rounds.map((r) => r.postgres)), combineServerRounds(rounds.map((r) => r.pglite)));
    for (const storage of PEER_STORAGES) results.peer.push(combinePeerRounds(rounds.flatMap((r) => r.peers.filter((peer) => peer.storage === storage))));
  }

  const rows = buildRows(results);
  const table = formatTable(rows);
  const finished = new Date();
  console.log(`\nFee Master sync benchmark, ${finished.toISOString()} (${((finished.getTime() - started.getTime()) / 1000).toFixed(0)} s)\n`);
  console.log(table);
  const met = rows.filter((r) => r.met === true).length;
  const judged = rows.filter((r) => r.met !== null).length;
  console.log(`\n${String(met)} of ${String(judged)} targets met. Machine: ${String(cpus().length)} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, Chromium ${browserVersion}; load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}.`);
  console.log(
    `PostgreSQL ${durability.version}: fsync ${durability.fsync}, synchronous_commit ${durability.synchronousCommit}, full_page_writes ${durability.fullPageWrites}${durability.fsync === 'off' ? ' (commits do not wait for the disk: faster than a real deployment)' : ''}.`,
  );

  const report = {
    benchmark: 'sync',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: (finished.getTime() - started.getTime()) / 1000,
    quick: args.quick,
    machine: { ...machine(), loadAverageAtStart: loadAtStart, chromium: browserVersion },
    settings: {
      sizes,
      desks,
      rounds: roundCount,
      warmupPayments: warmupCount,
      invoices: STUDENTS,
      pushBatchRows: MAX_PUSH_ROWS,
      pullLimit: MAX_PULL_LIMIT,
      latencySamples: samples,
      latencyLedgerSize: latencySize,
      browserMax,
      pglite: 'data directory in the system temp folder',
      postgres: durability,
      serverProcess: 'each sync server in its own Node process; desks, PouchDB client and browser driver in the benchmark process',
      peer: 'PouchDB (memory adapter) replicating to pouchdb-server in its own process: its default LevelDB storage in a scratch directory (the judged peer), and --in-memory (for comparison)',
    },
    targets: TARGETS,
    results,
    table: rows,
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Wrote ${args.out}`);
}

await main();
