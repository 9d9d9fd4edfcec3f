// The export worker's read of the replica against RxDB's own answers, on a real RxDB database
// with its Dexie storage (on fake-indexeddb): the same documents in the same order for every kind
// of export, removed ones left out, the desk's lookup keys off. If an RxDB upgrade stores its
// documents differently, these fail before a bursar's export does.
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKinds, newId, type ChequeReturnDoc, type ExportKind, type InvoiceDoc, type LedgerEntry, type Payer, type PaymentDoc, type ReferenceDoc, type RefundDoc, type Student, type VoidDoc } from '@feemaster/core';
import { createStorage, openDatabase, type FeeMasterDatabase } from '../db/database.ts';
import { ledgerEntryOf, withLedgerKeys } from '../db/ledger-keys.ts';
import { eachLiveStoredByKey, eachStoredInReplica, readReplica, replicaQueryOf, withoutStorageFields, type PlainDocument, type StoredDocument } from '../db/replica-read.ts';
import { exportNeeds } from './export-build.ts';
import { exportQueries, readExportSource, type ExportQueries } from './read-replica.ts';

const settings = { indexedDB, IDBKeyRange };
const schoolId = newId();
const officeId = newId();
const deviceIds = [newId(), newId()];
const at = '2026-01-02T06:00:00.000Z';
const cashier = newId();
const methods = ['cash', 'mobileMoney', 'bankTransfer', 'cheque'] as const;

/** A small school: families of one or two children, a term invoice each, payments, every tenth voided. */
function smallSchool(studentCount: number, paymentCount: number) {
  const names = ['Amani', 'Zoë', 'Jabari', 'Akinyi', 'Brian'];
  const students: Student[] = Array.from({ length: studentCount }, (_, i) => ({ id: newId(), schoolId, admissionNumber: `ADM-${String((i * 37) % 1000).padStart(4, '0')}`, firstName: names[i % names.length] ?? 'Amani', lastName: i % 3 === 0 ? 'Otieno' : 'Wafula', status: 'active', createdAt: at, updatedAt: at }));
  const payers: Payer[] = [];
  for (let i = 0; i < students.length; i += i % 3 === 0 ? 2 : 1) {
    const children = students.slice(i, i + (i % 3 === 0 ? 2 : 1));
    payers.push({ id: newId(), schoolId, kind: 'family', name: `${children[0]?.lastName ?? ''} family ${String(payers.length % 7)}`, contacts: [{ type: 'phone', value: `+2547${String(10_000_000 + i)}` }], preferredChannel: 'sms', students: children.map((c) => ({ studentId: c.id, share: 10_000 })), createdAt: at, updatedAt: at });
  }
  const invoices: InvoiceDoc[] = students.map((s) => ({ id: newId(), schoolId, currency: 'KES', createdAt: at, createdBy: cashier, type: 'invoice', studentId: s.id, termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-02', charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 6_000_000 }] }));
  const payments: PaymentDoc[] = Array.from({ length: paymentCount }, (_, i) => {
    const payer = payers[(i * 7) % payers.length];
    const method = methods[i % methods.length] ?? 'cash';
    return {
      id: newId(),
      schoolId,
      currency: 'KES',
      createdAt: new Date(Date.parse('2026-01-05T07:00:00.000Z') + ((i * 7919) % paymentCount) * 600_000).toISOString(),
      createdBy: cashier,
      type: 'payment',
      payerId: payer?.id ?? '',
      receiptNumber: `MAIN-D0${String((i % 2) + 1)}-${String(i + 1).padStart(6, '0')}`,
      deviceId: deviceIds[i % 2] ?? '',
      officeId,
      method,
      amount: 50_000 + i * 100,
      offline: i % 5 === 0,
      allocations: [],
      ...(method === 'cheque' ? { cheque: { number: String(100_000 + i), bank: 'KCB', date: '2026-01-05' } } : {}),
    };
  });
  const voids: VoidDoc[] = payments.filter((_, i) => i % 10 === 3).map((p) => ({ id: newId(), schoolId, currency: 'KES', createdAt: p.createdAt, createdBy: cashier, type: 'void', paymentId: p.id, payerId: p.payerId, reason: 'Keyed twice' }));
  return { students, payers, invoices, payments, voids };
}

/**
 * What the desk read before the worker did: RxDB's queries, their documents' toJSON(). A payment
 * export reads its payments apart, with the whole ledger (`whole`, by id: the order of its keys).
 */
async function rxdbSource(db: FeeMasterDatabase, kind: ExportKind) {
  const needs = exportNeeds[kind];
  const whileReading = kind === 'payments';
  const types = needs.ledger === 'none' || needs.ledger === 'all' ? [] : needs.ledger.filter((type) => !whileReading || type !== 'payment');
  const ledgerQuery = needs.ledger === 'none' ? null : needs.ledger === 'all' ? db.ledger.find() : db.ledger.find({ selector: { type: { $in: types } } });
  return {
    whole: whileReading ? (await db.ledger.find({ sort: [{ id: 'asc' }] }).exec()).map((doc) => doc.toJSON()) : null,
    students: needs.students ? (await db.students.find().exec()).map((doc) => doc.toJSON()) : [],
    payers: needs.payers ? (await db.payers.find().exec()).map((doc) => doc.toJSON()) : [],
    reference: needs.reference.length > 0 ? (await db.reference.find({ selector: { kind: { $in: [...needs.reference] } } }).exec()).map((doc) => doc.toJSON()) : [],
    ledger: ledgerQuery ? (await ledgerQuery.exec()).map((doc): LedgerEntry => ledgerEntryOf(doc)) : [],
  };
}

describe("the export worker's read of the replica", () => {
  let db: FeeMasterDatabase;
  const expected = new Map<ExportKind, Awaited<ReturnType<typeof rxdbSource>>>();
  const queries = new Map<ExportKind, ExportQueries>();
  let removedIds: string[] = [];

  beforeAll(async () => {
    db = await openDatabase(schoolId, createStorage(getRxStorageDexie(settings)));
    const school = smallSchool(60, 400);
    const reference: ReferenceDoc[] = [
      { id: officeId, schoolId, kind: 'office', name: 'Main office', data: { code: 'MAIN' }, createdAt: at, updatedAt: at },
      ...deviceIds.map((id, i): ReferenceDoc => ({ id, schoolId, kind: 'device', name: `Front desk ${String(i + 1)}`, data: { officeId, code: `D0${String(i + 1)}` }, createdAt: at, updatedAt: at })),
      { id: newId(), schoolId, kind: 'class', name: 'Grade 4 East', data: {}, createdAt: at, updatedAt: at },
    ];
    await db.students.bulkInsert(school.students);
    await db.payers.bulkInsert(school.payers);
    await db.reference.bulkInsert(reference);
    // A cheque return and a refund too: the payments export reads four entry types, one query each.
    const payment = school.payments[20];
    if (!payment) throw new Error('the school has too few payments');
    const common = { schoolId, currency: 'KES', createdAt: '2026-01-20T08:00:00.000Z', createdBy: newId(), payerId: payment.payerId };
    const returned: ChequeReturnDoc = { ...common, id: newId(), type: 'chequeReturn', paymentId: payment.id, returnedOn: '2026-01-20', reason: 'Refer to drawer' };
    const refund: RefundDoc = { ...common, id: newId(), type: 'refund', amount: 20_000, method: 'mobileMoney', reason: 'Left the school' };
    await db.ledger.bulkInsert([...school.invoices, ...school.payments, ...school.voids, returned, refund].map((entry) => withLedgerKeys(entry)));
    // Removed documents stay in IndexedDB, marked deleted: no export may show them.
    removedIds = [school.students[3]?.id, school.payers[2]?.id, school.payments[10]?.id, school.invoices[5]?.id, school.voids[0]?.id].filter((id): id is string => id !== undefined);
    await db.students.bulkRemove(removedIds.slice(0, 1));
    await db.payers.bulkRemove(removedIds.slice(1, 2));
    await db.ledger.bulkRemove(removedIds.slice(2));
    for (const kind of exportKinds) {
      expected.set(kind, await rxdbSource(db, kind));
      queries.set(kind, exportQueries(db, kind));
    }
    // The worker opens its own connection to each collection's IndexedDB database: so does this
    // test, once RxDB's is closed (an RxDB that named or laid out its tables differently would
    // leave it reading nothing, or something else).
    await db.close();
  });
  afterAll(async () => {
    await db.remove();
  });

  it.each(exportKinds)('reads what RxDB finds for the %s export, in the same order', async (kind) => {
    const kindQueries = queries.get(kind) ?? exportQueries(db, kind);
    const read = await readExportSource(kindQueries, settings);
    const { whole, ...want } = expected.get(kind) ?? (await rxdbSource(db, kind));
    expect(want.ledger.length).toBeGreaterThan(exportNeeds[kind].ledger === 'none' ? -1 : 0);
    expect(read.source).toStrictEqual(want);
    const wholeLedger = kindQueries.wholeLedger;
    const byKey: PlainDocument[] = [];
    if (wholeLedger !== null) await eachLiveStoredByKey(wholeLedger, (stored) => byKey.push(withoutStorageFields(stored)), settings);
    expect(wholeLedger === null ? null : byKey).toStrictEqual(whole);
  });

  it('reads every payment for the payments export, apart from what reverses them', () => {
    const want = expected.get('payments');
    expect(new Set(want?.ledger.map((entry) => entry.type))).toEqual(new Set(['void', 'chequeReturn', 'refund']));
    // 400 payments, one of them removed.
    expect(want?.whole?.filter((entry) => entry.type === 'payment')).toHaveLength(399);
  });

  it('reads a whole collection by its keys: the first and last stored told first, removed ones left out', async () => {
    const ends: StoredDocument[] = [];
    const visited: string[] = [];
    const query = queries.get('payments')?.wholeLedger;
    if (!query) throw new Error('the payments export reads the whole ledger');
    await eachLiveStoredByKey(query, (stored) => visited.push(stored.id as string), settings, (first, last) => {
      expect(visited).toEqual([]);
      ends.push(first, last);
    });
    const live = expected.get('payments')?.whole?.map((entry) => entry.id) ?? [];
    expect(visited).toEqual(live);
    // Removed entries are still stored: the ends count them.
    const stored = [...live, ...removedIds.slice(2)].sort();
    expect(ends.map((doc) => doc.id)).toEqual([stored[0], stored.at(-1)]);
    // A reader that throws stops the read with its error, after the documents it took.
    let taken = 0;
    const stoppedAt = eachLiveStoredByKey(query, () => {
      taken += 1;
      if (taken === 3) throw new Error('no room for a third');
    }, settings);
    await expect(stoppedAt).rejects.toThrow('no room for a third');
    expect(taken).toBe(3);
  });


  it('leaves out removed documents and the desk lookup keys', async () => {
    const read = await readExportSource(queries.get('invoices') ?? exportQueries(db, 'invoices'), settings);
    const ids = new Set([...read.source.students, ...read.source.payers, ...read.source.ledger].map((doc) => doc.id));
    for (const id of removedIds) expect(ids.has(id)).toBe(false);
    for (const entry of read.source.ledger) expect(Object.keys(entry).filter((key) => key.endsWith('Key') || key.startsWith('_'))).toEqual([]);
    expect(read.source.students).toHaveLength(59);
  });
});

describe('a replica query read with a cursor', () => {
  it('gives what RxDB gives, when the index cannot answer the selector or the order, and with skip and limit', async () => {
    const db = await openDatabase(newId(), createStorage(getRxStorageDexie(settings)));
    try {
      const school = smallSchool(30, 100);
      await db.students.bulkInsert(school.students);
      await db.ledger.bulkInsert(school.payments.map((entry) => withLedgerKeys(entry)));
      await db.students.bulkRemove([school.students[0]?.id ?? '']);
      const cases = [
        db.ledger.find(),
        db.students.find(),
        db.ledger.find({ selector: { type: 'payment' } }),
        // The whole ledger in its order, straight from the createdAt index.
        db.ledger.find({ sort: [{ createdAt: 'asc' }, { id: 'asc' }] }),
        // Not in any index: RxDB matches each document and sorts them itself.
        db.ledger.find({ selector: { method: 'cash' }, sort: [{ amount: 'desc' }] }),
        db.students.find({ selector: { firstName: { $in: ['Amani', 'Zoë'] } }, sort: [{ firstName: 'asc' }, { id: 'desc' }], skip: 2, limit: 5 }),
        db.ledger.find({ selector: { createdAt: { $gt: '2099-01-01' } } }),
        // The whole range one key.
        db.students.find({ selector: { id: school.students[5]?.id ?? '' } }),
      ] as const;
      for (const query of cases) {
        const want = (await query.exec()).map((doc) => doc.toJSON());
        expect(await readReplica(replicaQueryOf(query), settings)).toStrictEqual(want);
        // Handed over one at a time, as the payment export takes them.
        const visited: PlainDocument[] = [];
        await eachStoredInReplica(replicaQueryOf(query), (stored) => visited.push(withoutStorageFields(stored)), settings);
        expect(visited).toStrictEqual(want);
      }
      // A read by keys gives every live document; it refuses a query that would keep fewer.
      for (const query of [db.ledger.find({ selector: { type: 'payment' } }), db.students.find({ skip: 1 }), db.students.find({ limit: 3 })]) {
        await expect(eachLiveStoredByKey(replicaQueryOf(query), () => undefined, settings)).rejects.toThrow(/must not select, skip or limit/);
      }
      const students: PlainDocument[] = [];
      await eachLiveStoredByKey(replicaQueryOf(db.students.find({ sort: [{ lastName: 'asc' }] })), (stored) => students.push(withoutStorageFields(stored)), settings);
      expect(students).toStrictEqual((await db.students.find({ sort: [{ id: 'asc' }] }).exec()).map((doc) => doc.toJSON()));
    } finally {
      await db.remove();
    }
  });
});
