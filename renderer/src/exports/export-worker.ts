// The export's heavy part, off the screen's thread: the replica's documents read, the rows built
// from them and written as CSV, XLSX or JSON, each part of the file sent back as soon as it is
// written with the rows done so far (a payment export's file is written while the replica is
// read, and sent once whole). Cancelling is ending this worker.
import { ExportError, type ExportFormat, type ExportProgress, type PaymentExportFilters } from '@feemaster/core';
import { browserSheetDeflate } from './browser-deflate.ts';
import { buildExport } from './export-build.ts';
import type { ExportWorkerReply, ExportWorkerRequest } from './export-messages.ts';
import { writePaymentsWhileReading, ReplicaReadError, type PaymentsWhileReading, type PaymentsWritten } from './payments-while-reading.ts';
import { readExportSource, type ExportQueries, type ReplicaRead } from './read-replica.ts';

const reply = (message: ExportWorkerReply, transfer: Transferable[] = []): void => {
  self.postMessage(message, { transfer });
};

/** The chunk's bytes as a buffer of their own, which can be transferred without copying the rest. */
function ownBuffer(chunk: Uint8Array): ArrayBuffer {
  if (chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength) return chunk.buffer;
  return chunk.slice().buffer;
}

/** Sends the next part of the file to the screen (transferred, not copied); its length in bytes. */
function sendChunk(chunk: Uint8Array): number {
  const buffer = ownBuffer(chunk);
  reply({ type: 'chunk', bytes: buffer }, [buffer]);
  return chunk.byteLength;
}

/** The staff names, which the screen's thread sends while this worker reads the replica. */
let giveStaffNames: (names: ReadonlyMap<string, string>) => void = () => undefined;
const staffNames = new Promise<ReadonlyMap<string, string>>((resolve) => {
  giveStaffNames = resolve;
});

self.onmessage = (event: MessageEvent<ExportWorkerRequest>) => {
  const request = event.data;
  if (request.type === 'staff') giveStaffNames(request.names);
  else void exportFile(request);
};

async function exportFile({ selection, format, queries, currency, timeZone }: Extract<ExportWorkerRequest, { type: 'export' }>): Promise<void> {
  if (selection.kind === 'payments') {
    await exportPayments(selection.filters, format, queries, { currency, timeZone, sheetDeflate: browserSheetDeflate });
    return;
  }
  let read: ReplicaRead;
  try {
    read = await readExportSource(queries);
  } catch (error) {
    reply({ type: 'failed', message: readFailedMessage(error) });
    return;
  }
  reply({ type: 'read', ...read.timings });
  try {
    const source = { ...read.source, staffNames: await staffNames };
    const started = performance.now();
    const built = buildExport(selection, source, timeZone);
    const writing = performance.now();
    reply({ type: 'rows', total: built.rows, buildMs: writing - started });
    let bytes = 0;
    const onProgress = (progress: ExportProgress): void => reply({ type: 'progress', rowsDone: progress.rowsDone, total: built.rows, bytes: progress.bytes });
    for await (const chunk of built.write(format, { currency, timeZone, onProgress, sheetDeflate: browserSheetDeflate })) bytes += sendChunk(chunk);
    reply({ type: 'done', rows: built.rows, bytes, writeMs: performance.now() - writing });
  } catch (error) {
    reply({ type: 'failed', message: failureMessage(error) });
  }
}

/** Payments: the file is written while they are read; its parts go to the screen once it is whole. */
async function exportPayments(filters: PaymentExportFilters, format: ExportFormat, queries: ExportQueries, options: PaymentsWhileReading['options']): Promise<void> {
  let written: PaymentsWritten;
  try {
    written = await writePaymentsWhileReading({ queries, filters, format, options, staffNames, onProgress: (progress) => reply({ type: 'reading', ...progress }) });
  } catch (error) {
    reply({ type: 'failed', message: error instanceof ReplicaReadError ? readFailedMessage(error) : failureMessage(error) });
    return;
  }
  reply({ type: 'read', queryMs: written.timings.readMs, plainMs: 0 });
  // The rows were made during the read.
  reply({ type: 'rows', total: written.rows, buildMs: 0 });
  if (written.rows === 0) return;
  let bytes = 0;
  for (const chunk of written.chunks) bytes += sendChunk(chunk);
  reply({ type: 'progress', rowsDone: written.rows, total: written.rows, bytes });
  reply({ type: 'done', rows: written.rows, bytes, writeMs: written.timings.finishMs, writtenAgain: written.writtenAgain });
}

function readFailedMessage(error: unknown): string {
  return `This desk's records could not be read (${error instanceof Error ? error.message : String(error)}). Reload the desk and export again.`;
}

function failureMessage(error: unknown): string {
  if (error instanceof ExportError && error.code === 'bad-option') return `${error.message}.`;
  if (error instanceof ExportError && error.code === 'bad-value') return `A record could not be written: ${error.message}. Tell your administrator; the other kinds of export still work.`;
  return `The export failed: ${error instanceof Error ? error.message : String(error)}. Try again; if it fails again, tell your administrator.`;
}
