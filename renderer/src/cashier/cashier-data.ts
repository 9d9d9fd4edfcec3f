// The cashier's reads and writes against the desk's replica: which desk and receipt series this
// is, the till, a family's ledger entries, and the payment, void and till documents, each written
// locally at once (online or not) and marked pending until the server has it; refunds of earlier
// tills' payments, with a manager's approval when needed.
import { Observable, combineLatest, distinctUntilChanged, firstValueFrom, from, map, of, shareReplay, switchMap } from 'rxjs';
import {
  formatReceiptNumber,
  newId,
  openTillOf,
  parseReceiptNumber,
  payerAccount,
  refundCredit,
  refundPayment,
  refusalToWrite,
  voidPayment as voidPaymentEntry,
  summarizeTill,
  type CashSessionCloseDoc,
  type CashSessionOpenDoc,
  type CorrectionAuthor,
  type LedgerEntry,
  type LedgerState,
  type MethodAmount,
  type NewPaymentInput,
  type Payer,
  type PayerAccount,
  type PaymentDoc,
  type PaymentMethod,
  type ReferenceDoc,
  type RefundDoc,
  type TillSummary,
  type VoidDoc,
  newPayment,
} from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { isOfflineSession } from '../api/session.ts';
import { createCardApi } from '../api/card-api.ts';
import { ApiError } from '../api/client.ts';
import type { FeeMasterDatabase } from '../db/database.ts';
import { ledgerEntryOf, withLedgerKeys } from '../db/ledger-keys.ts';
import { endTiming, startTiming } from '../components/timings.ts';
import { asCommit } from '../sync/commit-gate.ts';

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
  // One exact read of the type index each: tills are few, the ledger is large.
  return combineLatest([db.ledger.find({ selector: { type: 'cashSessionOpen' } }).$, db.ledger.find({ selector: { type: 'cashSessionClose' } }).$]).pipe(
    map(([opened, closed]) => openTillOf(deviceId, [...opened.map(ledgerEntryOf), ...closed.map(ledgerEntryOf)])),
  );
}

/**
 * What may belong to a till: the payments, voids and closing made since it was opened. Read by
 * time alone, through the createdAt index (a selector on several types would be read through the
 * type index from the first to the last of them: most of a large ledger).
 */
export function tillEntries$(db: FeeMasterDatabase, opening: CashSessionOpenDoc): Observable<LedgerEntry[]> {
  const wanted = new Set<LedgerEntry['type']>(['payment', 'void', 'refund', 'cashSessionClose']);
  return db.ledger.find({ selector: { createdAt: { $gte: opening.createdAt } } }).$.pipe(
    map((docs) => [opening, ...docs.map(ledgerEntryOf).filter((entry) => wanted.has(entry.type))]),
    // A refund paid out of this till is of an earlier till's payment: read those for their receipt numbers.
    switchMap((entries) => {
      const have = new Set(entries.map((e) => e.id));
      const earlier = [...new Set(entries.flatMap((e) => (e.type === 'refund' && e.paymentId !== undefined && !have.has(e.paymentId) ? [e.paymentId] : [])))];
      if (earlier.length === 0) return of(entries);
      return from(db.ledger.findByIds(earlier).exec()).pipe(map((found) => [...entries, ...[...found.values()].map(ledgerEntryOf)]));
    }),
  );
}

/** The till's summary, read once for every part of the screen that shows it (the till panel, a refund's cash limit). */
export function tillSummary$(db: FeeMasterDatabase, opening: CashSessionOpenDoc): Observable<TillSummary> {
  return tillEntries$(db, opening).pipe(
    map((entries) => summarizeTill(opening, entries)),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
}

/** Entries whose lookup key is one of `values`: one exact index read each (an $in is read as one range from the least to the greatest). */
function withKeys$(db: FeeMasterDatabase, key: 'studentKey' | 'payerKey', values: readonly string[]): Observable<LedgerEntry[]> {
  if (values.length === 0) return of([]);
  return combineLatest(values.map((value) => db.ledger.find({ selector: { [key]: value } }).$)).pipe(map((lists) => lists.flatMap((docs) => docs.map(ledgerEntryOf))));
}

/** Writes one ledger entry on this desk; it syncs when the server can be reached. */
export async function recordEntry(desk: Desk, entry: LedgerEntry): Promise<void> {
  const pending = desk.pending.ledger;
  // Marked before writing (not awaited: it is stored a moment later, before any settle asked for after it).
  pending.mark(entry.id, entry.createdAt).catch((error: unknown) => console.warn('The entry is saved, but could not be counted as waiting to sync:', error));
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

/** The highest number of the series stored on this desk (voided ones included), through the receipt-number key. */
async function highestInSeries(db: FeeMasterDatabase, identity: DeskIdentity): Promise<number> {
  const inSeries = { receiptKey: { $gt: `${identity.series}-`, $lt: `${identity.series}.` } };
  const top = await db.ledger.findOne({ selector: inSeries, sort: [{ receiptKey: 'desc' }] }).exec();
  const highest = top ? (parseReceiptNumber(top.receiptKey)?.seq ?? 0) : 0;
  // Numbers sort as text while they have six digits; a series past 999,999 is read whole.
  if (highest < 999_999) return highest;
  const all = await db.ledger.find({ selector: inSeries }).exec();
  return Math.max(...all.map((doc) => parseReceiptNumber(doc.receiptKey)?.seq ?? 0));
}

/** The last number this page used per replica and series, so a payment needs one exact lookup, not a read of the series. */
const lastUsed = new Map<string, number>();
const seriesKey = (db: FeeMasterDatabase, identity: DeskIdentity): string => `${db.name}:${identity.deviceId}:${identity.series}`;

/** Reads where the series stands, ahead of the first payment (the till calls it when it opens). */
export async function prepareReceiptSeries(db: FeeMasterDatabase, identity: DeskIdentity): Promise<void> {
  const key = seriesKey(db, identity);
  if (!lastUsed.has(key)) lastUsed.set(key, await highestInSeries(db, identity));
}

/**
 * The series' next number: one above the last used (voided numbers included; they are never
 * reused). Another tab or window of this desk may have used numbers meanwhile: a number already
 * stored is passed over, so none is handed out twice and none skipped.
 */
export async function nextReceiptNumber(db: FeeMasterDatabase, identity: DeskIdentity, options: { holdsTill?: boolean } = {}): Promise<{ receiptNumber: string; seq: number }> {
  await prepareReceiptSeries(db, identity);
  const last = lastUsed.get(seriesKey(db, identity)) ?? 0;
  // The window holding the till is the only one numbering this series: what it used last is where the series stands.
  if (options.holdsTill) return { receiptNumber: formatReceiptNumber(identity.officeCode, identity.deviceCode, last + 1), seq: last + 1 };
  for (let seq = last + 1; ; seq += 1) {
    const receiptNumber = formatReceiptNumber(identity.officeCode, identity.deviceCode, seq);
    if (!(await db.ledger.findOne({ selector: { receiptKey: receiptNumber } }).exec())) return { receiptNumber, seq };
  }
}

/**
 * One payment at a time in this page. Across the desk's windows the till itself is held by one
 * window at a time (useTillHolder), so numbering needs no lock of its own per payment.
 */
let localChain: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = localChain.then(work, work);
  localChain = run.catch(() => undefined);
  return run;
}

export type PaymentRequest = Omit<NewPaymentInput, 'id' | 'schoolId' | 'currency' | 'createdBy' | 'deviceId' | 'officeId' | 'receiptNumber' | 'now'>;

/** Numbers and writes the payment on this desk: the receipt number is the desk's next, at once. */
/** `holdsTill`: this window holds the desk's till (tillHolder$), so no other numbers its receipts. */
/** `id`: the payment's id chosen beforehand (a card payment's, charged under it at Stripe first). */
export async function takePayment(desk: Desk, identity: DeskIdentity, request: PaymentRequest, options: { holdsTill: boolean; now?: Date; id?: string }): Promise<PaymentDoc> {
  const now = options.now ?? new Date();
  startTiming('payment-commit');
  return asCommit(() => oneAtATime(async () => {
    const id = options.id ?? newId();
    const createdAt = now.toISOString();
    const pending = desk.pending.ledger;
    // Marked pending first, so the settle of the payment's upload, asked for later, cannot
    // overtake it; the mark is journalled at once and stored once the payment is written, so the
    // two writes do not compete while the cashier waits.
    let written: () => void = () => undefined;
    const marked = pending.mark(id, createdAt, { after: new Promise<void>((resolve) => (written = resolve)) });
    marked.catch(() => undefined);
    try {
      const { receiptNumber, seq } = await nextReceiptNumber(desk.db, identity, { holdsTill: options.holdsTill });
      const payment = newPayment({
        ...request,
        id,
        schoolId: desk.session.school.id,
        currency: desk.session.school.currency,
        createdBy: desk.session.user.id,
        deviceId: identity.deviceId,
        officeId: identity.officeId,
        receiptNumber,
        now,
      });
      await desk.db.ledger.insert(withLedgerKeys(payment)).finally(written);
      lastUsed.set(seriesKey(desk.db, identity), seq);
      endTiming('payment-commit');
      // The payment is stored: a mark that failed only leaves the pending count one short.
      marked.catch((error: unknown) => console.warn('The payment is saved, but could not be counted as waiting to sync:', error));
      return payment;
    } catch (error) {
      // Not written: the mark is stored and taken back, in that order.
      written();
      await pending.settle([{ id, updatedAt: createdAt }]);
      throw error;
    }
  }));
}

/**
 * Gives a card payment back to the card through Stripe, for the void or refund `entryId` about to
 * be recorded: Stripe's refund id, or an error that says the connection is needed.
 */
async function giveBackToCard(desk: Desk, paymentId: string, entry: { id: string; reason: string }, kind: 'void' | 'refund'): Promise<string> {
  try {
    const result = await createCardApi(desk.session.serverUrl, desk.tokens).refund(paymentId, { entryId: entry.id, kind, reason: entry.reason });
    return result.stripeRefundId;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'offline') {
      throw new Error(`A card payment goes back to the card through Stripe, which needs the connection: ${kind} it once the desk is back online.`, { cause: error });
    }
    throw error;
  }
}

/**
 * Voids a payment of the open till, checked by core's voidPayment against the family's ledger (a
 * payment whose credit was refunded or used since cannot be voided). A card payment's void gives
 * the money back to the card first (online); any other is recorded at once.
 */
export async function voidPayment(desk: Desk, identity: DeskIdentity, payment: PaymentDoc, reason: string, cashSessionId: string, now = new Date()): Promise<VoidDoc> {
  const payer = (await desk.db.payers.findOne(payment.payerId).exec())?.toJSON() as Payer | undefined;
  const { account } = await firstValueFrom(familyAccount$(desk, payer ?? { id: payment.payerId, students: [] }, () => now));
  const { id: _id, ...author } = common(desk, now);
  const entry = voidPaymentEntry({ ...author, deviceId: identity.deviceId, now: now.toISOString(), state: account.state, paymentId: payment.id, reason, cashSessionId, voidOnlyInSameSession: true });
  if (payment.method === 'card') await giveBackToCard(desk, payment.id, entry, 'void');
  await recordEntry(desk, entry);
  return entry;
}

/**
 * Whether the person at the desk may refund on their own: a manager signed in online. Anyone
 * else (a cashier, or a manager whose sign-in began offline) refunds with a manager's approval.
 */
export function refundNeedsApproval(desk: Desk): boolean {
  return refusalToWrite(desk.session.user.role, 'ledger', { type: 'refund' }, isOfflineSession(desk.session) ? 'offline' : 'online') !== null;
}

export interface RefundRequest {
  method: PaymentMethod;
  reference?: string;
  reason: string;
  /** The open till: cash is paid out of it; other methods go back through the bank or the service, not the till. */
  tillId: string;
}

const fromTill = ({ tillId, ...request }: RefundRequest) => ({ ...request, ...(request.method === 'cash' ? { cashSessionId: tillId } : {}) });

/** Signs a refund with a manager's approval; null when the person at the desk may refund alone. */
export type ApproveRefund = ((refund: RefundDoc) => Promise<RefundDoc>) | null;

/**
 * Writes a refund core built for this desk and person, synced later. `finish`, when given, completes
 * it first: a manager's approval signs it, or Stripe's refund of a card payment names it.
 */
async function recordRefund(desk: Desk, identity: DeskIdentity, build: (author: CorrectionAuthor) => RefundDoc, finish: ApproveRefund, now: Date): Promise<RefundDoc> {
  const { id: _id, ...author } = common(desk, now);
  const refund = build({ ...author, deviceId: identity.deviceId, now: now.toISOString() });
  const entry = finish ? await finish(refund) : refund;
  await recordEntry(desk, entry);
  return entry;
}

/** Refunds a whole payment of an earlier till out of the open one (core's refundPayment checks it against the family's ledger). */
/** A card payment goes back to the card through Stripe first, by someone who may refund alone (card refunds are online anyway). */
export function refundPaymentAtDesk(desk: Desk, identity: DeskIdentity, state: LedgerState, paymentId: string, request: RefundRequest, approve: ApproveRefund, now = new Date()): Promise<RefundDoc> {
  if (state.payments.get(paymentId)?.method === 'card') {
    if (approve) return Promise.reject(new Error('A card payment goes back to the card through Stripe: a bursar, administrator or the owner signs in on this desk and refunds it.'));
    const toCard: ApproveRefund = async (refund) => ({ ...refund, method: 'card', reference: await giveBackToCard(desk, paymentId, refund, 'refund') });
    return recordRefund(desk, identity, (author) => refundPayment({ ...author, state, paymentId, method: 'card', reason: request.reason }), toCard, now);
  }
  return recordRefund(desk, identity, (author) => refundPayment({ ...author, state, paymentId, ...fromTill(request) }), approve, now);
}

/** Pays back part or all of a family's credit out of the open till. */
export function refundCreditAtDesk(desk: Desk, identity: DeskIdentity, state: LedgerState, payerId: string, request: RefundRequest & { amount: number }, approve: ApproveRefund, now = new Date()): Promise<RefundDoc> {
  return recordRefund(desk, identity, (author) => refundCredit({ ...author, state, payerId, amount: request.amount, ...fromTill(request) }), approve, now);
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
  return combineLatest([withKeys$(desk.db, 'studentKey', studentIds), payerIds$.pipe(switchMap((payerIds) => withKeys$(desk.db, 'payerKey', payerIds)))]).pipe(
    map(([aboutStudents, ofPayers]) => {
      const byId = new Map<string, LedgerEntry>();
      for (const entry of [...aboutStudents, ...ofPayers]) byId.set(entry.id, entry);
      const entries = [...byId.values()];
      return { account: payerAccount(payer, entries, { now: now(), timeZone: desk.session.school.timezone }), entries };
    }),
  );
}

/**
 * Whether this window holds the desk's till: one window at a time takes payments, so two tabs of
 * the browser edition never number receipts side by side. The other windows wait for it and take
 * the till over when that one closes. (The desktop app runs one window.)
 */
export function tillHolder$(series: string): Observable<boolean> {
  return new Observable<boolean>((subscriber) => {
    if (typeof navigator === 'undefined' || !('locks' in navigator)) {
      subscriber.next(true);
      return undefined;
    }
    const released = new AbortController();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    subscriber.next(false);
    navigator.locks
      .request(`feemaster-till-${series}`, { signal: released.signal }, () => {
        subscriber.next(true);
        return held;
      })
      .catch((error: unknown) => {
        if (!(error instanceof DOMException && error.name === 'AbortError')) subscriber.error(error);
      });
    return () => {
      release();
      released.abort();
    };
  });
}
