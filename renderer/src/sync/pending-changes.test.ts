// The desk's count of local writes the server has not taken yet: marks and settles apply in the
// order they are asked for, so a payment written while its mark is still being stored, and
// uploaded at once, is never left counted as waiting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId } from '@feemaster/core';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from '../db/database.ts';
import { createPendingChanges, type Journal } from './pending-changes.ts';

let db: FeeMasterDatabase;
beforeEach(async () => {
  db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
});
afterEach(async () => {
  await db.remove();
});

describe('pending changes', () => {
  it('applies a settle asked for before its mark was stored after that mark, in order', async () => {
    const pending = await createPendingChanges(db.ledger);
    const ids = Array.from({ length: 20 }, () => newId());
    // Each mark is asked for and its settle right behind it, neither awaited: as a payment's
    // commit does when its upload comes back before the mark is written.
    const all = ids.flatMap((id, i) => {
      const at = new Date(Date.UTC(2026, 11, 6, 8, 0, i)).toISOString();
      return [pending.mark(id, at), pending.settle([{ id, updatedAt: at }])];
    });
    const leftPending = pending.mark(newId(), '2026-12-06T09:00:00.000Z');
    await Promise.all([...all, leftPending]);
    expect(await firstValueFrom(pending.count$)).toBe(1);
  });

  it('keeps a change written again after the version the server took', async () => {
    const pending = await createPendingChanges(db.ledger);
    const id = newId();
    await pending.mark(id, '2026-12-06T08:00:00.000Z');
    await pending.mark(id, '2026-12-06T08:05:00.000Z');
    await pending.settle([{ id, updatedAt: '2026-12-06T08:00:00.000Z' }]);
    expect(await firstValueFrom(pending.count$)).toBe(1);
    await pending.settle([{ id, updatedAt: '2026-12-06T08:05:00.000Z' }]);
    expect(await firstValueFrom(pending.count$)).toBe(0);
  });

  it('stores a mark waiting for its write only after that write, journalled meanwhile, and in order with a settle asked for later', async () => {
    const journal = memoryJournal();
    const pending = await createPendingChanges(db.ledger, journal);
    const id = newId();
    let written: () => void = () => undefined;
    const write = new Promise<void>((resolve) => (written = resolve));
    const marked = pending.mark(id, '2026-12-06T08:00:00.000Z', { after: write });
    const settled = pending.settle([{ id, updatedAt: '2026-12-06T08:00:00.000Z' }]);
    expect(journal.entries()).toEqual([[id, '2026-12-06T08:00:00.000Z']]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await firstValueFrom(pending.count$)).toBe(0);
    written();
    await marked;
    expect(journal.entries()).toEqual([]);
    await settled;
    expect(await firstValueFrom(pending.count$)).toBe(0);
  });

  it('counts a change whose mark a reload cut off before it was stored, from the journal', async () => {
    const journal = memoryJournal();
    const first = await createPendingChanges(db.ledger, journal);
    const stored = newId();
    await first.mark(stored, '2026-12-06T08:00:00.000Z');
    // The page went away after journalling this mark and before storing it.
    journal.add('cut-off', '2026-12-06T08:01:00.000Z');
    const reopened = await createPendingChanges(db.ledger, journal);
    expect(await firstValueFrom(reopened.count$)).toBe(2);
    expect(journal.entries()).toEqual([]);
    await reopened.settle([{ id: 'cut-off', updatedAt: '2026-12-06T08:01:00.000Z' }]);
    expect(await firstValueFrom(reopened.count$)).toBe(1);
  });
});

function memoryJournal(): Journal {
  const entries = new Map<string, string>();
  return {
    add: (id, updatedAt) => void entries.set(id, updatedAt),
    remove: (id, updatedAt) => {
      if (entries.get(id) === updatedAt) entries.delete(id);
    },
    entries: () => [...entries],
  };
}
