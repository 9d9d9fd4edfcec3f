// A desk's till (cash session): what should be in it per method, from the float and the payments
// taken in it less the ones voided and the refunds paid out of it, and the Z-report's figures.
import type { CashSessionCloseDoc, CashSessionOpenDoc, LedgerEntry, MethodAmount, PaymentDoc, PaymentMethod, RefundDoc, VoidDoc } from '../fees/ledger.ts';
import { parseReceiptNumber } from '../fees/receipts.ts';
import { tillVariance, type TillVarianceLine } from '../fees/ledger-rules.ts';

export interface TillPayment {
  id: string;
  receiptNumber: string;
  payerId: string;
  method: PaymentMethod;
  amount: number;
  takenAt: string;
  offline: boolean;
  /** The void that cancelled it, if any. */
  voided?: { id: string; reason: string; at: string };
}

/** Money paid back out of the till: a refund of an earlier payment or of credit. */
export interface TillRefund {
  id: string;
  /** The refunded payment's receipt number; absent for a refund of credit. */
  receiptNumber?: string;
  payerId: string;
  method: PaymentMethod;
  amount: number;
  at: string;
  reason: string;
  /** Who approved it on the desk, when a manager's approval was entered. */
  approvedBy?: string;
}

export interface TillSummary {
  sessionId: string;
  deviceId: string;
  openedAt: string;
  openedBy: string;
  float: number;
  payments: readonly TillPayment[];
  /** Per method: the payments that count (not voided) less the refunds paid out, the float added to cash. */
  expected: readonly MethodAmount[];
  byMethod: readonly { method: PaymentMethod; count: number; amount: number }[];
  /** Σ of the payments that count. */
  taken: number;
  voids: readonly TillPayment[];
  refunds: readonly TillRefund[];
  /** First and last receipt numbers used in the session (voided ones included: they keep their numbers). */
  receipts: { first: string; last: string; count: number } | null;
  closing: CashSessionCloseDoc | null;
}

const METHOD_ORDER: readonly PaymentMethod[] = ['cash', 'cheque', 'bankTransfer', 'mobileMoney', 'card', 'paypal'];

/**
 * `entries`: the session's opening and whatever may belong to it (payments, voids, a closing);
 * entries of other sessions are ignored. A payment is voided by a void naming it.
 */
export function summarizeTill(opening: CashSessionOpenDoc, entries: readonly LedgerEntry[]): TillSummary {
  const payments = entries.filter((e): e is PaymentDoc => e.type === 'payment' && e.cashSessionId === opening.id);
  const voidsByPayment = new Map<string, VoidDoc>();
  for (const entry of entries) {
    if (entry.type !== 'void') continue;
    const earlier = voidsByPayment.get(entry.paymentId);
    if (!earlier || entry.createdAt < earlier.createdAt) voidsByPayment.set(entry.paymentId, entry);
  }
  const closing = entries.find((e): e is CashSessionCloseDoc => e.type === 'cashSessionClose' && e.cashSessionId === opening.id) ?? null;
  const tillPayments: TillPayment[] = payments
    .map((p) => {
      const v = voidsByPayment.get(p.id);
      return {
        id: p.id,
        receiptNumber: p.receiptNumber,
        payerId: p.payerId,
        method: p.method,
        amount: p.amount,
        takenAt: p.createdAt,
        offline: p.offline,
        ...(v ? { voided: { id: v.id, reason: v.reason, at: v.createdAt } } : {}),
      };
    })
    .sort((a, b) => (parseReceiptNumber(a.receiptNumber)?.seq ?? 0) - (parseReceiptNumber(b.receiptNumber)?.seq ?? 0) || (a.takenAt < b.takenAt ? -1 : 1));
  const receiptOf = new Map(entries.filter((e): e is PaymentDoc => e.type === 'payment').map((p) => [p.id, p.receiptNumber]));
  const refunds: TillRefund[] = entries
    .filter((e): e is RefundDoc => e.type === 'refund' && e.cashSessionId === opening.id)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .map((r) => {
      const receiptNumber = r.paymentId === undefined ? undefined : receiptOf.get(r.paymentId);
      return {
        id: r.id,
        ...(receiptNumber === undefined ? {} : { receiptNumber }),
        payerId: r.payerId,
        method: r.method,
        amount: r.amount,
        at: r.createdAt,
        reason: r.reason,
        ...(r.approval === undefined ? {} : { approvedBy: r.approval.approvedBy }),
      };
    });
  const paidOut = (method: PaymentMethod): number => refunds.filter((r) => r.method === method).reduce((sum, r) => sum + r.amount, 0);
  const counting = tillPayments.filter((p) => !p.voided);
  const byMethod = METHOD_ORDER.map((method) => {
    const of = counting.filter((p) => p.method === method);
    return { method, count: of.length, amount: of.reduce((sum, p) => sum + p.amount, 0) };
  }).filter((line) => line.count > 0);
  const expected: MethodAmount[] = METHOD_ORDER.flatMap((method) => {
    const taken = (byMethod.find((line) => line.method === method)?.amount ?? 0) + (method === 'cash' ? opening.float : 0);
    const out = paidOut(method);
    // Never below nothing: a desk refuses to pay out more than its till holds.
    const amount = Math.max(0, taken - out);
    return method === 'cash' || taken > 0 || out > 0 ? [{ method, amount }] : [];
  });
  const [first] = tillPayments;
  const last = tillPayments.at(-1);
  return {
    sessionId: opening.id,
    deviceId: opening.deviceId,
    openedAt: opening.createdAt,
    openedBy: opening.createdBy,
    float: opening.float,
    payments: tillPayments,
    expected,
    byMethod,
    taken: counting.reduce((sum, p) => sum + p.amount, 0),
    voids: tillPayments.filter((p) => p.voided),
    refunds,
    receipts: first && last ? { first: first.receiptNumber, last: last.receiptNumber, count: tillPayments.length } : null,
    closing,
  };
}

/** Expected beside counted for the closing form: every expected method, counted ones the cashier entered. */
export function closingLines(summary: TillSummary, counted: readonly MethodAmount[]): TillVarianceLine[] {
  return tillVariance(summary.expected, counted);
}

/** The opening of this desk's till that has no closing yet, the newest if several. */
export function openTillOf(deviceId: string, entries: readonly LedgerEntry[]): CashSessionOpenDoc | null {
  const closed = new Set(entries.filter((e): e is CashSessionCloseDoc => e.type === 'cashSessionClose').map((e) => e.cashSessionId));
  const open = entries
    .filter((e): e is CashSessionOpenDoc => e.type === 'cashSessionOpen' && e.deviceId === deviceId && !closed.has(e.id))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  return open[0] ?? null;
}
