// The cashier's reads and writes against the desk's replica: which desk and receipt series this
// is, the till, a family's ledger entries, and the payment, void and till documents, each written
// locally at once (online or not) and marked pending until the server has it.
import { combineLatest, distinctUntilChanged, map, switchMap, type Observable } from 'rxjs';
import {
  formatReceiptNumber,
  newId,
  openTillOf,
  parseReceiptNumber,
  payerAccount,
  type CashSessionCloseDoc,
  type CashSessionOpenDoc,
  type LedgerEntry,
  type MethodAmount,
  type NewPaymentInput,
  type Payer,
  type PayerAccount,
  type PaymentDoc,
  type ReferenceDoc,
  type VoidDoc,
  newPayment,
} from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import type { FeeMasterDatabase } from '../db/database.ts';
import { ledgerEntryOf, withLedgerKeys } from '../db/ledger-keys.ts';
import { endTiming, startTiming } from '../components/timings.ts';

/** Who and where this desk is, for its documents and receipt numbers. */
export interface DeskIdentity {
  deviceId: string;
  officeId: string;
  officeCode: string;
  deviceCode: string;
  /** `MAIN-D02`. */
  series: string;
}

export type IdentityResult = { ok: true; identity: DeskIdentity } | { ok: false; problem: string };

/**
 * This desk's identity from the replicated reference data (its device and office documents), so
 * it holds offline and follows an admin who moves the desk to another office.
 */
export function deskIdentity$(desk: Desk): Observable<IdentityResult> {
  const deviceId = desk.device?.id ?? desk.session.deviceId ?? null;
  return desk.db.reference.find({ selector: { kind: { $in: ['device', 'office'] } } }).$.pipe(
    map((docs): IdentityResult => {
      if (!deviceId) {
        return { ok: false, problem: 'This computer is not enrolled as a desk of the school, so it has no receipt series. An admin registers it under Desks and types the approval code here.' };
      }
      const refs = docs.map((d) => d.toJSON() as ReferenceDoc);
      const device = refs.find((r) => r.kind === 'device' && r.id === deviceId);
      const officeId = device?.kind === 'device' ? device.data.officeId : (desk.device?.officeId ?? null);
      const office = refs.find((r) => r.kind === 'office' && r.id === officeId);
      const deviceCode = device?.kind === 'device' ? device.data.code : desk.device?.code;
      const officeCode = office?.kind === 'office' ? office.data.code : (desk.device?.receiptSeries?.split('-')[0] ?? null);
      if (!officeId || !officeCode || !deviceCode) {
        return { ok: false, problem: 'This desk has no office yet, so its receipts cannot be numbered. An admin gives it an office under Desks.' };
      }
      return { ok: true, identity: { deviceId, officeId, officeCode, deviceCode, series: `${officeCode}-${deviceCode}` } };
    }),
  );
}

/** The till of this desk that is open, or null. */
export function openTill$(db: FeeMasterDatabase, deviceId: string): Observable<CashSessionOpenDoc | null> {
  return db.ledger
    .find({ selector: { type: { $in: ['cashSessionOpen', 'cashSessionClose'] } } })
    .$.pipe(map((docs) => openTillOf(deviceId, docs.map(ledgerEntryOf))));
}

/** What may belong to a till: the payments, voids and closing made since it was opened. */
export function tillEntries$(db: FeeMasterDatabase, opening: CashSessionOpenDoc): Observable<LedgerEntry[]> {
  return db.ledger
    .find({ selector: { type: { $in: ['payment', 'void', 'cashSessionClose'] }, createdAt: { $gte: opening.createdAt } } })
    .$.pipe(map((docs) => [opening, ...docs.map(ledgerEntryOf)]));
}

/** Writes one ledger entry on this desk; it syncs when the server can be reached. */
export async function recordEntry(desk: Desk, entry: LedgerEntry): Promise<void> {
  const pending = desk.pending.ledger;
  // Marked before writing, so a push that completes at once cannot race ahead of the mark.
  await pending.mark(entry.id, entry.createdAt);
  try {
    await desk.db.ledger.insert(withLedgerKeys(entry));
  } catch (error) {
    await pending.settle([{ id: entry.id, updatedAt: entry.createdAt }]);
    throw error;
  }
}

const common = (desk: Desk, now: Date) => ({
  id: newId(),
  schoolId: desk.session.school.id,
  currency: desk.session.school.currency,
  createdAt: now.toISOString(),
  createdBy: desk.session.user.id,
});

export async function openTill(desk: Desk, identity: DeskIdentity, float: number, now = new Date()): Promise<CashSessionOpenDoc> {
  const opening: CashSessionOpenDoc = { ...common(desk, now), type: 'cashSessionOpen', deviceId: identity.deviceId, officeId: identity.officeId, float };
  await recordEntry(desk, opening);
  return opening;
}

export async function closeTill(
  desk: Desk,
  identity: DeskIdentity,
  opening: CashSessionOpenDoc,
  counts: { expected: readonly MethodAmount[]; counted: readonly MethodAmount[]; varianceReason?: string },
  now = new Date(),
): Promise<CashSessionCloseDoc> {
  const reason = counts.varianceReason?.trim();
  const closing: CashSessionCloseDoc = {
    ...common(desk, now),
    type: 'cashSessionClose',
    cashSessionId: opening.id,
    deviceId: identity.deviceId,
    officeId: identity.officeId,
    expected: [...counts.expected],
    counted: [...counts.counted],
    ...(reason ? { varianceReason: reason } : {}),
  };
  await recordEntry(desk, closing);
  return closing;
}

/**
 * The series' next number: one above the highest on this desk (voided numbers included; they are
 * never reused), read through the receipt-number index, so it costs the same with 200,000
 * entries. Numbers sort as text while they have six digits; a series past 999,999 is read whole.
 */
export async function nextReceiptNumber(db: FeeMasterDatabase, identity: DeskIdentity): Promise<string> {
  const prefix = `${identity.series}-`;
  const inSeries = { receiptKey: { $gt: prefix, $lt: `${identity.series}.` } };
  const top = await db.ledger.findOne({ selector: inSeries, sort: [{ receiptKey: 'desc' }] }).exec();
  let highest = top ? (parseReceiptNumber(top.receiptKey)?.seq ?? 0) : 0;
  if (highest >= 999_999) {
    const all = await db.ledger.find({ selector: inSeries }).exec();
    highest = Math.max(...all.map((doc) => parseReceiptNumber(doc.receiptKey)?.seq ?? 0));
  }
  return formatReceiptNumber(identity.officeCode, identity.deviceCode, highest + 1);
}

/** One receipt number at a time per desk, across the desk's windows and tabs (Web Locks where the platform has them). */
let localChain: Promise<unknown> = Promise.resolve();
async function withReceiptLock<T>(series: string, work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request(`feemaster-receipts-${series}`, work);
  }
  const run = localChain.then(work, work);
  localChain = run.catch(() => undefined);
  return run;
}

export type PaymentRequest = Omit<NewPaymentInput, 'id' | 'schoolId' | 'currency' | 'createdBy' | 'deviceId' | 'officeId' | 'receiptNumber' | 'now'>;

/** Numbers and writes the payment on this desk: the receipt number is the desk's next, at once. */
export async function takePayment(desk: Desk, identity: DeskIdentity, request: PaymentRequest, now = new Date()): Promise<PaymentDoc> {
  startTiming('payment-commit');
  return withReceiptLock(identity.series, async () => {
    const payment = newPayment({
      ...request,
      id: newId(),
      schoolId: desk.session.school.id,
      currency: desk.session.school.currency,
      createdBy: desk.session.user.id,
      deviceId: identity.deviceId,
      officeId: identity.officeId,
      receiptNumber: await nextReceiptNumber(desk.db, identity),
      now,
    });
    await recordEntry(desk, payment);
    endTiming('payment-commit');
    return payment;
  });
}

export async function voidPayment(desk: Desk, identity: DeskIdentity, payment: PaymentDoc, reason: string, cashSessionId: string, now = new Date()): Promise<VoidDoc> {
  const entry: VoidDoc = { ...common(desk, now), type: 'void', paymentId: payment.id, payerId: payment.payerId, cashSessionId, reason: reason.trim(), deviceId: identity.deviceId };
  await recordEntry(desk, entry);
  return entry;
}

/**
 * A family's account, recomputed whenever an entry about it is written or synced: the entries
 * about the payer's students, and the payments, voids and refunds of every payer of those
 * students (a sponsor's payment reduces the same charges).
 */
export function familyAccount$(desk: Desk, payer: Pick<Payer, 'id' | 'students'>, now: () => Date = () => new Date()): Observable<{ account: PayerAccount; entries: LedgerEntry[] }> {
  const studentIds = payer.students.map((s) => s.studentId);
  const payerIds$ = desk.db.payers.find().$.pipe(
    map((docs) => [...new Set([payer.id, ...docs.map((d) => d.toJSON() as Payer).filter((p) => p.students.some((s) => studentIds.includes(s.studentId))).map((p) => p.id)])].sort()),
    distinctUntilChanged((a, b) => a.join() === b.join()),
  );
  return combineLatest([
    desk.db.ledger.find({ selector: { studentKey: { $in: studentIds } } }).$,
    payerIds$.pipe(switchMap((payerIds) => desk.db.ledger.find({ selector: { payerKey: { $in: payerIds } } }).$)),
  ]).pipe(
    map(([aboutStudents, ofPayers]) => {
      const byId = new Map<string, LedgerEntry>();
      for (const list of [aboutStudents, ofPayers]) for (const doc of list) byId.set(doc.id, ledgerEntryOf(doc));
      const entries = [...byId.values()];
      return { account: payerAccount(payer, entries, { now: now(), timeZone: desk.session.school.timezone }), entries };
    }),
  );
}
