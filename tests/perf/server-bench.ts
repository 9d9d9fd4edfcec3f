// Server push and pull throughput on one backend for one data set: the bursar issues the term's
// invoices (not timed), the desks push their payments side by side, then a desk that already
// holds the invoices pulls the payments. `whileRunning` gets the loaded server for further work.
import { MAX_PUSH_ROWS } from '@feemaster/core';
import { invoicesFor, paymentsByDesk, type BenchDataSet, type SchoolIdentity } from './bench-data.ts';
import type { DatabaseTarget } from '../../sync-server/src/db/client.ts';
import type { BackendKind, ServerInfo } from './bench-server.ts';
import type { RoundRates } from './report.ts';
import { startServerProcess } from './server-process.ts';
import { batches, feedEnd, pushNew, timedPull, timedPush, type Timing } from './sync-client.ts';

export interface ServerResult {
  backend: BackendKind;
  payments: number;
  desks: number;
  invoices: number;
  /** The median round's timings (each way its own median round, see combineServerRounds). */
  push: Timing;
  pull: Timing;
  /** Docs/s of every round, in the order they ran. */
  rounds: RoundRates[];
}

export interface LoadedServer {
  backend: BackendKind;
  running: ServerInfo;
  /** The server's database, for a second instance on it. */
  target: DatabaseTarget;
  data: BenchDataSet;
  /** Every ledger document on the server (invoices and payments), what a fresh desk pulls. */
  ledgerDocs: number;
}

export async function benchServer<T>(
  kind: BackendKind,
  data: BenchDataSet,
  /** Payments pushed and pulled first, untimed (the same desks, receipt series running on into `data`). */
  warmup: BenchDataSet,
  options: { adminUrl: string; webRoot: string | null; log: (line: string) => void; whileRunning?: (loaded: LoadedServer) => Promise<T> },
): Promise<{ result: ServerResult; school: SchoolIdentity; extra: T | undefined }> {
  const starting = performance.now();
  const server = await startServerProcess(kind, data.desks, options.adminUrl, options.webRoot);
  try {
    const running = server.info;
    options.log(`  ${kind}: server ready at ${running.baseUrl} (${seconds(starting)} s: database, migrations, school, ${String(data.desks)} desks signed in)`);
    const [firstDesk] = running.desks;
    if (!firstDesk) throw new Error('the benchmark needs at least one desk');
    const invoices = invoicesFor(data, running.school);
    for (const batch of batches(invoices, MAX_PUSH_ROWS)) await pushNew(running.baseUrl, running.ownerToken, batch);
    options.log(`  ${kind}: the bursar issued ${fmt(invoices.length)} term invoices (set-up, not timed)`);
    if (warmup.payments > 0) {
      const warmupDesks = paymentsByDesk(warmup, running.school);
      await timedPush(
        running.baseUrl,
        running.desks.map((desk, index) => ({ token: desk.token, docs: warmupDesks[index] ?? [] })),
      );
    }
    // Where the desk that pulls stands: it has everything before the timed payments (pulled now).
    const afterInvoices = await feedEnd(running.baseUrl, firstDesk.token);
    if (warmup.payments > 0) options.log(`  ${kind}: warm-up: ${fmt(warmup.payments)} payments pushed and pulled (not timed)`);

    const perDesk = paymentsByDesk(data, running.school);
    let shown = 0;
    const push = await timedPush(
      running.baseUrl,
      running.desks.map((desk, index) => ({ token: desk.token, docs: perDesk[index] ?? [] })),
      (done) => {
        if (done - shown < 20_000) return;
        shown = done;
        options.log(`  ${kind}: pushed ${fmt(done)} of ${fmt(data.payments)}`);
      },
    );
    options.log(`  ${kind}: push ${fmt(push.docsPerSecond)} docs/s (${push.seconds.toFixed(1)} s)`);
    const pull = await timedPull(running.baseUrl, firstDesk.token, afterInvoices.checkpoint, data.payments);
    options.log(`  ${kind}: pull ${fmt(pull.docsPerSecond)} docs/s (${pull.seconds.toFixed(1)} s)`);
    const result: ServerResult = {
      backend: kind,
      payments: data.payments,
      desks: data.desks,
      invoices: invoices.length,
      push,
      pull: withoutCheckpoint(pull),
      rounds: [{ push: push.docsPerSecond, pull: pull.docsPerSecond }],
    };
    const loaded: LoadedServer = { backend: kind, running, target: server.target, data, ledgerDocs: afterInvoices.docs + data.payments };
    const extra = options.whileRunning ? await options.whileRunning(loaded) : undefined;
    return { result, school: running.school, extra };
  } finally {
    const closing = performance.now();
    await server.close();
    options.log(`  ${kind}: server closed and its database removed (${seconds(closing)} s)`);
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function withoutCheckpoint(pull: Timing & { checkpoint: unknown }): Timing {
  const { checkpoint: _checkpoint, ...rest } = pull;
  return rest;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
