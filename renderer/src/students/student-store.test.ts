import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, filter } from 'rxjs';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId } from '@feemaster/core';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from '../db/database.ts';
import { createPendingChanges, type PendingChanges } from '../sync/pending-changes.ts';
import { StudentInvalidError, buildStudent, emptyDraft, saveStudent } from './student-store.ts';

const schoolId = newId();

describe('buildStudent', () => {
  const base = { id: newId(), schoolId, createdAt: '2026-01-05T08:00:00.000Z' };

  it('trims text, drops empty optional fields and stamps updatedAt', () => {
    const student = buildStudent({ ...emptyDraft, admissionNumber: ' 2026/014 ', firstName: ' Imani ', lastName: 'Kiptoo ', otherNames: '  ' }, base, new Date('2026-02-01T10:00:00Z'));
    expect(student).toEqual({ ...base, admissionNumber: '2026/014', firstName: 'Imani', lastName: 'Kiptoo', status: 'active', updatedAt: '2026-02-01T10:00:00.000Z' });
  });

  it('explains each invalid field', () => {
    try {
      buildStudent({ ...emptyDraft, admissionNumber: 'has space', firstName: '', lastName: 'X', dateOfBirth: '2015-13-40' }, base, new Date());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(StudentInvalidError);
      const paths = (error as StudentInvalidError).problems.map((p) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['/admissionNumber', '/firstName', '/dateOfBirth']));
    }
  });
});

describe('saveStudent on the replica', () => {
  let db: FeeMasterDatabase;
  let pending: PendingChanges;

  beforeEach(async () => {
    db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
    pending = await createPendingChanges(db.students);
  });
  afterEach(async () => {
    await db.remove();
  });

  const pendingCount = (n: number) => firstValueFrom(pending.count$.pipe(filter((c) => c === n)));

  it('stores the student, counts it as pending until the server accepts it, and refuses duplicates', async () => {
    const draft = { ...emptyDraft, admissionNumber: 'A-1', firstName: 'Imani', lastName: 'Kiptoo' };
    const saved = await saveStudent(db.students, pending, draft, null, schoolId);
    expect((await db.students.findOne(saved.id).exec())?.toJSON()).toMatchObject({ admissionNumber: 'A-1', schoolId });
    await pendingCount(1);
    await expect(saveStudent(db.students, pending, { ...draft, firstName: 'Other' }, null, schoolId)).rejects.toThrow(/already belongs to Imani Kiptoo/);

    // An older acknowledgement does not clear a newer local edit.
    const edited = await saveStudent(db.students, pending, { ...draft, lastName: 'Kiptoo-Rono' }, saved, schoolId, new Date(Date.parse(saved.updatedAt) + 1000));
    await pending.settle([{ id: saved.id, updatedAt: saved.updatedAt }]);
    await pendingCount(1);
    await pending.settle([{ id: edited.id, updatedAt: edited.updatedAt }]);
    await pendingCount(0);
  });

  it('the replica itself refuses a document that breaks the schema', async () => {
    const now = new Date().toISOString();
    await expect(
      db.students.insert({ id: newId(), schoolId, admissionNumber: 'B-1', firstName: 'X', lastName: 'Y', status: 'expelled' as 'active', createdAt: now, updatedAt: now }),
    ).rejects.toThrow();
    expect(await db.students.count().exec()).toBe(0);
  });
});
