// Receipt numbers on the desk: the next in the desk's series, never one already stored, none
// skipped, whatever another tab of the same desk took meanwhile.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { formatReceiptNumber, newId, type PaymentDoc } from '@feemaster/core';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from '../db/database.ts';
import { withLedgerKeys } from '../db/ledger-keys.ts';
import type { Desk } from '../desk/open-desk.ts';
import { createPendingChanges, type Journal } from '../sync/pending-changes.ts';
import { nextReceiptNumber, prepareReceiptSeries, takePayment, type DeskIdentity } from './cashier-data.ts';

const schoolId = newId();
const identity: DeskIdentity = { deviceId: newId(), officeId: newId(), officeCode: 'MAIN', deviceCode: 'D07', series: 'MAIN-D07' };

function payment(seq: number, series: Pick<DeskIdentity, 'officeCode' | 'deviceCode'> = identity): PaymentDoc {
  return {
    id: newId(),
    schoolId,
    currency: 'KES',
    createdAt: new Date().toISOString(),
    createdBy: newId(),
    type: 'payment',
    payerId: newId(),
    receiptNumber: formatReceiptNumber(series.officeCode, series.deviceCode, seq),
    deviceId: identity.deviceId,
    officeId: identity.officeId,
    method: 'cash',
    amount: 1_000,
    offline: true,
    allocations: [],
  };
}

let db: FeeMasterDatabase;
beforeEach(async () => {
  db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
});
afterEach(async () => {
  await db.remove();
});

describe('receipt numbers', () => {
  it('starts a new desk at 000001', async () => {
    expect(await nextReceiptNumber(db, identity)).toEqual({ receiptNumber: 'MAIN-D07-000001', seq: 1 });
  });

  it('continues after the highest stored, voided or not, and ignores other desks’ series', async () => {
    await db.ledger.bulkInsert([payment(1), payment(2), payment(41), payment(900, { officeCode: 'MAIN', deviceCode: 'D08' }), payment(3, { officeCode: 'EAST', deviceCode: 'D07' })].map(withLedgerKeys));
    expect((await nextReceiptNumber(db, identity)).receiptNumber).toBe('MAIN-D07-000042');
  });

  it('numbers from where it stands without reading the series again when it holds the till', async () => {
    await db.ledger.bulkInsert([payment(11), payment(12)].map(withLedgerKeys));
    expect(await nextReceiptNumber(db, identity, { holdsTill: true })).toEqual({ receiptNumber: 'MAIN-D07-000013', seq: 13 });
  });

  it('passes over a number another tab of this desk stored meanwhile, and skips none', async () => {
    await db.ledger.insert(withLedgerKeys(payment(5)));
    await prepareReceiptSeries(db, identity);
    await db.ledger.bulkInsert([payment(6), payment(7)].map(withLedgerKeys));
    expect((await nextReceiptNumber(db, identity)).receiptNumber).toBe('MAIN-D07-000008');
  });
});

describe('taking a payment', () => {
  const journal = (): Journal => {
    const entries = new Map<string, string>();
    return { add: (id, at) => void entries.set(id, at), remove: (id, at) => void (entries.get(id) === at && entries.delete(id)), entries: () => [...entries] };
  };
  const deskOf = async (): Promise<Desk> => {
    const ledger = await createPendingChanges(db.ledger, journal());
    return { db, session: { school: { id: schoolId, currency: 'KES' }, user: { id: newId() } }, pending: { ledger } } as unknown as Desk;
  };
  const request = { payerId: newId(), cashSessionId: newId(), offline: true, particulars: { method: 'cash' as const, amount: 1_000 }, allocations: [] };

  it('counts the payment as waiting to sync once written, and a payment that could not be written not at all, without holding up the next', async () => {
    const desk = await deskOf();
    const taken = await takePayment(desk, identity, request, { holdsTill: false });
    expect(taken.receiptNumber).toBe('MAIN-D07-000001');
    await expect(takePayment(desk, identity, { ...request, particulars: { method: 'cash', amount: -5 } }, { holdsTill: false })).rejects.toThrow();
    const next = await takePayment(desk, identity, request, { holdsTill: false });
    await desk.pending.ledger.settle([]);
    expect(next.receiptNumber).toBe('MAIN-D07-000002');
    expect(await firstValueFrom(desk.pending.ledger.count$)).toBe(2);
  });
});
