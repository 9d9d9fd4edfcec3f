// The import's heavy part, off the screen's thread: read the spreadsheet and plan the import
// against what the school has. The screen stays responsive, and cancelling is ending this worker.
import { ImportFileError, newId, planBalanceImport, planFeeImport, planStudentImport, readTable } from '@feemaster/core';
import type { ImportWorkerReply, ImportWorkerRequest } from './import-messages.ts';

const reply = (message: ImportWorkerReply): void => {
  self.postMessage(message);
};

self.onmessage = async (event: MessageEvent<ImportWorkerRequest>) => {
  const request = event.data;
  try {
    reply({ type: 'progress', stage: 'reading' });
    const started = performance.now();
    const table = await readTable(new Uint8Array(request.bytes), request.fileName, request.sheet ? { sheet: request.sheet } : undefined);
    const read = performance.now();
    reply({ type: 'progress', stage: 'checking', rows: table.rows.length });
    const stamp = { now: new Date().toISOString(), newId };
    const planned =
      request.kind === 'students'
        ? ({ kind: 'students', plan: planStudentImport(table, { ...request.context, ...stamp }, request.mapping) } as const)
        : request.kind === 'fees'
          ? ({ kind: 'fees', plan: planFeeImport(table, { ...request.context, ...stamp }, request.mapping) } as const)
          : ({ kind: 'balances', plan: planBalanceImport(table, { ...request.context, now: stamp.now }, request.mapping) } as const);
    reply({ type: 'plan', timings: { readMs: read - started, planMs: performance.now() - read }, ...planned });
  } catch (error) {
    if (error instanceof ImportFileError) reply({ type: 'file-error', message: error.message, fix: error.fix });
    else reply({ type: 'file-error', message: `The file could not be read: ${error instanceof Error ? error.message : String(error)}`, fix: 'Save it again from Excel as .xlsx or CSV and choose it again; if that fails, tell your administrator.' });
  }
};
