// The search is ready at once from the copy kept at the last change, then follows the replica.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId, type Payer, type Student } from '@feemaster/core';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from '../db/database.ts';
import { people$ } from './people-index.ts';

const schoolId = newId();
const now = new Date().toISOString();
const student = (admissionNumber: string, firstName: string, lastName: string): Student => ({ id: newId(), schoolId, admissionNumber, firstName, lastName, status: 'active', createdAt: now, updatedAt: now });
const family = (name: string, children: Student[]): Payer => ({ id: newId(), schoolId, kind: 'family', name, contacts: [{ type: 'phone', value: '0712 345 678' }], preferredChannel: 'sms', students: children.map((c) => ({ studentId: c.id, share: 10_000 })), createdAt: now, updatedAt: now });

let db: FeeMasterDatabase;
beforeEach(async () => {
  db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
});
afterEach(async () => {
  await db.remove();
});

const names = (found: { name: string }[]) => found.map((f) => f.name);

describe('the people the search knows', () => {
  it('answers from the replica on a fresh desk, and keeps a copy a moment after a change', async () => {
    const amani = student('ADM-1', 'Amani', 'Otieno');
    await db.students.insert(amani);
    await db.payers.insert(family('Grace Otieno', [amani]));
    const seen: { fresh: boolean; found: string[] }[] = [];
    const watching = people$(db, { saveAfterMs: 20 }).subscribe((p) => seen.push({ fresh: p.fresh, found: names(p.index.find('otieno')) }));
    // Long enough for the copy to be written.
    await new Promise((resolve) => setTimeout(resolve, 300));
    watching.unsubscribe();
    expect(seen).toEqual([{ fresh: true, found: ['Grace Otieno', 'Otieno, Amani'] }]);
    expect(await db.students.getLocal('people-search')).not.toBeNull();
  });

  it('starts from the kept copy, then moves on to the replica', async () => {
    const amani = student('ADM-1', 'Amani', 'Otieno');
    await db.students.insert(amani);
    const saving = people$(db, { saveAfterMs: 10 }).subscribe();
    await new Promise((resolve) => setTimeout(resolve, 200));
    saving.unsubscribe();
    // A student the copy does not know yet.
    await db.students.insert(student('ADM-2', 'Baraka', 'Otieno'));
    const seen = await firstValueFrom(people$(db, { saveAfterMs: 10 }).pipe(take(2), toArray()));
    expect(seen.map((p) => [p.fresh, names(p.index.find('otieno'))])).toEqual([
      [false, ['Otieno, Amani']],
      [true, ['Otieno, Amani', 'Otieno, Baraka']],
    ]);
    expect(seen[0]?.students.get(amani.id)).toEqual({ id: amani.id, admissionNumber: 'ADM-1', firstName: 'Amani', lastName: 'Otieno', status: 'active' });
  });
});
