// Writes a checked import plan (or a bulk change) into the desk's replica: new documents inserted,
// changed ones replaced, in bulk, marked as waiting to sync. It works offline; replication
// uploads it later. The replica has no transaction across writes, so a write that fails or is
// cancelled part-way is undone (inserted documents removed, changed ones put back), and the desk's
// uploads are held until it has finished or been undone: all or nothing, on the desk and the server.
import type { BalanceImportPlan, FeeImportPlan, FeeStructure, Payer, Student, StudentImportPlan } from '@feemaster/core';
import { insertChecked } from '../db/checked-insert.ts';
import { withLedgerKeys } from '../db/ledger-keys.ts';
import type { RxCollection } from 'rxdb';
import type { FeeMasterDatabase } from '../db/database.ts';
import type { PendingChanges } from '../sync/pending-changes.ts';
import type { UploadHold } from '../sync/upload-hold.ts';

export interface ImportTarget {
  db: FeeMasterDatabase;
  pending: Readonly<Record<'students' | 'payers' | 'feeStructures' | 'ledger', PendingChanges>>;
  /** The desk's uploads, held while the write runs (none where nothing replicates, as in tests). */
  uploadHold?: UploadHold;
}

export class ImportWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportWriteError';
  }
}

/** The person cancelled the write; what had been written was taken back. */
export class ImportCancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportCancelledError';
  }
}

type Progress = (done: number, total: number) => void;

export interface WriteControl {
  onProgress?: Progress;
  /** Aborting stops the write after the batch being written, and undoes it all. */
  signal?: AbortSignal;
  /** Documents per bulk write (CHUNK unless given: tests use small batches to cancel between them). */
  batchSize?: number;
}

/** Rows per bulk write: each write re-runs the open lists' queries, so fewer, larger writes are quicker (2,000 took 11 s for 15,000 documents here, one write per collection 7-8 s); 5,000 still moves the progress bar and lets a cancel stop soon. */
const CHUNK = 5_000;

export async function applyStudentImport(target: ImportTarget, plan: StudentImportPlan, control: WriteControl = {}): Promise<void> {
  refuseWithErrors(plan.errors.length);
  await allOrNothing('import', target, [
    { collection: target.db.students, pending: target.pending.students, created: plan.students.create, updated: plan.students.update },
    { collection: target.db.payers, pending: target.pending.payers, created: plan.payers.create, updated: plan.payers.update },
  ], control);
}

export async function applyFeeImport(target: ImportTarget, plan: FeeImportPlan, control: WriteControl = {}): Promise<void> {
  refuseWithErrors(plan.errors.length);
  await allOrNothing('import', target, [{ collection: target.db.feeStructures, pending: target.pending.feeStructures, created: plan.structures.create, updated: plan.structures.update }], control);
}

/**
 * Opening balances go into the ledger, which is append-only: nothing there is taken back, so they
 * are written in one storage write, and a cancel is only possible before it starts. A write that
 * still fails part-way (a document the replica refuses) says how far it got; importing the file
 * again adds the rest (the balances brought forward already are found by their ids and skipped).
 */
export async function applyBalanceImport(target: ImportTarget, plan: BalanceImportPlan, { onProgress, signal }: WriteControl = {}): Promise<void> {
  refuseWithErrors(plan.errors.length);
  if (signal?.aborted) throw cancelled('import');
  const total = plan.invoices.length;
  const marks = plan.invoices.map((inv) => ({ id: inv.id, updatedAt: inv.createdAt }));
  void target.pending.ledger.markMany(marks).catch((error: unknown) => console.warn('Saved, but not counted as waiting to sync:', error));
  onProgress?.(0, total);
  const result = await target.db.ledger.bulkInsert(plan.invoices.map((invoice) => withLedgerKeys(invoice)));
  const done = result.success.length;
  onProgress?.(done, total);
  if (result.error.length > 0) {
    // Not written, so not waiting to sync: their marks go (a settle clears a mark at or after its time).
    const failed = new Set(result.error.map((e) => e.documentId));
    await target.pending.ledger.settle(marks.filter((mark) => failed.has(mark.id)));
    throw new ImportWriteError(`${String(done)} of ${String(total)} balances were brought forward; the rest could not be written on this desk. Import the file again to add them (those done are skipped).`);
  }
}

/** Changed students of a bulk change (class, status…), all or nothing like an import. */
export async function applyStudentChanges(target: ImportTarget, changes: readonly { before: Student; after: Student }[]): Promise<void> {
  await allOrNothing('change', target, [{ collection: target.db.students, pending: target.pending.students, created: [], updated: changes }]);
}

function refuseWithErrors(errors: number): void {
  if (errors > 0) throw new ImportWriteError('The file still has problems; nothing was imported. Fix the rows listed and choose the file again.');
}

const cancelled = (what: 'import' | 'change'): ImportCancelledError => new ImportCancelledError(`The ${what} was cancelled: nothing of it was kept on this desk or sent to the server.`);

interface Writes<T> {
  collection: RxCollection<T>;
  pending: PendingChanges;
  created: readonly T[];
  updated: readonly { before: T; after: T }[];
}

type AnyWrites = Writes<Student> | Writes<Payer> | Writes<FeeStructure>;

/** A state written, as the upload and the count of waiting changes know it. */
type Written = { id: string; updatedAt: string; created?: boolean };

/** Takes back one write. */
type Undo = () => Promise<void>;

/** Signals a cancel between batches (the batch being written finishes first). */
class Stop extends Error {}

async function allOrNothing(what: 'import' | 'change', target: ImportTarget, writes: readonly AnyWrites[], { onProgress, signal, batchSize = CHUNK }: WriteControl = {}): Promise<void> {
  const total = writes.reduce((n, w) => n + w.created.length + w.updated.length, 0);
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    onProgress?.(done, total);
  };
  // The collections are written side by side (IndexedDB runs writes to different stores together);
  // one that fails stops the others at their next batch.
  let failed = false;
  const stopIfCancelled = (): void => {
    if (failed || signal?.aborted) throw new Stop();
  };
  // Nothing of the write is uploaded until it has all been written, or undone.
  const held = await target.uploadHold?.begin();
  const undo: Undo[] = [];
  const withdrawn: Written[] = [];
  const marked: { pending: PendingChanges; marks: Written[] }[] = [];
  try {
    const results = await Promise.allSettled(
      writes.map((w) =>
        writeAll(w as Writes<Student>, { undo, withdrawn, marked, progress, stopIfCancelled, batchSize }).catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    // A write's own failure comes first (the others then stopped, as if cancelled).
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    const first = failures.find((f) => !(f instanceof Stop)) ?? failures[0];
    if (first) throw first;
    stopIfCancelled();
  } catch (error) {
    for (const step of undo.reverse()) await step().catch((caught: unknown) => console.error(`Undoing part of a ${what} failed:`, caught));
    held?.withdraw(withdrawn.map(({ id, updatedAt, created }) => ({ id, version: updatedAt, created })));
    // Undone, so nothing is waiting to sync (a settle clears a mark of the same time).
    for (const { pending, marks } of marked) await pending.settle(marks).catch((caught: unknown) => console.error(`Clearing the marks of an undone ${what} failed:`, caught));
    if (error instanceof Stop) throw cancelled(what);
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportWriteError(`The ${what} could not be saved on this desk, so none of it was kept (${reason}). Try again; if it fails again, reload the desk.`);
  } finally {
    held?.release();
  }
}

interface WriteState {
  undo: Undo[];
  withdrawn: Written[];
  marked: { pending: PendingChanges; marks: Written[] }[];
  progress: (n: number) => void;
  stopIfCancelled: () => void;
  batchSize: number;
}

async function writeAll<T extends { id: string; updatedAt: string }>({ collection, pending, created, updated }: Writes<T>, { undo, withdrawn, marked, progress, stopIfCancelled, batchSize }: WriteState): Promise<void> {
  if (created.length + updated.length === 0) return;
  stopIfCancelled();
  // Marked first (queued, not awaited), as every desk write is: the upload's settle comes after.
  const marks = [...created, ...updated.map((c) => c.after)].map((doc) => ({ id: doc.id, updatedAt: doc.updatedAt }));
  marked.push({ pending, marks });
  void pending.markMany(marks).catch((error: unknown) => console.warn('Saved, but not counted as waiting to sync:', error));
  // New documents the import worker checked with core's validators: the replica's quick insert.
  const insert = async (chunk: readonly T[]): Promise<void> => {
    const result = await insertChecked(collection, chunk);
    const failed = new Set(result.error.map((e) => e.documentId));
    const ids = new Set(chunk.filter((doc) => !failed.has(doc.id)).map((doc) => doc.id));
    withdrawn.push(...chunk.filter((doc) => ids.has(doc.id)).map((doc) => ({ id: doc.id, updatedAt: doc.updatedAt, created: true })));
    undo.push(async () => {
      await collection.bulkRemove([...ids]);
    });
    const [failure] = result.error;
    if (failure) throw new Error(`${collection.name} ${failure.documentId} could not be written (${String(failure.status)})`);
    progress(chunk.length);
  };
  // The next batch is handed to IndexedDB while it still stores the one before (which it does at
  // half the pace this thread hands documents over), so it is never left waiting for the next
  // one; a batch written after a failure or a cancel is undone with the rest.
  const writing: Promise<void>[] = [];
  try {
    for (let start = 0; start < created.length; start += batchSize) {
      stopIfCancelled();
      const batch = insert(created.slice(start, start + batchSize));
      // Its failure is met below (awaited in turn, or settled with the rest), not left unheard meanwhile.
      batch.catch(() => undefined);
      writing.push(batch);
      if (writing.length > 1) await writing[writing.length - 2];
    }
    await writing.at(-1);
  } catch (error) {
    // Every batch begun has ended, and put its undo in the list, before the undo runs.
    await Promise.allSettled(writing);
    throw error;
  }
  for (let start = 0; start < updated.length; start += batchSize) {
    stopIfCancelled();
    const chunk = updated.slice(start, start + batchSize);
    const result = await collection.bulkUpsert(chunk.map((change) => change.after));
    withdrawn.push(...chunk.map((change) => ({ id: change.after.id, updatedAt: change.after.updatedAt })));
    // Put back as they were: the changed states never left the desk (uploads are held), so the server still has these.
    undo.push(async () => {
      await collection.bulkUpsert(chunk.map((change) => change.before));
    });
    const [failure] = result.error;
    if (failure) throw new Error(`${collection.name} ${failure.documentId} could not be written (${String(failure.status)})`);
    progress(chunk.length);
  }
}
