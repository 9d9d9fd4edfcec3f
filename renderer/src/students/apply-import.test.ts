// Writing an import into the replica (Dexie on fake-indexeddb, as the desk's IndexedDB), and
// cancelling it part-way: the replica is left exactly as before, nothing is waiting to sync, and
// the desk's upload (RxDB's real replication, with a push handler standing in for the server)
// never sends a document of the cancelled import.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { newId, planStudentImport, readTable, type Payer, type Student, type StudentImportPlan } from '@feemaster/core';
import { createStorage, openDatabase, type FeeMasterDatabase } from '../db/database.ts';
import { createPendingChanges, type PendingChanges } from '../sync/pending-changes.ts';
import { createUploadHold, type UploadHold } from '../sync/upload-hold.ts';
import { applyStudentImport, ImportCancelledError, ImportWriteError, type ImportTarget } from './apply-import.ts';

const schoolId = newId();

/** A register of students `from`..`to`, two children a family; `className` on every row. */
function registerCsv(from: number, to: number, className = 'Grade 4'): Uint8Array {
  const lines = ['Admission number,First name,Last name,Class,Guardian name,Guardian phone'];
  for (let i = from; i <= to; i += 1) {
    const family = Math.floor(i / 2);
    lines.push(`ADM-${String(i).padStart(4, '0')},Child${String(i)},Family${String(family)},${className},Guardian ${String(family)},07${String(10_000_000 + family)}`);
  }
  return new TextEncoder().encode(lines.join('\n'));
}

const classes = [
  { id: newId(), schoolId, kind: 'class' as const, name: 'Grade 4', data: { code: 'G4' }, createdAt: '2026-01-05T08:00:00.000Z', updatedAt: '2026-01-05T08:00:00.000Z' },
  { id: newId(), schoolId, kind: 'class' as const, name: 'Grade 5', data: { code: 'G5' }, createdAt: '2026-01-05T08:00:00.000Z', updatedAt: '2026-01-05T08:00:00.000Z' },
];

async function plan(db: FeeMasterDatabase, bytes: Uint8Array, now: string): Promise<StudentImportPlan> {
  const students = (await db.students.find().exec()).map((d) => d.toJSON() as Student);
  const payers = (await db.payers.find().exec()).map((d) => d.toJSON() as Payer);
  return planStudentImport(await readTable(bytes, 'register.csv'), { schoolId, defaultCountry: 'KE', dateOrder: 'dmy', students, payers, classes, categories: [], now, newId });
}

/** Everything the replica shows of students and families, in a stable order. */
async function contents(db: FeeMasterDatabase): Promise<{ students: unknown[]; payers: unknown[] }> {
  const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : 1);
  return {
    students: (await db.students.find().exec()).map((d) => d.toJSON() as Student).sort(byId),
    payers: (await db.payers.find().exec()).map((d) => d.toJSON() as Payer).sort(byId),
  };
}

describe('applyStudentImport on the replica', () => {
  let db: FeeMasterDatabase;
  let pending: Record<'students' | 'payers' | 'feeStructures' | 'ledger', PendingChanges>;
  let uploadHold: UploadHold;
  let target: ImportTarget;
  const waiting = async (): Promise<number> => (await firstValueFrom(pending.students.count$)) + (await firstValueFrom(pending.payers.count$));

  beforeEach(async () => {
    db = await openDatabase(newId(), createStorage(getRxStorageDexie()));
    pending = { students: await createPendingChanges(db.students), payers: await createPendingChanges(db.payers), feeStructures: await createPendingChanges(db.feeStructures), ledger: await createPendingChanges(db.ledger) };
    uploadHold = createUploadHold({ lockName: `upload-hold-${newId()}` });
    target = { db, pending, uploadHold };
    // The school already has 20 students in 10 families (synced: nothing waiting).
    const first = await plan(db, registerCsv(1, 20), '2026-02-01T08:00:00.000Z');
    await db.students.bulkInsert(first.students.create);
    await db.payers.bulkInsert(first.payers.create);
  });
  afterEach(async () => {
    await db.remove();
  });

  it('writes the whole plan, marks it waiting to sync, and the same file again changes nothing', async () => {
    const next = await plan(db, registerCsv(11, 40, 'Grade 5'), '2026-03-01T08:00:00.000Z');
    expect(next.summary).toMatchObject({ create: 20, update: 10, unchanged: 0 });
    await applyStudentImport(target, next, { batchSize: 7 });
    const after = await contents(db);
    expect(after.students).toHaveLength(40);
    expect(after.students.filter((s) => (s as Student).classId === classes[1]?.id)).toHaveLength(30);
    expect(await waiting()).toBe(next.students.create.length + next.students.update.length + next.payers.create.length + next.payers.update.length);
    const again = await plan(db, registerCsv(11, 40, 'Grade 5'), '2026-03-02T08:00:00.000Z');
    expect(again.students.create.length + again.students.update.length + again.payers.create.length + again.payers.update.length).toBe(0);
  });

  it('a cancel part-way through stops after the batch being written and leaves the replica exactly as before, with nothing waiting to sync', async () => {
    const before = await contents(db);
    const next = await plan(db, registerCsv(11, 60, 'Grade 5'), '2026-03-01T08:00:00.000Z');
    expect(next.summary).toMatchObject({ create: 40, update: 10 });
    const controller = new AbortController();
    const progress: number[] = [];
    let writes = 0;
    const write = applyStudentImport(target, next, {
      batchSize: 15,
      signal: controller.signal,
      onProgress: (done, total) => {
        writes = total;
        progress.push(done);
        // Cancelled once the second batch is in: new students and changed ones are both written by then.
        if (progress.length === 2) controller.abort();
      },
    });
    await expect(write).rejects.toBeInstanceOf(ImportCancelledError);
    // Stopped after the batches being written: the two before the cancel, and at most two more (the
    // families are written beside the students, and each collection's next batch is already with
    // IndexedDB), of seven.
    expect(progress.length).toBeLessThanOrEqual(4);
    expect(progress.at(-1)).toBeLessThan(writes);
    expect(await contents(db)).toEqual(before);
    expect(await waiting()).toBe(0);
    // A cancelled import is simply not there: importing the file afterwards plans all of it again.
    const again = await plan(db, registerCsv(11, 60, 'Grade 5'), '2026-03-01T09:00:00.000Z');
    expect(again.summary).toMatchObject({ create: 40, update: 10 });
  });

  it('a write the replica refuses part-way undoes the whole import, students and families alike', async () => {
    const before = await contents(db);
    const next = await plan(db, registerCsv(11, 60, 'Grade 5'), '2026-03-01T08:00:00.000Z');
    // The last new family's id is taken by a family the desk already has: the replica refuses it (409).
    const taken = (before.payers[0] as Payer).id;
    const families = next.payers.create.map((payer, i, all) => (i === all.length - 1 ? { ...payer, id: taken } : payer));
    const write = applyStudentImport(target, { ...next, payers: { ...next.payers, create: families } }, { batchSize: 7 });
    await expect(write).rejects.toBeInstanceOf(ImportWriteError);
    await expect(write).rejects.toThrow(/none of it was kept/);
    expect(await contents(db)).toEqual(before);
    expect(await waiting()).toBe(0);
  });

  it('the upload waits for the write, sends the import once written, and never sends any of a cancelled one', async () => {
    const received: { id: string; updatedAt: string; deleted: boolean }[] = [];
    /** True while the whole import's batches are being written (not while it is undone). */
    let writing = false;
    let sentMidWrite = 0;
    const replication = replicateRxCollection<Student, unknown>({
      collection: db.students,
      replicationIdentifier: `test-upload-${newId()}`,
      live: true,
      waitForLeadership: false,
      autoStart: true,
      push: {
        batchSize: 10,
        // As replication.ts: held while an import is written, the undone states dropped.
        handler: async (handed) => {
          const rows = await uploadHold.admit(handed, (row) => ({ id: row.newDocumentState.id, version: row.newDocumentState.updatedAt, deleted: row.newDocumentState._deleted }));
          if (writing) sentMidWrite += rows.length;
          received.push(...rows.map((row) => ({ id: row.newDocumentState.id, updatedAt: row.newDocumentState.updatedAt, deleted: row.newDocumentState._deleted })));
          return [];
        },
      },
    });
    try {
      await replication.awaitInitialReplication();
      const school = (await contents(db)).students as Student[];
      expect(received.map((r) => r.id).sort()).toEqual(school.map((s) => s.id).sort());
      received.length = 0;

      // Cancelled: nothing of it goes; the changed students put back may go, as the server has them.
      const cancelledPlan = await plan(db, registerCsv(11, 60, 'Grade 5'), '2026-03-01T08:00:00.000Z');
      const controller = new AbortController();
      let batches = 0;
      await expect(
        applyStudentImport(target, cancelledPlan, {
          batchSize: 15,
          signal: controller.signal,
          onProgress: () => {
            batches += 1;
            if (batches === 2) controller.abort();
          },
        }),
      ).rejects.toBeInstanceOf(ImportCancelledError);
      await replication.awaitInSync();
      const cancelledIds = new Set(cancelledPlan.students.create.map((s) => s.id));
      expect(received.filter((r) => cancelledIds.has(r.id))).toEqual([]);
      const asTheServerHasThem = new Set(school.map((s) => `${s.id}@${s.updatedAt}`));
      expect(received.filter((r) => r.deleted || !asTheServerHasThem.has(`${r.id}@${r.updatedAt}`))).toEqual([]);
      received.length = 0;

      // Written whole: all of it goes, and none of it while it was being written.
      const kept = await plan(db, registerCsv(11, 60, 'Grade 5'), '2026-03-01T09:00:00.000Z');
      writing = true;
      await applyStudentImport(target, kept, {
        batchSize: 15,
        onProgress: (done, total) => {
          if (done === total) writing = false;
        },
      });
      await replication.awaitInSync();
      expect(sentMidWrite).toBe(0);
      expect(new Set(received.map((r) => `${r.id}@${r.updatedAt}`))).toEqual(new Set([...kept.students.create, ...kept.students.update.map((c) => c.after)].map((s) => `${s.id}@${s.updatedAt}`)));
    } finally {
      await replication.cancel();
    }
  });
});
