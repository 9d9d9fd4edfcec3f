import { describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId } from '@feemaster/core';
import { ApiError } from '../api/client.ts';
import { openDatabase, wrappedValidateCoreStorage } from '../db/database.ts';
import { createQuarantine, isFatalRefusal, refusedRows } from './quarantine.ts';

const rows = ['a', 'b', 'c'].map((id) => ({ newDocumentState: { id, updatedAt: '2026-03-01T10:00:00.000Z' } }));

describe('refusals the desk holds aside', () => {
  it('are the server refusing the documents (422, 403), not a failure to reach it or a lapsed sign-in', () => {
    expect(isFatalRefusal(new ApiError('invalid-document', 'bad', 422))).toBe(true);
    expect(isFatalRefusal(new ApiError('forbidden', 'no', 403))).toBe(true);
    for (const error of [new ApiError('offline', 'down'), new ApiError('unauthorized', 'sign in', 401), new ApiError('internal', 'oops', 500), new Error('x')]) {
      expect(isFatalRefusal(error)).toBe(false);
    }
  });

  it('name each refused document by id or by its place in the upload, with all its problems', () => {
    const error = new ApiError('invalid-document', 'Student b was refused: …', 422, [], [
      { id: 'b', path: '/admissionNumber', message: 'admission number ADM-7 already belongs to Amani Otieno' },
      { index: 2, path: '/firstName', message: 'firstName must not be empty' },
      { index: 2, path: '/lastName', message: 'lastName must not be empty' },
      { id: 'not-in-this-upload', path: '', message: 'ignored' },
    ]);
    expect(refusedRows(error, rows).map(({ row, reason }) => [row.newDocumentState.id, reason])).toEqual([
      ['b', "The server refused it: admission number ADM-7 already belongs to Amani Otieno. Correct it and save it again; this desk's other changes were saved."],
      ['c', "The server refused it: firstName must not be empty; lastName must not be empty. Correct it and save it again; this desk's other changes were saved."],
    ]);
  });

  it('names none when the server did not say which', () => {
    expect(refusedRows(new ApiError('forbidden', 'A cashier cannot…', 403), rows)).toEqual([]);
  });
});

describe('the list of held documents', () => {
  it('is not rewritten by an upload carrying nothing held, and lets go of what an upload carried', async () => {
    const db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
    try {
      const quarantine = await createQuarantine(db.students);
      const revision = async (): Promise<string | undefined> => (await db.students.getLocal('quarantine'))?.revision;
      await quarantine.hold([{ id: 'held', updatedAt: '2026-03-01T10:00:00.000Z', label: 'Student Amani Otieno (ADM-104)', reason: 'refused', at: '2026-03-01T10:00:01.000Z' }]);
      const before = await revision();
      await quarantine.release(['other-1', 'other-2']);
      expect(await revision()).toBe(before);
      await quarantine.release(['other-3', 'held']);
      expect(await revision()).not.toBe(before);
      expect(await firstValueFrom(quarantine.entries$)).toEqual([]);
    } finally {
      await db.remove();
    }
  });
});
