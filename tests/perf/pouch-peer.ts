// The peer: the same payment documents replicated by PouchDB (memory adapter) to pouchdb-server
// (its own process), then replicated back into a fresh memory PouchDB. pouchdb-server runs in its
// default configuration, storing in LevelDB on disk as our server stores in PostgreSQL, and again
// with --in-memory (a mode that writes nothing), for comparison.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PouchDB, { type Database, type PouchDocument } from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import { MAX_PULL_LIMIT, MAX_PUSH_ROWS } from '@feemaster/core';
import type { PeerStorage, RoundRates } from './report.ts';
import { batches } from './sync-client.ts';

PouchDB.plugin(memoryAdapter);

const pouchServerBin = fileURLToPath(new URL('../../node_modules/pouchdb-server/bin/pouchdb-server', import.meta.url));

export interface PeerResult {
  storage: PeerStorage;
  docs: number;
  pushSeconds: number;
  pushDocsPerSecond: number;
  pullSeconds: number;
  pullDocsPerSecond: number;
  batchSizes: { push: number; pull: number };
  /** Docs/s of every round, in the order they ran (the rates above are their medians). */
  rounds: RoundRates[];
}

/** A port nobody listens on now (pouchdb-server treats --port 0 as "the default, 5984"). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port was found'))));
    });
  });
}

interface PouchServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * pouchdb-server in a scratch directory (it writes config.json, log.txt and, on disk, its LevelDB
 * databases where it runs), removed when it stops.
 */
async function startPouchServer(storage: PeerStorage): Promise<PouchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'feemaster-bench-pouchdb-server-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [pouchServerBin, ...(storage === 'memory' ? ['--in-memory'] : []), '--port', String(port), '--no-stdout-logs'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  // Not left running if the benchmark ends early.
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${String(port)}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pouchdb-server exited with code ${String(child.exitCode)}: ${stderr}`);
    try {
      const res = await fetch(`${url}/`);
      if (res.ok) break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`pouchdb-server did not answer on ${url} within 30 s. ${stderr}`, { cause: error });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Loads `docs` into a local database. */
async function load(local: Database, docs: readonly Record<string, unknown>[]): Promise<void> {
  const pouchDocs: PouchDocument[] = docs.map((doc) => ({ ...doc, _id: String(doc.id) }));
  for (const batch of batches(pouchDocs, 5_000)) {
    const results = await local.bulkDocs(batch);
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`loading the local PouchDB failed: ${String(failed.reason ?? failed.error)}`);
  }
}

/**
 * Replicates `docs` local → pouchdb-server and back into a fresh local database, timing each way;
 * `warmup` goes the same way first, untimed, through databases of its own on the same server.
 */
export async function benchPouchPeer(
  storage: PeerStorage,
  docs: readonly Record<string, unknown>[],
  warmup: readonly Record<string, unknown>[],
  log: (line: string) => void,
): Promise<PeerResult> {
  const server = await startPouchServer(storage);
  const name = `pouchdb (${storage === 'disk' ? 'LevelDB on disk' : 'in memory'})`;
  const tag = String(Date.now());
  if (warmup.length > 0) {
    const warmLocal = new PouchDB(`feemaster-bench-warm-local-${tag}`, { adapter: 'memory' });
    const warmFresh = new PouchDB(`feemaster-bench-warm-fresh-${tag}`, { adapter: 'memory' });
    const warmRemote = new PouchDB(`${server.url}/warmup-${tag}`);
    try {
      await load(warmLocal, warmup);
      await PouchDB.replicate(warmLocal, warmRemote, { batch_size: MAX_PUSH_ROWS });
      await PouchDB.replicate(warmRemote, warmFresh, { batch_size: MAX_PULL_LIMIT });
      log(`  ${name}: warm-up: ${warmup.length.toLocaleString('en-US')} payments pushed and pulled (not timed)`);
    } finally {
      await Promise.all([warmLocal.destroy(), warmFresh.destroy(), warmRemote.destroy()]);
    }
  }
  const local = new PouchDB(`feemaster-bench-local-${tag}`, { adapter: 'memory' });
  const fresh = new PouchDB(`feemaster-bench-fresh-${tag}`, { adapter: 'memory' });
  const remote = new PouchDB(`${server.url}/ledger-${tag}`);
  try {
    await load(local, docs);
    // The same batch sizes as the desks use with the sync server.
    const batchSizes = { push: MAX_PUSH_ROWS, pull: MAX_PULL_LIMIT };
    let t0 = performance.now();
    const pushed = await PouchDB.replicate(local, remote, { batch_size: batchSizes.push });
    const pushSeconds = (performance.now() - t0) / 1000;
    if (pushed.docs_written !== docs.length) throw new Error(`PouchDB pushed ${String(pushed.docs_written)} of ${String(docs.length)} documents`);
    log(`  ${name}: push ${Math.round(docs.length / pushSeconds).toLocaleString('en-US')} docs/s (${pushSeconds.toFixed(1)} s)`);
    t0 = performance.now();
    const pulled = await PouchDB.replicate(remote, fresh, { batch_size: batchSizes.pull });
    const pullSeconds = (performance.now() - t0) / 1000;
    if (pulled.docs_written !== docs.length) throw new Error(`PouchDB pulled ${String(pulled.docs_written)} of ${String(docs.length)} documents`);
    log(`  ${name}: pull ${Math.round(docs.length / pullSeconds).toLocaleString('en-US')} docs/s (${pullSeconds.toFixed(1)} s)`);
    const pushDocsPerSecond = docs.length / pushSeconds;
    const pullDocsPerSecond = docs.length / pullSeconds;
    return { storage, docs: docs.length, pushSeconds, pushDocsPerSecond, pullSeconds, pullDocsPerSecond, batchSizes, rounds: [{ push: pushDocsPerSecond, pull: pullDocsPerSecond }] };
  } finally {
    await Promise.all([local.destroy(), fresh.destroy(), remote.close()]);
    await server.stop();
  }
}
