// Remembers which local writes the server has not accepted yet, in an RxDB local document so
// the count survives a reload while offline. Keyed by document id and the updatedAt written.
import type { RxCollection } from 'rxdb';
import { map, type Observable } from 'rxjs';
import { localDocument$ } from '../db/local-document.ts';

interface PendingData {
  changes: Record<string, string>;
}

const LOCAL_ID = 'pending-changes';

export interface PendingChanges {
  /** Applied before any mark or settle asked for after it (it need not be awaited first). */
  mark(id: string, updatedAt: string): Promise<void>;
  /** Many marks in one write (an import): as `mark`, in order with the others. */
  markMany(written: readonly { id: string; updatedAt: string }[]): Promise<void>;
  /** Clears entries the server now holds (same or newer updatedAt than what was written). */
  settle(accepted: readonly { id: string; updatedAt: string }[]): Promise<void>;
  count$: Observable<number>;
}

export async function createPendingChanges(collection: RxCollection): Promise<PendingChanges> {
  if (!(await collection.getLocal<PendingData>(LOCAL_ID))) {
    await collection.insertLocal<PendingData>(LOCAL_ID, { changes: {} });
  }
  const apply = async (change: (changes: Record<string, string>) => Record<string, string>): Promise<void> => {
    const doc = await collection.getLocal<PendingData>(LOCAL_ID);
    if (!doc) return;
    await doc.incrementalModify((data) => ({ ...data, changes: change({ ...data.changes }) }));
  };
  // Changes apply in the order they are asked for, so a caller may write its document while its
  // mark is still being stored: the settle of that document's upload comes later, and waits for it.
  let queue: Promise<unknown> = Promise.resolve();
  const modify = (change: (changes: Record<string, string>) => Record<string, string>): Promise<void> => {
    const run = queue.then(() => apply(change));
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    mark: (id, updatedAt) => modify((changes) => ({ ...changes, [id]: updatedAt })),
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
    count$: localDocument$<PendingData>(collection, LOCAL_ID).pipe(map((doc) => Object.keys(doc?.toJSON().data.changes ?? {}).length)),
  };
}
