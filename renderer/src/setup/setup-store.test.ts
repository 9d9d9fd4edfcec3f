import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom } from 'rxjs';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId, type Student } from '@feemaster/core';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from '../db/database.ts';
import { createPendingChanges } from '../sync/pending-changes.ts';
import { SetupWriteError, referenceDoc, saveReference, saveStudents, setReferenceArchived, type SetupWriter } from './setup-store.ts';

const schoolId = newId();

describe('Setup writes on the replica', () => {
  let db: FeeMasterDatabase;
  let writer: SetupWriter;

  beforeEach(async () => {
    db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
    writer = {
      db,
      pending: { reference: await createPendingChanges(db.reference), feeStructures: await createPendingChanges(db.feeStructures), students: await createPendingChanges(db.students) },
      role: 'bursar',
      session: 'online',
      schoolId,
    };
  });
  afterEach(async () => {
    await db.remove();
  });

  const pendingCount = (collection: 'reference' | 'students', n: number) => firstValueFrom(writer.pending[collection].count$.pipe(filter((c) => c === n)));

  it('stores a class as waiting to sync, archives it instead of deleting it, and restores it', async () => {
    const now = new Date('2031-01-02T08:00:00Z');
    const grade4 = referenceDoc({ kind: 'class', name: ' Grade 4 East ', data: { code: 'G4E', level: 4 } }, null, schoolId, now);
    await saveReference(writer, grade4);
    expect((await db.reference.findOne(grade4.id).exec())?.toJSON()).toMatchObject({ kind: 'class', name: 'Grade 4 East', data: { code: 'G4E', level: 4 } });
    await pendingCount('reference', 1);

    const archived = await setReferenceArchived(writer, grade4, true, new Date('2031-01-03T08:00:00Z'));
    expect((await db.reference.findOne(grade4.id).exec())?.toJSON()).toMatchObject({ archived: true, updatedAt: '2031-01-03T08:00:00.000Z' });
    const restored = referenceDoc({ kind: 'class', name: 'Grade 4 East', data: { code: 'G4E', level: 4 } }, { ...archived, archived: false }, schoolId, new Date('2031-01-04T08:00:00Z'));
    expect(restored).toMatchObject({ id: grade4.id, archived: false, createdAt: grade4.createdAt });
  });

  it('refuses what the permission table refuses, and a document the server would refuse, writing nothing', async () => {
    const settings = referenceDoc({ kind: 'settings', name: 'School settings', data: { currency: 'KES', timezone: 'Africa/Nairobi', receiptHeader: '', receiptFooter: '', siblingOrder: 'eldest-first', voidOnlyInSameSession: true } }, null, schoolId, new Date());
    await expect(saveReference(writer, settings)).rejects.toThrow('A bursar cannot change school settings; ask someone with one of these roles: owner, admin.');
    await expect(saveReference({ ...writer, role: 'admin', session: 'offline' }, settings)).rejects.toThrow(/offline session/);
    const bad = referenceDoc({ kind: 'class', name: 'X', data: { code: 'not ok' } }, null, schoolId, new Date());
    const refused = await saveReference(writer, bad).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SetupWriteError);
    expect((refused as SetupWriteError).problems.map((p) => p.path)).toEqual(['/data/code']);
    expect(await db.reference.count().exec()).toBe(0);
  });

  it('writes a promotion in one go, each student waiting to sync', async () => {
    const at = '2031-11-01T08:00:00.000Z';
    const students: Student[] = ['A', 'B', 'C'].map((n) => ({ id: newId(), schoolId, admissionNumber: n, firstName: n, lastName: 'Pupil', status: 'active', classId: newId(), createdAt: at, updatedAt: at }));
    await db.students.bulkInsert(students);
    const moved = students.map((s) => ({ ...s, classId: schoolId, updatedAt: '2031-12-01T08:00:00.000Z' }));
    expect(await saveStudents(writer, moved)).toEqual({ saved: 3, failed: [] });
    expect((await db.students.find().exec()).map((d) => d.classId)).toEqual([schoolId, schoolId, schoolId]);
    await pendingCount('students', 3);
    await expect(saveStudents(writer, [{ ...moved[0], admissionNumber: 'has space' } as Student])).rejects.toThrow(/^Nothing was changed: A Pupil \(has space\) would not be valid/);
  });
});
