// What the cashier sees of one family at the window: the children the payer pays for, what is due
// now and later per charge, the payer's credit and recent payments. Derived from the ledger entries
// of those children and of the payers who pay for them, like every balance (rule 2).
import { localDate } from '../calendar-date.ts';
import { compareOldestFirst } from '../fees/allocation.ts';
import type { LedgerEntry } from '../fees/ledger.ts';
import { deriveLedger, type ChargeState, type LedgerState, type PaymentState } from '../fees/ledger-state.ts';
import type { Payer } from '../fees/payers.ts';

export interface PayerAccount {
  payerId: string;
  studentIds: readonly string[];
  /** Charges this payer pays with something still owed, oldest due first. */
  open: readonly ChargeState[];
  /** Owed on charges due today or earlier. */
  dueNow: number;
  /** Owed on charges due after today. */
  dueLater: number;
  /** Money paid in and not yet applied (0 or more). */
  credit: number;
  /** The payer's payments, newest first. */
  payments: readonly PaymentState[];
  state: LedgerState;
}

/** Whether this payer pays the charge: billed to them, or to the student's own account (no payer). */
export function paysCharge(payer: Pick<Payer, 'id' | 'students'>, charge: ChargeState): boolean {
  return charge.payerId === payer.id || (charge.payerId === undefined && payer.students.some((s) => s.studentId === charge.studentId));
}

/**
 * `entries`: every entry about the payer's students and the payments of everyone who pays for
 * them (a sponsor's payment reduces the same charges). `now` is cut to the school's calendar day.
 */
export function payerAccount(payer: Pick<Payer, 'id' | 'students'>, entries: readonly LedgerEntry[], options: { now: Date; timeZone?: string }): PayerAccount {
  const state = deriveLedger(entries, { timeZone: options.timeZone });
  const today = localDate(options.now.toISOString(), options.timeZone);
  const open = [...state.charges.values()].filter((charge) => charge.open > 0 && paysCharge(payer, charge)).sort(compareOldestFirst);
  let dueNow = 0;
  let dueLater = 0;
  for (const charge of open) {
    if (charge.dueDate <= today) dueNow += charge.open;
    else dueLater += charge.open;
  }
  const payments = [...state.payments.values()].filter((p) => p.payerId === payer.id).sort((a, b) => (a.takenAt < b.takenAt ? 1 : a.takenAt > b.takenAt ? -1 : 0));
  return {
    payerId: payer.id,
    studentIds: payer.students.map((s) => s.studentId),
    open,
    dueNow,
    dueLater,
    credit: Math.max(0, state.payerCredit(payer.id)),
    payments,
    state,
  };
}

/** What each student of the account still owes after allocations are applied, and in all. */
export function owedAfter(account: PayerAccount, allocations: readonly { chargeId: string; amount: number }[]): { byStudent: Map<string, number>; total: number } {
  const paid = new Map<string, number>();
  for (const allocation of allocations) paid.set(allocation.chargeId, (paid.get(allocation.chargeId) ?? 0) + allocation.amount);
  const byStudent = new Map<string, number>(account.studentIds.map((id) => [id, 0]));
  let total = 0;
  for (const charge of account.open) {
    const left = Math.max(0, charge.open - (paid.get(charge.id) ?? 0));
    byStudent.set(charge.studentId, (byStudent.get(charge.studentId) ?? 0) + left);
    total += left;
  }
  return { byStudent, total };
}
