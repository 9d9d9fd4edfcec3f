// The export's heavy part, off the screen's thread: the replica's documents read, the rows built
// from them and written as CSV, XLSX or JSON, each part of the file sent back as soon as it is
// written with the rows done so far. Cancelling is ending this worker.
import { ExportError, type ExportProgress } from '@feemaster/core';
import { browserSheetDeflate } from './browser-deflate.ts';
import { buildExport } from './export-build.ts';
import type { ExportWorkerReply, ExportWorkerRequest } from './export-messages.ts';
import { readExportSource, type ReplicaRead } from './read-replica.ts';

const reply = (message: ExportWorkerReply, transfer: Transferable[] = []): void => {
  self.postMessage(message, { transfer });
};

/** The chunk's bytes as a buffer of their own, which can be transferred without copying the rest. */
function ownBuffer(chunk: Uint8Array): ArrayBuffer {
  if (chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength) return chunk.buffer;
  return chunk.slice().buffer;
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
  let read: ReplicaRead;
  try {
    read = await readExportSource(queries);
  } catch (error) {
    reply({ type: 'failed', message: `This desk's records could not be read (${error instanceof Error ? error.message : String(error)}). Reload the desk and export again.` });
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
    for await (const chunk of built.write(format, { currency, timeZone, onProgress, sheetDeflate: browserSheetDeflate })) {
      bytes += chunk.byteLength;
      const buffer = ownBuffer(chunk);
      reply({ type: 'chunk', bytes: buffer }, [buffer]);
    }
    reply({ type: 'done', rows: built.rows, bytes, writeMs: performance.now() - writing });
  } catch (error) {
    reply({ type: 'failed', message: failureMessage(error) });
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof ExportError && error.code === 'bad-option') return `${error.message}.`;
  if (error instanceof ExportError && error.code === 'bad-value') return `A record could not be written: ${error.message}. Tell your administrator; the other kinds of export still work.`;
  return `The export failed: ${error instanceof Error ? error.message : String(error)}. Try again; if it fails again, tell your administrator.`;
}
