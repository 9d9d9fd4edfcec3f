// The import's quick insert (checked-insert.ts) held to RxDB's own bulkInsert on the desk's storage
// (Dexie on fake-indexeddb): the same rows stored, the same change events, queries that follow it,
// and a clash refused as RxDB refuses it. An RxDB upgrade that changes the Dexie storage fails here.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { firstValueFrom, filter } from 'rxjs';
import { RxStorageInstanceDexie, fromStorageToDexie, getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import fc from 'fast-check';
import { newId, type Student } from '@feemaster/core';
import { createStorage, openDatabase, type FeeMasterDatabase } from './database.ts';
import { MANY_IDS, insertChecked, storedRow } from './checked-insert.ts';

const schoolId = newId();
const at = '2026-03-01T08:00:00.000Z';

function student(n: number, id = newId()): Student {
  return { id, schoolId, admissionNumber: `ADM-${String(n).padStart(4, '0')}`, firstName: `Child${String(n)}`, lastName: `Family${String(n % 7)}`, status: 'active', staffChild: n % 5 === 0, createdAt: at, updatedAt: at };
}

type Row = Record<string, unknown>;

/** The collection's rows as IndexedDB holds them, without what differs between two databases (revision token, write time). */
async function storedRows(db: FeeMasterDatabase): Promise<Row[]> {
  const state = await (db.students.storageInstance.internals as Promise<{ dexieTable: { toArray(): Promise<Row[]> } }>);
  const rows = await state.dexieTable.toArray();
  return rows.map(({ _rev, _meta, ...row }): Row => ({ ...row, rev: String(_rev).split('-')[0], lwt: typeof (_meta as { lwt?: unknown }).lwt })).sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** The collection's change events while `write` runs, as queries and replication get them. */
async function eventsOf(db: FeeMasterDatabase, write: () => Promise<unknown>): Promise<Row[]> {
  const events: Row[] = [];
  const subscription = db.students.$.subscribe((event) => {
    const { _rev, _meta, ...data } = event.documentData as unknown as Row;
    events.push({ operation: event.operation, documentId: event.documentId, data, previous: event.previousDocumentData ?? null, rev: String(_rev).split('-')[0], lwt: typeof (_meta as { lwt?: unknown }).lwt });
  });
  try {
    await write();
  } finally {
    subscription.unsubscribe();
  }
  return events;
}

describe('insertChecked on the desk storage', () => {
  let quick: FeeMasterDatabase;
  let rxdb: FeeMasterDatabase;

  beforeEach(async () => {
    quick = await openDatabase(newId(), createStorage(getRxStorageDexie()));
    rxdb = await openDatabase(newId(), createStorage(getRxStorageDexie()));
  });
  afterEach(async () => {
    await quick.remove();
    await rxdb.remove();
  });

  it('stores the same rows and emits the same change events as RxDB bulkInsert', async () => {
    const existing = Array.from({ length: 5 }, (_, i) => student(i));
    await quick.students.bulkInsert(existing);
    await rxdb.students.bulkInsert(existing);
    const docs = Array.from({ length: 40 }, (_, i) => student(100 + i));

    // The quick path reads no document one by one (RxDB's own insert reads every one first).
    const reads = vi.spyOn(IDBObjectStore.prototype, 'get');
    const quickEvents = await eventsOf(quick, () => insertChecked(quick.students, docs));
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    const rxdbEvents = await eventsOf(rxdb, () => rxdb.students.bulkInsert(docs));

    expect(quickEvents).toHaveLength(40);
    expect(quickEvents).toEqual(rxdbEvents);
    expect(await storedRows(quick)).toEqual(await storedRows(rxdb));
    // What the screens read back is the document as given.
    const found = await quick.students.findByIds(docs.map((d) => d.id)).exec();
    expect(docs.map((d) => found.get(d.id)?.toJSON())).toEqual(docs);
  });

  it('keeps open queries up to date', async () => {
    await quick.students.bulkInsert([student(1)]);
    const count = quick.students.count().$;
    expect(await firstValueFrom(count)).toBe(1);
    const firstTwo = quick.students.find({ sort: [{ lastName: 'asc' }, { firstName: 'asc' }], limit: 2 }).$;
    await firstValueFrom(firstTwo);
    const docs = [student(2), student(3), student(4)];
    await insertChecked(quick.students, docs);
    expect(await firstValueFrom(count.pipe(filter((n) => n === 4)))).toBe(4);
    const expected = [student(1), ...docs].sort((a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName)).slice(0, 2).map((s) => s.admissionNumber);
    const shown = await firstValueFrom(firstTwo.pipe(filter((list) => list.map((d) => d.admissionNumber).join() === expected.join())));
    expect(shown.map((d) => d.admissionNumber)).toEqual(expected);
  });

  it('refuses an id the collection already has, as RxDB does (409), writes the rest and leaves the stored one alone', async () => {
    const first = student(1);
    await quick.students.insert(first);
    const clash = { ...student(2, first.id), firstName: 'Someone else' };
    const others = [student(3), student(4)];
    const result = await insertChecked(quick.students, [others[0] as Student, clash, others[1] as Student]);
    expect(result.error.map((e) => ({ id: e.documentId, status: e.status }))).toEqual([{ id: first.id, status: 409 }]);
    expect((result.error[0] as { documentInDb?: { firstName?: string } }).documentInDb?.firstName).toBe(first.firstName);
    expect((await quick.students.findOne(first.id).exec())?.toJSON()).toEqual(first);
    expect(await quick.students.count().exec()).toBe(3);
  });

  it('writes none of them when IndexedDB refuses one, and tells no query of them', async () => {
    await quick.students.insert(student(1));
    const { put } = Object.getOwnPropertyDescriptors(IDBObjectStore.prototype);
    let calls = 0;
    const puts = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      calls += 1;
      if (calls === 3) throw new DOMException('refused for the test', 'DataError');
      return (put?.value as IDBObjectStore['put']).apply(this, args);
    });
    try {
      const events = await eventsOf(quick, () => expect(insertChecked(quick.students, [student(2), student(3), student(4), student(5)])).rejects.toThrow('refused for the test'));
      expect(events).toEqual([]);
    } finally {
      puts.mockRestore();
    }
    expect(await quick.students.count().exec()).toBe(1);
    expect(await storedRows(quick)).toHaveLength(1);
  });

  it('finds a clash even when the stored ids around it are not part of the write', async () => {
    // Ids made far apart (not the import's one second): the range read spans the stored ones.
    const stored = ['00000000-0000-7000-8000-000000000001', '55555555-0000-7000-8000-000000000001', 'ffffffff-0000-7000-8000-000000000001'].map((id, i) => student(i, id));
    await quick.students.bulkInsert(stored);
    const result = await insertChecked(quick.students, [student(10, '11111111-0000-7000-8000-000000000001'), student(11, stored[1]?.id), student(12, 'eeeeeeee-0000-7000-8000-000000000001')]);
    expect(result.error.map((e) => e.documentId)).toEqual([stored[1]?.id]);
    expect(await quick.students.count().exec()).toBe(5);
    expect((await quick.students.findOne(stored[1]?.id).exec())?.admissionNumber).toBe('ADM-0001');
  });

  it('leaves a write whose ids span many stored documents to RxDB, which inserts them all the same', async () => {
    // Ids far apart with 150 stored between them: too many to list, so RxDB's own write reads each.
    const between = Array.from({ length: 150 }, (_, i) => student(i, `5${String(i).padStart(7, '0')}-0000-7000-8000-000000000001`));
    await quick.students.bulkInsert(between);
    const table = (await (quick.students.storageInstance.internals as Promise<{ dexieTable: { bulkGet: (keys: string[]) => Promise<unknown[]> } }>)).dexieTable;
    const reads = vi.spyOn(table, 'bulkGet');
    const docs = [student(500, '00000000-0000-7000-8000-000000000001'), student(501, 'ffffffff-0000-7000-8000-000000000001')];
    const events = await eventsOf(quick, () => insertChecked(quick.students, docs).then((result) => expect(result.error).toEqual([])));
    expect(reads.mock.calls.flat()).toEqual([docs.map((d) => d.id)]);
    reads.mockRestore();
    expect(events.map((e) => e.documentId)).toEqual(docs.map((d) => d.id));
    expect(await quick.students.count().exec()).toBe(152);
  });

  it('still validates every other write: a bad document is refused with its problems and the rest written', async () => {
    const bad = { ...student(1), admissionNumber: '  ' };
    const result = await quick.students.bulkInsert([student(2), bad]);
    expect(result.error).toHaveLength(1);
    expect(result.error[0]).toMatchObject({ status: 422, documentId: bad.id });
    expect((result.error[0] as { validationErrors: { field: string }[] }).validationErrors.map((e) => e.field)).toContain('/admissionNumber');
    expect(await quick.students.count().exec()).toBe(1);
  });
});

describe('findDocumentsById of many ids on the desk storage', () => {
  let db: FeeMasterDatabase;

  beforeEach(async () => {
    db = await openDatabase(newId(), createStorage(getRxStorageDexie()));
  });
  afterEach(async () => {
    await db.remove();
  });

  /** What RxDB's own Dexie lookup answers, and what the desk's answers and reads one by one. */
  async function bothLookups(ids: string[], withDeleted: boolean): Promise<{ rxdb: unknown[]; desk: unknown[]; readOneByOne: string[] }> {
    const instance = db.students.storageInstance as unknown as RxStorageInstanceDexie<Record<string, unknown>>;
    const rxdb = await RxStorageInstanceDexie.prototype.findDocumentsById.call(instance, ids, withDeleted);
    const table = (await (instance.internals as Promise<{ dexieTable: { bulkGet: (keys: string[]) => Promise<unknown[]> } }>)).dexieTable;
    const reads = vi.spyOn(table, 'bulkGet');
    try {
      const desk = await db.students.storageInstance.findDocumentsById(ids, withDeleted);
      return { rxdb, desk, readOneByOne: reads.mock.calls.flatMap(([keys]) => keys) };
    } finally {
      reads.mockRestore();
    }
  }

  it('answers as RxDB does (order, duplicates, deleted documents only when asked) and reads only the stored ids', async () => {
    // Ids of one moment, as an import's are: every other one stored, and a few of those deleted.
    const ids = Array.from({ length: 120 }, () => newId());
    const stored = ids.filter((_, i) => i % 2 === 1);
    await db.students.bulkInsert(stored.map((id, i) => student(i, id)));
    const deleted = stored.filter((_, i) => i % 10 === 0);
    await db.students.findByIds(deleted).exec().then((found) => Promise.all([...found.values()].map((doc) => doc.remove())));
    // Asked in another order than stored, with an id twice.
    const asked = [...ids].reverse().concat(stored[3] as string);
    expect(asked.length).toBeGreaterThanOrEqual(MANY_IDS);

    for (const withDeleted of [false, true]) {
      const { rxdb, desk, readOneByOne } = await bothLookups(asked, withDeleted);
      expect(desk).toEqual(rxdb);
      expect(desk).toHaveLength(withDeleted ? stored.length + 1 : stored.length + 1 - deleted.length);
      expect(new Set(readOneByOne)).toEqual(new Set(stored));
    }
    // None of them stored (a fresh import's ids): nothing is read.
    const fresh = Array.from({ length: MANY_IDS }, () => newId());
    const { rxdb, desk, readOneByOne } = await bothLookups(fresh, true);
    expect(desk).toEqual([]);
    expect(rxdb).toEqual([]);
    expect(readOneByOne).toEqual([]);
  });

  it('reads every id, as RxDB does, when their range holds many more stored documents than were asked for', async () => {
    const stored = Array.from({ length: MANY_IDS * 5 }, () => newId());
    await db.students.bulkInsert(stored.map((id, i) => student(i, id)));
    // The first and the last stored, and new ones between: the range spans all the stored ones.
    const asked = [stored[0] as string, ...Array.from({ length: MANY_IDS - 2 }, () => newId()), stored.at(-1) as string];
    const { rxdb, desk, readOneByOne } = await bothLookups(asked, false);
    expect(desk).toEqual(rxdb);
    expect(desk).toHaveLength(2);
    expect(readOneByOne).toEqual(asked);
  });
});

describe('storedRow', () => {
  it('stores a document as RxDB fromStorageToDexie does, whatever its fields, keys and indexed booleans', () => {
    // Keys that start with '|' (key compression's) and nested boolean indexes take RxDB's own path.
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('|a', '|', 'a.|b', 'flag', '_deleted'));
    const doc = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }).chain((fields) => fc.record({ _deleted: fc.boolean(), flag: fc.oneof(fc.boolean(), fc.constant(undefined)) }).map((flags) => ({ ...fields, ...flags })));
    const indexes = fc.constantFrom(['_deleted'], ['_deleted', 'flag'], ['_deleted', 'nested.flag'], ['|a']);
    fc.assert(
      fc.property(doc, indexes, (document, booleanIndexes) => {
        const copy = structuredClone(document);
        expect(storedRow([...booleanIndexes])(document as never)).toEqual(fromStorageToDexie([...booleanIndexes], document as never));
        // The document written is left as it was.
        expect(document).toEqual(copy);
      }),
      { numRuns: 300 },
    );
  });
});
