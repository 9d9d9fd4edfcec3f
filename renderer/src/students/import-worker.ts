// The import's heavy part, off the screen's thread: read the spreadsheet and plan the import
// against what the school has. The screen stays responsive, and cancelling is ending this worker.
import { ImportFileError, newId, planBalanceImport, planFeeImport, planStudentImport, readTable, type Payer, type Student } from '@feemaster/core';
import { readReplica } from '../db/replica-read.ts';
import type { ImportTask, ImportWorkerReply, ImportWorkerRequest } from './import-messages.ts';

const reply = (message: ImportWorkerReply): void => {
  self.postMessage(message);
};

/** The replica could not be read: the desk's fault, not the file's. */
class ReplicaReadError extends Error {}

/** The school's students and payers as the screen's RxDB would return them (stored documents, which core's schemas checked on the way in). */
async function schoolOf(replica: Extract<ImportTask, { kind: 'students' }>['replica']): Promise<{ students: Student[]; payers: Payer[] }> {
  try {
    const [students, payers] = await Promise.all([readReplica(replica.students), readReplica(replica.payers)]);
    return { students: students as unknown as Student[], payers: payers as unknown as Payer[] };
  } catch (error) {
    throw new ReplicaReadError(error instanceof Error ? error.message : String(error));
  }
}

self.onmessage = async (event: MessageEvent<ImportWorkerRequest>) => {
  const request = event.data;
  try {
    reply({ type: 'progress', stage: 'reading' });
    const started = performance.now();
    // Asked for first, so IndexedDB can be finding the documents while the file is read.
    let schoolRead = started;
    const school = request.kind === 'students' ? schoolOf(request.replica).finally(() => (schoolRead = performance.now())) : Promise.resolve(null);
    let fileRead = started;
    const file = readTable(new Uint8Array(request.bytes), request.fileName, request.sheet ? { sheet: request.sheet } : undefined).finally(() => (fileRead = performance.now()));
    const [table, known] = await Promise.all([file, school]);
    const read = performance.now();
    reply({ type: 'progress', stage: 'checking', rows: table.rows.length });
    const stamp = { now: new Date().toISOString(), newId };
    const planned =
      request.kind === 'students'
        ? ({ kind: 'students', plan: planStudentImport(table, { ...request.context, students: known?.students ?? [], payers: known?.payers ?? [], ...stamp }, request.mapping) } as const)
        : request.kind === 'fees'
          ? ({ kind: 'fees', plan: planFeeImport(table, { ...request.context, ...stamp }, request.mapping) } as const)
          : ({ kind: 'balances', plan: planBalanceImport(table, { ...request.context, now: stamp.now }, request.mapping) } as const);
    reply({ type: 'plan', timings: { readMs: read - started, fileMs: fileRead - started, schoolMs: schoolRead - started, planMs: performance.now() - read }, ...planned });
  } catch (error) {
    if (error instanceof ImportFileError) reply({ type: 'file-error', message: error.message, fix: error.fix, ...(error.unmapped ? { unmapped: error.unmapped } : {}) });
    else if (error instanceof ReplicaReadError) reply({ type: 'file-error', message: `This desk's records could not be read (${error.message}).`, fix: 'Reload the desk and choose the file again; if that fails, tell your administrator.' });
    else reply({ type: 'file-error', message: `The file could not be read: ${error instanceof Error ? error.message : String(error)}`, fix: 'Save it again from Excel as .xlsx or CSV and choose it again; if that fails, tell your administrator.' });
  }
};
