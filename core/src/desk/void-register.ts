// The void register: every voided payment with its receipt number (which stays used), amount,
// method, when it was taken and voided, by whom and why — the report a bursar and an auditor read.
import { localDate } from '../calendar-date.ts';
import type { LedgerEntry, PaymentDoc, PaymentMethod, VoidDoc } from '../fees/ledger.ts';

export interface VoidRegisterLine {
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
}

export interface VoidRegister {
  lines: readonly VoidRegisterLine[];
  total: number;
  /** Voids whose payment is not on this desk (outside its ledger years): listed without it. */
  unmatched: readonly VoidDoc[];
}

/**
 * The register for the school days `from`…`to` (inclusive, YYYY-MM-DD) in the school's time zone.
 * A payment voided twice (two desks) is listed once, at its first void.
 */
export function voidRegister(entries: readonly LedgerEntry[], options: { from: string; to: string; timeZone?: string }): VoidRegister {
  const payments = new Map(entries.filter((e): e is PaymentDoc => e.type === 'payment').map((p) => [p.id, p]));
  const firstVoid = new Map<string, VoidDoc>();
  for (const entry of entries) {
    if (entry.type !== 'void') continue;
    const earlier = firstVoid.get(entry.paymentId);
    if (!earlier || entry.createdAt < earlier.createdAt) firstVoid.set(entry.paymentId, entry);
  }
  const lines: VoidRegisterLine[] = [];
  const unmatched: VoidDoc[] = [];
  for (const entry of firstVoid.values()) {
    const voidedOn = localDate(entry.createdAt, options.timeZone);
    if (voidedOn < options.from || voidedOn > options.to) continue;
    const payment = payments.get(entry.paymentId);
    if (!payment) {
      unmatched.push(entry);
      continue;
    }
    lines.push({
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
