// The void register: every voided or refunded payment with its receipt number (which stays used),
// amount, method, when it was taken and reversed, by whom (and who approved a refund) and why —
// the report a bursar and an auditor read.
import { localDate } from '../calendar-date.ts';
import type { LedgerEntry, PaymentDoc, PaymentMethod, RefundDoc, VoidDoc } from '../fees/ledger.ts';

export interface VoidRegisterLine {
  /** A void within the payment's till, or a refund after it closed. */
  kind: 'void' | 'refund';
  receiptNumber: string;
  paymentId: string;
  payerId: string;
  method: PaymentMethod;
  amount: number;
  takenAt: string;
  voidedAt: string;
  /** The school's calendar day of the void. */
  voidedOn: string;
  voidedBy: string;
  reason: string;
  /** For a refund: how the money went back, and the manager who approved it on the desk. */
  refundMethod?: PaymentMethod;
  approvedBy?: string;
}

export interface VoidRegister {
  lines: readonly VoidRegisterLine[];
  total: number;
  /** Voids and refunds whose payment is not on this desk (outside its ledger years): listed without it. */
  unmatched: readonly (VoidDoc | RefundDoc)[];
}

/**
 * The register for the school days `from`…`to` (inclusive, YYYY-MM-DD) in the school's time zone.
 * A payment voided or refunded twice (two desks) is listed once, at its first reversal.
 */
export function voidRegister(entries: readonly LedgerEntry[], options: { from: string; to: string; timeZone?: string }): VoidRegister {
  const payments = new Map(entries.filter((e): e is PaymentDoc => e.type === 'payment').map((p) => [p.id, p]));
  const firstVoid = new Map<string, VoidDoc | (RefundDoc & { paymentId: string })>();
  for (const entry of entries) {
    if (entry.type !== 'void' && !(entry.type === 'refund' && entry.paymentId !== undefined)) continue;
    const paymentId = entry.paymentId as string;
    const earlier = firstVoid.get(paymentId);
    if (!earlier || entry.createdAt < earlier.createdAt) firstVoid.set(paymentId, { ...entry, paymentId });
  }
  const lines: VoidRegisterLine[] = [];
  const unmatched: (VoidDoc | RefundDoc)[] = [];
  for (const entry of firstVoid.values()) {
    const voidedOn = localDate(entry.createdAt, options.timeZone);
    if (voidedOn < options.from || voidedOn > options.to) continue;
    const payment = payments.get(entry.paymentId);
    if (!payment) {
      unmatched.push(entry);
      continue;
    }
    lines.push({
      kind: entry.type,
      ...(entry.type === 'refund' ? { refundMethod: entry.method, ...(entry.approval ? { approvedBy: entry.approval.approvedBy } : {}) } : {}),
      receiptNumber: payment.receiptNumber,
      paymentId: payment.id,
      payerId: payment.payerId,
      method: payment.method,
      amount: payment.amount,
      takenAt: payment.createdAt,
      voidedAt: entry.createdAt,
      voidedOn,
      voidedBy: entry.createdBy,
      reason: entry.reason,
    });
  }
  lines.sort((a, b) => (a.voidedAt < b.voidedAt ? -1 : a.voidedAt > b.voidedAt ? 1 : a.receiptNumber < b.receiptNumber ? -1 : 1));
  return { lines, total: lines.reduce((sum, line) => sum + line.amount, 0), unmatched };
}
