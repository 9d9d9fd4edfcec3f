// A payment export written while the replica is read against the one built the usual way
// (paymentExportRows, then the writer) from the same documents, on a real RxDB database with
// its Dexie storage (fake-indexeddb): the same file for every format and filter, whether the
// ledger comes in its order or not.
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { unzipSync } from 'fflate';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExportError,
  collectExport,
  exportRows,
  idMadeAt,
  newId,
  paymentExportColumns,
  paymentLedgerOrder,
  paymentExportRows,
  type ChequeReturnDoc,
  type ExportFormat,
  type InvoiceDoc,
  type LedgerEntry,
  type Payer,
  type PaymentDoc,
  type PaymentExportFilters,
  type ReferenceDoc,
  type RefundDoc,
  type Student,
  type VoidDoc,
} from '@feemaster/core';
import { createStorage, openDatabase } from '../db/database.ts';
import { withLedgerKeys } from '../db/ledger-keys.ts';
import { KEY_CLOCK_SLACK_MS, writePaymentsWhileReading, type ReadProgress } from './payments-while-reading.ts';
import { exportQueries, type ExportQueries } from './read-replica.ts';

const settings = { indexedDB, IDBKeyRange };
const schoolId = newId();
const officeId = newId();
const deviceIds = [newId(), newId(), newId()];
const cashiers = [newId(), newId()];
const at = '2026-01-02T06:00:00.000Z';
const TIME_ZONE = 'Africa/Nairobi';
const methods = ['cash', 'mobileMoney', 'bankTransfer', 'cheque'] as const;

/**
 * Three desks' payments, each desk's clock a little off, so the order they were stored in is not
 * the ledger's order; every seventh voided, some voided twice, cheques returned, payments
 * refunded, and a refund of credit (no payment). Each entry's id is made, as on a desk, on the
 * clock that wrote its createdAt (`idAt` the entry's time), unless a case says otherwise.
 */
function school(paymentCount: number, instant: (ms: number, i: number) => string, idAt: (ms: number, i: number) => string = (ms) => idMadeAt(ms)) {
  const students: Student[] = Array.from({ length: 40 }, (_, i) => ({ id: newId(), schoolId, admissionNumber: `ADM-${String(i + 1).padStart(3, '0')}`, firstName: ['Amani', 'Zoë', 'Jabari'][i % 3] ?? 'Amani', lastName: i % 2 === 0 ? 'Otieno' : 'Núñez', status: 'active', createdAt: at, updatedAt: at }));
  const payers: Payer[] = Array.from({ length: 20 }, (_, i) => ({
    id: newId(),
    schoolId,
    kind: 'family',
    name: `=Family ${String(i)}`,
    contacts: [{ type: 'phone', value: `+2547${String(10_000_000 + i)}` }],
    preferredChannel: 'sms',
    students: [students[2 * i], students[2 * i + 1]].flatMap((s) => (s ? [{ studentId: s.id, share: 5_000 }] : [])),
    createdAt: at,
    updatedAt: at,
  }));
  const invoiceTime = instant(Date.parse('2026-01-03T05:00:00.000Z'), 0);
  const invoices: InvoiceDoc[] = students.map((s, i) => ({ id: idAt(Date.parse(invoiceTime), i), schoolId, currency: 'KES', createdAt: invoiceTime, createdBy: cashiers[0] ?? '', type: 'invoice', studentId: s.id, termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-03', charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 6_000_000 }] }));
  const payments: PaymentDoc[] = Array.from({ length: paymentCount }, (_, i) => {
    const desk = i % 3;
    const payer = payers[(i * 7) % payers.length] as Payer;
    const method = methods[i % methods.length] ?? 'cash';
    // Desk 2's clock runs 40 minutes behind, desk 3's 25 ahead; payments straddle midnight in Nairobi.
    const ms = Date.parse('2026-01-05T20:00:00.000Z') + i * 60_000 + ([0, -40, 25][desk] ?? 0) * 60_000;
    const createdAt = instant(ms, i);
    return {
      id: idAt(Date.parse(createdAt), i),
      schoolId,
      currency: 'KES',
      createdAt,
      createdBy: cashiers[i % 2] ?? '',
      type: 'payment',
      payerId: payer.id,
      receiptNumber: `MAIN-D0${String(desk + 1)}-${String(i + 1).padStart(6, '0')}`,
      deviceId: i % 11 === 5 ? newId() : (deviceIds[desk] ?? ''),
      officeId,
      method,
      amount: 50_000 + i * 101,
      offline: i % 5 === 0,
      allocations: payer.students.map((s) => ({ studentId: s.studentId, chargeId: newId(), amount: 100 })),
      ...(method === 'mobileMoney' ? { mobileMoneyProvider: 'M-Pesa', reference: i % 8 === 1 ? '@SUM(A1)' : `Q${String(i)}` } : {}),
      ...(method === 'cheque' ? { cheque: { number: String(100_000 + i), bank: 'KCB', date: '2026-01-05' } } : {}),
    };
  });
  const later = (p: PaymentDoc, minutes: number): string => instant(Date.parse(p.createdAt) + minutes * 60_000, 1);
  const common = (p: PaymentDoc, minutes: number) => {
    const createdAt = later(p, minutes);
    return { id: idAt(Date.parse(createdAt), paymentCount), schoolId, currency: 'KES', createdAt, createdBy: cashiers[1] ?? '', payerId: p.payerId };
  };
  const reversals: (VoidDoc | ChequeReturnDoc | RefundDoc)[] = [];
  payments.forEach((p, i) => {
    if (i % 7 === 3) reversals.push({ ...common(p, 5), type: 'void', paymentId: p.id, reason: 'Keyed twice' });
    // Voided on two desks: the earlier void counts.
    if (i % 21 === 3) reversals.push({ ...common(p, -1), type: 'void', paymentId: p.id, reason: 'Wrong family' });
    if (p.method === 'cheque' && i % 3 === 0) reversals.push({ ...common(p, 60), type: 'chequeReturn', paymentId: p.id, returnedOn: '2026-01-09', reason: 'Refer to drawer' });
    if (i % 13 === 6) reversals.push({ ...common(p, 30), type: 'refund', paymentId: p.id, amount: p.amount, method: 'cash', reason: 'Left the school' });
  });
  const credit: RefundDoc = { ...common(payments[0] as PaymentDoc, 90), type: 'refund', amount: 1_000, method: 'cash', reason: 'Overpaid' };
  const reference: ReferenceDoc[] = [
    { id: officeId, schoolId, kind: 'office', name: 'Main office', data: { code: 'MAIN' }, createdAt: at, updatedAt: at },
    ...deviceIds.map((id, i): ReferenceDoc => ({ id, schoolId, kind: 'device', name: `Front desk ${String(i + 1)}`, data: { officeId, code: `D0${String(i + 1)}` }, createdAt: at, updatedAt: at })),
  ];
  // Stored in the order the desks uploaded them, not the ledger's.
  const ledger: LedgerEntry[] = [...invoices, ...payments.filter((_, i) => i % 3 !== 1), ...reversals, credit, ...payments.filter((_, i) => i % 3 === 1)];
  return { students, payers, reference, ledger, staffNames: new Map([[cashiers[0] ?? '', 'Grace Wanjiru']]) };
}

type School = ReturnType<typeof school>;

/** The school in a replica of its own; its payment export's queries, planned by RxDB. */
async function replicaOf(data: School): Promise<{ queries: ExportQueries; remove: () => Promise<void> }> {
  const db = await openDatabase(newId(), createStorage(getRxStorageDexie(settings)));
  await db.students.bulkInsert(data.students);
  await db.payers.bulkInsert(data.payers);
  await db.reference.bulkInsert(data.reference);
  await db.ledger.bulkInsert(data.ledger.map((entry) => withLedgerKeys(entry)));
  const queries = exportQueries(db, 'payments');
  return { queries, remove: () => db.remove().then(() => undefined) };
}

const options = { currency: 'KES', timeZone: TIME_ZONE, batchRows: 7 };

/** The file as the export worker built it before: every row, sorted, then written. */
async function builtAfterReading(data: School, filters: PaymentExportFilters, format: ExportFormat): Promise<Uint8Array> {
  const rows = paymentExportRows(data, filters, { timeZone: TIME_ZONE });
  return collectExport(exportRows(format, paymentExportColumns, rows, { ...options, sheetName: 'Payments' }));
}

/** A workbook's parts (a zip's entries carry the time they were written, so two files differ there). */
function parts(xlsx: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(xlsx)).map(([name, bytes]) => [name, new TextDecoder().decode(bytes)]));
}

const filterCases: PaymentExportFilters[] = [
  {},
  { includeVoided: true },
  { includeVoided: true, from: '2026-01-06', to: '2026-01-06' },
  { methods: ['cheque', 'mobileMoney'], includeVoided: true },
  { deviceId: deviceIds[1] ?? '' },
  { officeId, from: '2026-01-06' },
];

describe('a payment export written while the replica is read', () => {
  const inOrder = school(150, (ms) => new Date(ms).toISOString());
  let replica: Awaited<ReturnType<typeof replicaOf>>;

  beforeAll(async () => {
    replica = await replicaOf(inOrder);
  });
  afterAll(async () => {
    await replica.remove();
  });

  it.each(filterCases)('writes the file the rows sorted afterwards give, for %o', async (filters) => {
    for (const format of ['xlsx', 'csv', 'json'] as const) {
      const written = await writePaymentsWhileReading({ queries: replica.queries, filters, format, options, staffNames: Promise.resolve(inOrder.staffNames) }, settings);
      const want = await builtAfterReading(inOrder, filters, format);
      const whole = await collectExport((async function* () { yield* written.chunks; })());
      if (format === 'xlsx') expect(parts(whole)).toStrictEqual(parts(want));
      else expect(new TextDecoder().decode(whole)).toBe(new TextDecoder().decode(want));
      expect(written.rows).toBe(paymentExportRows(inOrder, filters, { timeZone: TIME_ZONE }).length);
      expect(written.writtenAgain).toBe(false);
    }
  });

  it('gives the rows with their statuses and names, and says how far the read has come', async () => {
    const progress: ReadProgress[] = [];
    const written = await writePaymentsWhileReading({ queries: replica.queries, filters: { includeVoided: true }, format: 'csv', options, staffNames: Promise.resolve(inOrder.staffNames), onProgress: (report) => progress.push(report), progressEvery: 25 }, settings);
    // Every ledger entry is read (the charges too), in the ledger's order; each report says how
    // many, the time of the last one, and its place in the ledger's time span; the last says all.
    const ledger = [...inOrder.ledger].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
    expect(ledger.length).toBeGreaterThan(150);
    const from = Date.parse(ledger[0]?.createdAt ?? '');
    const to = Date.parse(ledger.at(-1)?.createdAt ?? '');
    expect(to).toBeGreaterThan(from);
    const every25 = Array.from({ length: Math.floor(ledger.length / 25) }, (_, i) => {
      const upTo = ledger[(i + 1) * 25 - 1]?.createdAt ?? '';
      return { entries: (i + 1) * 25, upTo, share: (Date.parse(upTo) - from) / (to - from) };
    });
    expect(progress).toEqual([...every25, { entries: ledger.length, upTo: ledger.at(-1)?.createdAt, share: 1 }]);
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.every((report, i) => i === 0 || report.share >= (progress[i - 1]?.share ?? 1))).toBe(true);
    const text = new TextDecoder().decode(await collectExport((async function* () { yield* written.chunks; })()));
    expect(written.rows).toBe(150);
    for (const status of [',voided,Wrong family,', ',voided,Keyed twice,', ',returned,Refer to drawer,', ',refunded,Left the school,', ',active,,']) expect(text).toContain(status);
    expect(text).toContain("'=Family");
    expect(text).toContain('Grace Wanjiru');
  });

  it('refuses a filter naming a desk the school does not have', async () => {
    const written = writePaymentsWhileReading({ queries: replica.queries, filters: { deviceId: newId() }, format: 'csv', options, staffNames: Promise.resolve(inOrder.staffNames) }, settings);
    await expect(written).rejects.toBeInstanceOf(ExportError);
  });
});

describe('a payment export whose ledger does not come in its order', () => {
  // Instants written with and without fractions of a second, six payments a second: their text
  // ("…:00Z" after "…:00.5Z") is not their order, which the rows keep all the same.
  const mixed = school(60, (_ms, i) => {
    const second = new Date(Date.parse('2026-01-06T08:00:00.000Z') + Math.floor(i / 6) * 1000).toISOString();
    return second.replace('.000Z', i % 6 < 3 ? 'Z' : '.5Z');
  });
  // Ids made up to 50 seconds either side of their createdAt (a slow desk, a clock corrected
  // between the two readings): payments 10 seconds apart come by their keys out of their order,
  // one made 50 seconds late read after two made after it.
  const skew = (i: number): number => [50_000, 0, -30_000, 0][i % 4] ?? 0;
  const skewed = school(90, (_ms, i) => new Date(Date.parse('2026-01-06T08:00:00.000Z') + i * 10_000).toISOString(), (ms, i) => idMadeAt(ms + skew(i)));
  // Ids made long after their createdAt, in another order (entries keyed anew by an older system,
  // or a desk whose clock was set back between the two readings).
  const rekeyed = school(60, (ms) => new Date(ms).toISOString(), (ms, i) => idMadeAt(Date.parse('2026-03-01T00:00:00.000Z') + ((i * 7919) % 60) * 1000 + (ms % 1000)));
  const cases = [
    { name: 'instants written differently', data: mixed, writtenAgain: false },
    { name: 'ids made within the slack of their createdAt', data: skewed, writtenAgain: false },
    { name: 'ids made far from their createdAt', data: rekeyed, writtenAgain: true },
  ];

  it.each(cases)('writes the file of the sorted rows with $name (written again: $writtenAgain)', async ({ data, writtenAgain }) => {
    const replica = await replicaOf(data);
    try {
      for (const filters of filterCases) {
        const written = await writePaymentsWhileReading({ queries: replica.queries, filters, format: 'xlsx', options, staffNames: Promise.resolve(data.staffNames) }, settings);
        expect(written.writtenAgain).toBe(writtenAgain && written.rows > 1);
        expect(parts(await collectExport((async function* () { yield* written.chunks; })()))).toStrictEqual(parts(await builtAfterReading(data, filters, 'xlsx')));
      }
    } finally {
      await replica.remove();
    }
  });

  it('the skewed school comes out of order by its keys, within the slack', () => {
    // So its case above shows rows held until no payment read later can come before them.
    const byKey = skewed.ledger.filter((entry) => entry.type === 'payment').sort((a, b) => (a.id < b.id ? -1 : 1));
    const inLedgerOrder = [...byKey].sort(paymentLedgerOrder);
    expect(byKey.map((p) => p.id)).not.toEqual(inLedgerOrder.map((p) => p.id));
    expect(Math.max(...Array.from({ length: 90 }, (_, i) => Math.abs(skew(i))))).toBeLessThan(KEY_CLOCK_SLACK_MS);
  });
});
