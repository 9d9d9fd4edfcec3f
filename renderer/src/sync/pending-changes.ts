// Remembers which local writes the server has not accepted yet, in an RxDB local document so
// the count survives a reload while offline. Keyed by document id and the updatedAt written.
//
// A mark may wait for the write it counts (`after`), so the two do not compete for IndexedDB
// while a cashier waits for a receipt number. It is journalled at once in localStorage (a
// synchronous write the page keeps across a reload) and replayed when the desk opens, so a reload
// between the write and its mark still counts the change as waiting.
import type { RxCollection, RxLocalDocument } from 'rxdb';
import { map, shareReplay, type Observable } from 'rxjs';
import { localDocument$ } from '../db/local-document.ts';

interface PendingData {
  changes: Record<string, string>;
}

const LOCAL_ID = 'pending-changes';

export interface PendingChanges {
  /**
   * Applied before any mark or settle asked for after it (it need not be awaited first). With
   * `after`, it is stored once that write has ended (it is journalled at once all the same).
   */
  mark(id: string, updatedAt: string, options?: { after?: Promise<unknown> }): Promise<void>;
  /** Many marks in one write (an import): as `mark`, in order with the others. */
  markMany(written: readonly { id: string; updatedAt: string }[]): Promise<void>;
  /** Clears entries the server now holds (same or newer updatedAt than what was written). */
  settle(accepted: readonly { id: string; updatedAt: string }[]): Promise<void>;
  count$: Observable<number>;
}

/** Marks asked for but not yet in the local document, kept where a reload cannot lose them. */
export interface Journal {
  add(id: string, updatedAt: string): void;
  remove(id: string, updatedAt: string): void;
  entries(): [string, string][];
}

function localStorageJournal(key: string): Journal {
  const storage = typeof localStorage === 'undefined' ? null : localStorage;
  const read = (): Record<string, string> => {
    try {
      const parsed: unknown = JSON.parse(storage?.getItem(key) ?? '{}');
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  const write = (entries: Record<string, string>): void => {
    try {
      if (Object.keys(entries).length === 0) storage?.removeItem(key);
      else storage?.setItem(key, JSON.stringify(entries));
    } catch (error) {
      // Full or refused storage: the mark is still stored in the replica, only later.
      console.warn('Could not journal a change waiting to sync:', error);
    }
  };
  return {
    add: (id, updatedAt) => write({ ...read(), [id]: updatedAt }),
    remove: (id, updatedAt) => {
      const entries = read();
      if (entries[id] !== updatedAt) return;
      delete entries[id];
      write(entries);
    },
    entries: () => Object.entries(read()).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  };
}

export async function createPendingChanges(collection: RxCollection, journal: Journal = localStorageJournal(`feemaster.pending.${collection.database.name}.${collection.name}`)): Promise<PendingChanges> {
  if (!(await collection.getLocal<PendingData>(LOCAL_ID))) {
    await collection.insertLocal<PendingData>(LOCAL_ID, { changes: {} });
  }
  // The newest version of the document, kept as it changes: a change needs no read first.
  let latest: RxLocalDocument<unknown, PendingData> | null = null;
  // One observer of the document, shared by this and the count.
  const doc$ = localDocument$<PendingData>(collection, LOCAL_ID).pipe(shareReplay({ bufferSize: 1, refCount: false }));
  doc$.subscribe((doc) => {
    latest = doc;
  });
  const apply = async (change: (changes: Record<string, string>) => Record<string, string>): Promise<void> => {
    const doc = latest ?? (await collection.getLocal<PendingData>(LOCAL_ID));
    if (!doc) return;
    await doc.incrementalModify((data) => ({ ...data, changes: change({ ...data.changes }) }));
  };
  // Changes apply in the order they are asked for, so a caller may write its document while its
  // mark is still being stored: the settle of that document's upload comes later, and waits for it.
  let queue: Promise<unknown> = Promise.resolve();
  const modify = (change: (changes: Record<string, string>) => Record<string, string>, after?: Promise<unknown>): Promise<void> => {
    const run = queue.then(async () => {
      await after?.catch(() => undefined);
      await apply(change);
    });
    queue = run.catch(() => undefined);
    return run;
  };
  // Marks a reload cut off before they were stored.
  const journalled = journal.entries();
  if (journalled.length > 0) {
    await modify((changes) => ({ ...changes, ...Object.fromEntries(journalled) }));
    for (const [id, updatedAt] of journalled) journal.remove(id, updatedAt);
  }
  return {
    mark: (id, updatedAt, options) => {
      journal.add(id, updatedAt);
      const run = modify((changes) => ({ ...changes, [id]: updatedAt }), options?.after);
      void run.then(() => journal.remove(id, updatedAt), () => undefined);
      return run;
    },
    markMany: (written) =>
      modify((changes) => {
        for (const { id, updatedAt } of written) changes[id] = updatedAt;
        return changes;
      }),
    settle: (accepted) =>
      modify((changes) => {
        for (const { id, updatedAt } of accepted) {
          const written = changes[id];
          if (written !== undefined && written <= updatedAt) delete changes[id];
        }
        return changes;
      }),
    count$: doc$.pipe(map((doc) => Object.keys(doc?.toJSON().data.changes ?? {}).length)),
  };
}
