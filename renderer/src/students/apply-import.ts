// Writes a checked import plan (or a bulk change) into the desk's replica: new documents inserted,
// changed ones replaced, in bulk, marked as waiting to sync. It works offline; replication
// uploads it later. The replica has no transaction across writes, so a write that fails part-way
// is undone (inserted documents removed, changed ones put back): all or nothing.
import type { BalanceImportPlan, FeeImportPlan, FeeStructure, Payer, Student, StudentImportPlan } from '@feemaster/core';
import { withLedgerKeys } from '../db/ledger-keys.ts';
import type { RxCollection } from 'rxdb';
import type { FeeMasterDatabase } from '../db/database.ts';
import type { PendingChanges } from '../sync/pending-changes.ts';

export interface ImportTarget {
  db: FeeMasterDatabase;
  pending: Readonly<Record<'students' | 'payers' | 'feeStructures' | 'ledger', PendingChanges>>;
}

export class ImportWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportWriteError';
  }
}

type Progress = (done: number, total: number) => void;

/** Rows per bulk write: each write re-runs the open lists' queries, so fewer, larger writes are quicker (2,000 took 11 s for 15,000 documents here, one write per collection 7-8 s); 5,000 still moves the progress bar. */
const CHUNK = 5_000;

export async function applyStudentImport(target: ImportTarget, plan: StudentImportPlan, onProgress?: Progress): Promise<void> {
  refuseWithErrors(plan.errors.length);
  await allOrNothing('import', [
    { collection: target.db.students, pending: target.pending.students, created: plan.students.create, updated: plan.students.update },
    { collection: target.db.payers, pending: target.pending.payers, created: plan.payers.create, updated: plan.payers.update },
  ], onProgress);
}

export async function applyFeeImport(target: ImportTarget, plan: FeeImportPlan, onProgress?: Progress): Promise<void> {
  refuseWithErrors(plan.errors.length);
  await allOrNothing('import', [{ collection: target.db.feeStructures, pending: target.pending.feeStructures, created: plan.structures.create, updated: plan.structures.update }], onProgress);
}

/**
 * Opening balances go into the ledger, which is append-only: nothing there is taken back. A write
 * that fails part-way says how far it got; importing the file again adds the rest (the balances
 * brought forward already are found by their ids and skipped).
 */
export async function applyBalanceImport(target: ImportTarget, plan: BalanceImportPlan, onProgress?: Progress): Promise<void> {
  refuseWithErrors(plan.errors.length);
  const total = plan.invoices.length;
  void target.pending.ledger.markMany(plan.invoices.map((inv) => ({ id: inv.id, updatedAt: inv.createdAt }))).catch((error: unknown) => console.warn('Saved, but not counted as waiting to sync:', error));
  let done = 0;
  for (let start = 0; start < total; start += CHUNK) {
    const chunk = plan.invoices.slice(start, start + CHUNK);
    const result = await target.db.ledger.bulkInsert(chunk.map((invoice) => withLedgerKeys(invoice)));
    done += result.success.length;
    onProgress?.(done, total);
    if (result.error.length > 0) {
      // Not written, so not waiting to sync: their marks go (a settle clears a mark at or after its time).
      await target.pending.ledger.settle(chunk.map((inv) => ({ id: inv.id, updatedAt: inv.createdAt })).filter((mark) => result.error.some((e) => e.documentId === mark.id)));
      throw new ImportWriteError(`${String(done)} of ${String(total)} balances were brought forward; the rest could not be written on this desk. Import the file again to add them (those done are skipped).`);
    }
  }
}

/** Changed students of a bulk change (class, status…), all or nothing like an import. */
export async function applyStudentChanges(target: ImportTarget, changes: readonly { before: Student; after: Student }[]): Promise<void> {
  await allOrNothing('change', [{ collection: target.db.students, pending: target.pending.students, created: [], updated: changes }]);
}

function refuseWithErrors(errors: number): void {
  if (errors > 0) throw new ImportWriteError('The file still has problems; nothing was imported. Fix the rows listed and choose the file again.');
}

interface Writes<T> {
  collection: RxCollection<T>;
  pending: PendingChanges;
  created: readonly T[];
  updated: readonly { before: T; after: T }[];
}

type AnyWrites = Writes<Student> | Writes<Payer> | Writes<FeeStructure>;

async function allOrNothing(what: 'import' | 'change', writes: readonly AnyWrites[], onProgress?: Progress): Promise<void> {
  const total = writes.reduce((n, w) => n + w.created.length + w.updated.length, 0);
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    onProgress?.(done, total);
  };
  const undo: (() => Promise<void>)[] = [];
  try {
    for (const w of writes) await writeAll(w as Writes<Student>, undo, progress);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch((caught: unknown) => console.error(`Undoing part of a failed ${what} failed:`, caught));
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImportWriteError(`The ${what} could not be saved on this desk, so none of it was kept (${reason}). Try again; if it fails again, reload the desk.`);
  }
}

async function writeAll<T extends { id: string; updatedAt: string }>({ collection, pending, created, updated }: Writes<T>, undo: (() => Promise<void>)[], progress: (n: number) => void): Promise<void> {
  if (created.length + updated.length === 0) return;
  // Marked first (queued, not awaited), as every desk write is: the upload's settle comes after.
  void pending.markMany([...created, ...updated.map((c) => c.after)].map((doc) => ({ id: doc.id, updatedAt: doc.updatedAt }))).catch((error: unknown) => console.warn('Saved, but not counted as waiting to sync:', error));
  for (let start = 0; start < created.length; start += CHUNK) {
    const chunk = created.slice(start, start + CHUNK);
    const result = await collection.bulkInsert([...chunk]);
    const ids = result.success.map((doc) => doc.id);
    undo.push(async () => {
      await collection.bulkRemove(ids);
    });
    const [failure] = result.error;
    if (failure) throw new Error(`${collection.name} ${failure.documentId} could not be written (${String(failure.status)})`);
    progress(chunk.length);
  }
  for (let start = 0; start < updated.length; start += CHUNK) {
    const chunk = updated.slice(start, start + CHUNK);
    const result = await collection.bulkUpsert(chunk.map((change) => change.after));
    undo.push(async () => {
      await collection.bulkUpsert(chunk.map((change) => ({ ...change.before, updatedAt: new Date().toISOString() })));
    });
    const [failure] = result.error;
    if (failure) throw new Error(`${collection.name} ${failure.documentId} could not be written (${String(failure.status)})`);
    progress(chunk.length);
  }
}
