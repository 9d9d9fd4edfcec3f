// The export's heavy part, off the screen's thread: the rows built from the replica's documents
// and written as CSV, XLSX or JSON, each part of the file sent back as soon as it is written with
// the rows done so far. Cancelling is ending this worker.
import { ExportError, type ExportProgress } from '@feemaster/core';
import { buildExport } from './export-build.ts';
import type { ExportWorkerReply, ExportWorkerRequest } from './export-messages.ts';

const reply = (message: ExportWorkerReply, transfer: Transferable[] = []): void => {
  self.postMessage(message, { transfer });
};

/** The chunk's bytes as a buffer of their own, which can be transferred without copying the rest. */
function ownBuffer(chunk: Uint8Array): ArrayBuffer {
  if (chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength) return chunk.buffer;
  return chunk.slice().buffer;
}

self.onmessage = async (event: MessageEvent<ExportWorkerRequest>) => {
  const { selection, format, source, currency, timeZone } = event.data;
  try {
    const started = performance.now();
    const built = buildExport(selection, source, timeZone);
    const writing = performance.now();
    reply({ type: 'rows', total: built.rows, buildMs: writing - started });
    let bytes = 0;
    const onProgress = (progress: ExportProgress): void => reply({ type: 'progress', rowsDone: progress.rowsDone, total: built.rows, bytes: progress.bytes });
    for await (const chunk of built.write(format, { currency, timeZone, onProgress })) {
      bytes += chunk.byteLength;
      const buffer = ownBuffer(chunk);
      reply({ type: 'chunk', bytes: buffer }, [buffer]);
    }
    reply({ type: 'done', rows: built.rows, bytes, writeMs: performance.now() - writing });
  } catch (error) {
    reply({ type: 'failed', message: failureMessage(error) });
  }
};

function failureMessage(error: unknown): string {
  if (error instanceof ExportError && error.code === 'bad-option') return `${error.message}.`;
  if (error instanceof ExportError && error.code === 'bad-value') return `A record could not be written: ${error.message}. Tell your administrator; the other kinds of export still work.`;
  return `The export failed: ${error instanceof Error ? error.message : String(error)}. Try again; if it fails again, tell your administrator.`;
}
