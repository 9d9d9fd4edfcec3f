// A payment export written while its payments are still being read: the export worker waits on
// IndexedDB for most of a big export's read, so the rows and the file are made in that time
// instead of after it. The ledger is read in the order of its keys (nearly its own order: createdAt,
// then id, the rows' order), each payment made into its row as it comes and the row written as soon
// as no payment read later can come before it. The file is the one
// buildExport would write from the same documents; payments-while-reading.test.ts holds it to that.
import {
  ExportError,
  exportRows,
  exportSheetNames,
  idMillis,
  paymentExportColumns,
  paymentLedgerOrder,
  paymentRowMaker,
  type ExportFormat,
  type ExportOptions,
  type PaymentDoc,
  type PaymentExportFilters,
  type PaymentExportRow,
} from '@feemaster/core';
import type { DexieSettings } from 'rxdb';
import { deskDexieSettings, eachLiveStoredByKey } from '../db/replica-read.ts';
import { readExportSource, type ExportQueries } from './read-replica.ts';

export interface PaymentsWhileReading {
  /** The queries of a payment export (exportQueries): `wholeLedger` set, `ledger` the reversals. */
  queries: ExportQueries;
  filters: PaymentExportFilters;
  format: ExportFormat;
  options: Omit<ExportOptions, 'sheetName' | 'total'>;
  /** The cashiers' names, which come from the screen's thread while the replica is read. */
  staffNames: Promise<ReadonlyMap<string, string>>;
  /** How far the read has come, every `progressEvery` ledger entries (PROGRESS_EVERY) and at the end. */
  onProgress?: (progress: ReadProgress) => void;
  progressEvery?: number;
}

/**
 * How far a payment export's read of the ledger has come. The ledger is read in nearly time order
 * (its keys'), so the share of its time span read so far stands for the share of the read done
 * (counting the entries first would cost IndexedDB a walk through all of them).
 */
export interface ReadProgress {
  /** Ledger entries read (payments and every other kind). */
  entries: number;
  /** The latest time an entry read so far was made (the ledger's time), or null before the first. */
  upTo: string | null;
  /** The share of the ledger's time span read, 0 to 1 (1 once the read is done). */
  share: number;
}

/** Ledger entries read between two progress reports. */
export const PROGRESS_EVERY = 2_000;

export interface PaymentsWritten {
  rows: number;
  /** The file's parts, in order. */
  chunks: Uint8Array[];
  /** The ledger did not come in the rows' order, so the file was written again once it was read. */
  writtenAgain: boolean;
  /** Milliseconds: the whole read (rows and file made alongside), then finishing the file. */
  timings: { readMs: number; finishMs: number };
}

/** The replica could not be read (IndexedDB failed, or the desk's database is gone). */
export class ReplicaReadError extends Error {
  override readonly name = 'ReplicaReadError';
}

const readFailed = (error: unknown): ReplicaReadError => new ReplicaReadError(error instanceof Error ? error.message : String(error), { cause: error });

/** Stops the writing when the ledger turns out not to come in the rows' order (see below). */
class OutOfOrder extends Error {
  override readonly name = 'OutOfOrder';
}

/**
 * Reads the payments and writes their file at once. Throws core's ExportError for filters that
 * cannot be used or a value that cannot be written, and the read's error if IndexedDB fails.
 */
export async function writePaymentsWhileReading(request: PaymentsWhileReading, settings: DexieSettings = deskDexieSettings): Promise<PaymentsWritten> {
  const started = performance.now();
  const wholeLedger = request.queries.wholeLedger;
  if (wholeLedger === null) throw new Error('a payment export reads the whole ledger (exportQueries gives the query)');
  // The ledger's read starts at once, beside the smaller reads the rows need first (people,
  // names, the reversals that decide each payment's status); payments read before those are done
  // wait here.
  const waiting: PaymentDoc[] = [];
  let take = (payment: PaymentDoc): void => {
    waiting.push(payment);
  };
  const every = request.progressEvery ?? PROGRESS_EVERY;
  let entries = 0;
  let upTo: string | null = null;
  let upToMs = Number.NEGATIVE_INFINITY;
  let span: { from: number; to: number } | null = null;
  const shareOf = (ms: number): number => {
    if (span === null || !(span.to > span.from)) return 0;
    return Math.min(1, Math.max(0, (ms - span.from) / (span.to - span.from)));
  };
  const ledgerRead = eachLiveStoredByKey(
    wholeLedger,
    (stored) => {
      // Stored by RxDB, whose schemas (core's) checked it on the way in; the desk's lookup keys and
      // RxDB's own fields stay on, since a row reads only the payment's fields.
      if (stored.type === 'payment') take(stored as unknown as PaymentDoc);
      entries += 1;
      // Key order is nearly time order: the latest instant read so far stands for how far it came.
      const ms = Date.parse(stored.createdAt as string);
      if (ms > upToMs) [upTo, upToMs] = [stored.createdAt as string, ms];
      if (entries % every === 0) request.onProgress?.({ entries, upTo, share: shareOf(upToMs) });
    },
    settings,
    (first, last) => {
      span = { from: Date.parse(first.createdAt as string), to: Date.parse(last.createdAt as string) };
    },
  );
  // If a smaller read fails first, the ledger's read is not waited for: its failure is not news.
  ledgerRead.catch(() => undefined);

  const { source } = await readExportSource(request.queries, settings).catch((error: unknown) => {
    throw readFailed(error);
  });
  const { timeZone } = request.options;
  const rowOf = paymentRowMaker({ ...source, staffNames: await request.staffNames }, source.ledger, request.filters, timeZone === undefined ? {} : { timeZone });

  const rows = rowQueue();
  const chunks: Uint8Array[] = [];
  const writing = (async () => {
    for await (const chunk of exportRows(request.format, paymentExportColumns, rows, { ...request.options, sheetName: exportSheetNames.payments })) chunks.push(chunk);
  })();
  writing.catch(() => undefined);
  // Every row is kept with its payment's place in the ledger, in case the file must be written again.
  const made: MadeRow[] = [];
  // The ledger comes in the order of its keys: UUIDv7s, which begin with the time their desk made
  // them, on the clock that wrote their createdAt. So a payment's row waits here only until the
  // payments read after it (keys no earlier) can no longer come before it: once a key is read
  // whose time is KEY_CLOCK_SLACK_MS past the row's instant. A payment that still comes before a
  // row already written (an id made far from its createdAt, or not a UUIDv7): the file so far is
  // dropped, and written again once every row is here and sorted.
  const held: MadeRow[] = [];
  let lastWritten: MadeRow | null = null;
  let inOrder = true;
  const writeHeld = (upToMs: number): void => {
    let count = 0;
    for (const row of held) {
      if (!(row.ms < upToMs)) break;
      rows.push(row.row);
      lastWritten = row;
      count += 1;
    }
    if (count > 0) held.splice(0, count);
  };
  take = (payment) => {
    const row = rowOf(payment);
    if (row === null) return;
    const entry: MadeRow = { createdAt: payment.createdAt, id: payment.id, ms: Date.parse(payment.createdAt), row };
    made.push(entry);
    if (!inOrder) return;
    if (lastWritten !== null && paymentLedgerOrder(lastWritten, entry) > 0) {
      inOrder = false;
      held.length = 0;
      rows.fail(new OutOfOrder('the ledger did not come in its order'));
      return;
    }
    let at = held.length;
    while (at > 0 && paymentLedgerOrder(held[at - 1] as MadeRow, entry) > 0) at -= 1;
    held.splice(at, 0, entry);
    const keyMs = idMillis(payment.id);
    if (keyMs !== null) writeHeld(keyMs - KEY_CLOCK_SLACK_MS);
  };
  try {
    for (const payment of waiting.splice(0)) take(payment);
    await ledgerRead;
  } catch (error) {
    rows.fail(error instanceof Error ? error : new Error(String(error)));
    // A row that could not be made (a filter naming nothing is checked before) is the export's
    // fault, not the read's.
    if (error instanceof ExportError) throw error;
    throw readFailed(error);
  }
  request.onProgress?.({ entries, upTo, share: 1 });
  const read = performance.now();
  if (inOrder) writeHeld(Number.POSITIVE_INFINITY);
  rows.end();
  try {
    await writing;
  } catch (error) {
    if (!(error instanceof OutOfOrder)) throw error;
  }
  if (!inOrder) {
    chunks.length = 0;
    const sorted = made.sort(paymentLedgerOrder).map(({ row }) => row);
    for await (const chunk of exportRows(request.format, paymentExportColumns, sorted, { ...request.options, sheetName: exportSheetNames.payments })) chunks.push(chunk);
  }
  return { rows: made.length, chunks, writtenAgain: !inOrder, timings: { readMs: read - started, finishMs: performance.now() - read } };
}

/** A payment's row with its place in the ledger (createdAt, then id; `ms` the instant's time). */
interface MadeRow {
  createdAt: string;
  id: string;
  ms: number;
  row: PaymentExportRow;
}

/**
 * How far apart a UUIDv7's time and its document's createdAt may be for the rows to be written as
 * the ledger is read: both come from one desk's clock a moment apart, so a minute is ample.
 */
export const KEY_CLOCK_SLACK_MS = 60_000;

/** Rows handed from the read to the writer: pushed as they are made, taken as the writer can. */
interface RowQueue extends AsyncIterable<PaymentExportRow> {
  push(row: PaymentExportRow): void;
  /** No more rows: the writer finishes the file. */
  end(): void;
  /** The writer stops with this error. */
  fail(error: Error): void;
}

function rowQueue(): RowQueue {
  let rows: PaymentExportRow[] = [];
  let at = 0;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const woken = (): void => {
    wake?.();
    wake = null;
  };
  // A plain iterator rather than an async generator: one settled promise per row, no more.
  const next = (): Promise<IteratorResult<PaymentExportRow, undefined>> => {
    if (failure) return Promise.reject(failure);
    const row = rows[at];
    if (row !== undefined) {
      at += 1;
      // Taken rows are let go of (the writer holds its own batch).
      if (at === rows.length) {
        rows = [];
        at = 0;
      }
      return Promise.resolve({ value: row, done: false });
    }
    if (ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise<void>((resolve) => (wake = resolve)).then(next);
  };
  return {
    push(row) {
      rows.push(row);
      woken();
    },
    end() {
      ended = true;
      woken();
    },
    fail(error) {
      failure ??= error;
      woken();
    },
    [Symbol.asyncIterator]: () => ({ next }),
  };
}
