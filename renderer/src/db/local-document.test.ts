import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId } from '@feemaster/core';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from './database.ts';
import { localDocument$ } from './local-document.ts';

let db: FeeMasterDatabase;
beforeEach(async () => {
  db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
});
afterEach(async () => {
  await db.remove();
});

describe('localDocument$', () => {
  it('emits the document now and after each change of it, not for other documents', async () => {
    await db.students.insertLocal<{ n: number }>('counter', { n: 1 });
    const seen: (number | null)[] = [];
    const subscription = localDocument$<{ n: number }>(db.students, 'counter').subscribe((doc) => seen.push(doc ? doc.toJSON().data.n : null));
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
    await settle();
    await db.students.upsertLocal('counter', { n: 2 });
    await settle();
    await db.students.upsertLocal('other', { n: 9 });
    await db.students.insert({ id: newId(), schoolId: newId(), admissionNumber: 'A-1', firstName: 'Amani', lastName: 'Otieno', status: 'active', createdAt: '2026-01-05T08:00:00.000Z', updatedAt: '2026-01-05T08:00:00.000Z' });
    await settle();
    subscription.unsubscribe();
    expect(seen).toEqual([1, 2]);
  });
});
