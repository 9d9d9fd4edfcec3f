// Corrections to the append-only ledger (rule 2): each builder checks the correction against the
// derived state and returns a new reversing document with its reason and author, never an edit.
// Who may make which correction is not decided here: the permission table gates these builders.
import { CodedError } from '../coded-error.ts';
import { newId } from '../ids.ts';
import { formatMoney } from '../money.ts';
import type { ChequeReturnDoc, DiscountDoc, PaymentMethod, RefundDoc, VoidDoc, WaiverDoc, WriteOffDoc } from './ledger.ts';
import { assertCalendarDate } from '../calendar-date.ts';
import type { ChargeState, LedgerState, PaymentState } from './ledger-state.ts';

export type CorrectionErrorCode =
  | 'blank-reason'
  | 'invalid-amount'
  | 'invalid-date'
  | 'unknown-payment'
  | 'payment-not-active'
  | 'credit-used'
  | 'other-session'
  | 'same-session'
  | 'not-a-cheque'
  | 'more-than-credit'
  | 'unknown-charge'
  | 'not-a-fine'
  | 'not-an-invoice-charge'
  | 'more-than-open';

/** A correction that is not allowed as asked; the message tells the cashier what to do instead. */
export class CorrectionError extends CodedError<CorrectionErrorCode> {
  override readonly name = 'CorrectionError';
}

/** Who makes the correction, and when (ISO instant). */
export interface CorrectionAuthor {
  schoolId: string;
  currency: string;
  createdBy: string;
  deviceId?: string;
  now: string;
}

const REASON_MAX = 500;

function header(who: CorrectionAuthor) {
  return {
    id: newId(),
    schoolId: who.schoolId,
    currency: who.currency,
    createdAt: who.now,
    createdBy: who.createdBy,
    ...(who.deviceId === undefined ? {} : { deviceId: who.deviceId }),
  };
}

function checkedReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length < 3 || trimmed.length > REASON_MAX) {
    throw new CorrectionError('blank-reason', `Give a reason of 3 to ${String(REASON_MAX)} characters: it is printed in the void register and the audit trail`);
  }
  return trimmed;
}

function checkedAmount(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new CorrectionError('invalid-amount', 'The amount must be a whole amount above zero: enter it again');
  }
  return amount;
}

function activePayment(state: LedgerState, paymentId: string): PaymentState {
  const payment = state.payments.get(paymentId);
  if (payment === undefined) {
    throw new CorrectionError('unknown-payment', 'This payment is not in the ledger on this desk: sync, then try again');
  }
  if (payment.status !== 'active') {
    throw new CorrectionError('payment-not-active', `Receipt ${payment.receiptNumber} is already ${payment.status}: there is nothing left to reverse`);
  }
  return payment;
}

/**
 * A payment's unallocated part is the payer's credit. Reversing the payment takes that credit
 * back, so none of it may have been refunded or applied since: it would be paid out twice, or the
 * charges it paid would silently reopen.
 */
function creditStillThere(payment: PaymentState, currency: string, action: 'void' | 'refund'): void {
  if (payment.creditDrawnSince > 0) {
    throw new CorrectionError(
      'credit-used',
      `Cannot ${action} receipt ${payment.receiptNumber}: ${formatMoney(payment.credited, currency)} of it was left as credit, and ${formatMoney(payment.creditDrawnSince, currency)} of that was refunded or applied to other fees since, so the ${action} would take back money already paid out or spent. Ask the bursar to correct the payer's account.`,
    );
  }
}

function openCharge(state: LedgerState, chargeId: string, amount: number, currency: string, action: string): ChargeState {
  const charge = state.charges.get(chargeId);
  if (charge === undefined) {
    throw new CorrectionError('unknown-charge', 'This charge is not in the ledger on this desk: sync, then try again');
  }
  if (amount > charge.open) {
    throw new CorrectionError(
      'more-than-open',
      `Cannot ${action} ${formatMoney(amount, currency)} on '${charge.description}': only ${formatMoney(charge.open, currency)} is still owed`,
    );
  }
  return charge;
}

/**
 * Voids a payment taken in error. The void is recorded in `cashSessionId`, the session open now;
 * with the school's voidOnlyInSameSession policy that must be the payment's own session, because
 * money counted into a closed till can no longer simply be handed back.
 */
export function voidPayment(input: CorrectionAuthor & { state: LedgerState; paymentId: string; reason: string; cashSessionId?: string; voidOnlyInSameSession: boolean }): VoidDoc {
  const reason = checkedReason(input.reason);
  const payment = activePayment(input.state, input.paymentId);
  if (input.voidOnlyInSameSession && (input.cashSessionId === undefined || payment.cashSessionId !== input.cashSessionId)) {
    throw new CorrectionError(
      'other-session',
      `Receipt ${payment.receiptNumber} was taken in another cash session: only payments of the open session can be voided; ask the bursar to refund or correct it`,
    );
  }
  creditStillThere(payment, input.currency, 'void');
  return {
    ...header(input),
    type: 'void',
    paymentId: payment.id,
    payerId: payment.payerId,
    ...(input.cashSessionId === undefined ? {} : { cashSessionId: input.cashSessionId }),
    reason,
  };
}

/** Records a cheque the bank returned: the payment stops counting and the dues it paid reopen. */
export function returnCheque(input: CorrectionAuthor & { state: LedgerState; paymentId: string; returnedOn: string; reason: string }): ChequeReturnDoc {
  const reason = checkedReason(input.reason);
  try {
    assertCalendarDate(input.returnedOn);
  } catch (error) {
    throw new CorrectionError('invalid-date', error instanceof Error ? error.message : 'Enter the date the bank returned the cheque as YYYY-MM-DD');
  }
  const payment = activePayment(input.state, input.paymentId);
  if (payment.method !== 'cheque') {
    throw new CorrectionError('not-a-cheque', `Receipt ${payment.receiptNumber} was paid by ${payment.method}, not cheque: void it instead`);
  }
  return { ...header(input), type: 'chequeReturn', paymentId: payment.id, payerId: payment.payerId, returnedOn: input.returnedOn, reason };
}

/** Pays money back to a payer out of their credit, never more than the credit; out of the desk's open till when it names one. */
export function refundCredit(
  input: CorrectionAuthor & { state: LedgerState; payerId: string; amount: number; method: PaymentMethod; reference?: string; reason: string; cashSessionId?: string },
): RefundDoc {
  const reason = checkedReason(input.reason);
  const amount = checkedAmount(input.amount);
  const credit = input.state.payerCredit(input.payerId);
  if (amount > credit) {
    throw new CorrectionError(
      'more-than-credit',
      `Cannot refund ${formatMoney(amount, input.currency)}: this payer has only ${formatMoney(Math.max(credit, 0), input.currency)} of credit`,
    );
  }
  return {
    ...header(input),
    type: 'refund',
    payerId: input.payerId,
    amount,
    method: input.method,
    ...(input.reference === undefined ? {} : { reference: input.reference }),
    reason,
    ...(input.cashSessionId === undefined ? {} : { cashSessionId: input.cashSessionId }),
  };
}

/**
 * Refunds a whole payment after its till has closed: the payment stops counting, the dues it
 * paid reopen, and its amount is paid back by `method`, out of the desk's open till
 * (`cashSessionId`) when it records the refund. A payment of the till still open is voided instead.
 * Who may refund (a manager, or a cashier with a manager's approval) is decided by the caller.
 */
export function refundPayment(
  input: CorrectionAuthor & { state: LedgerState; paymentId: string; method?: PaymentMethod; reference?: string; reason: string; cashSessionId?: string },
): RefundDoc {
  const reason = checkedReason(input.reason);
  const payment = activePayment(input.state, input.paymentId);
  if (input.cashSessionId !== undefined && payment.cashSessionId === input.cashSessionId) {
    throw new CorrectionError('same-session', `Receipt ${payment.receiptNumber} was taken in the till still open: void it instead of refunding it`);
  }
  creditStillThere(payment, input.currency, 'refund');
  const reference = input.reference?.trim();
  return {
    ...header(input),
    type: 'refund',
    payerId: payment.payerId,
    amount: payment.amount,
    method: input.method ?? payment.method,
    ...(reference ? { reference } : {}),
    reason,
    paymentId: payment.id,
    ...(input.cashSessionId === undefined ? {} : { cashSessionId: input.cashSessionId }),
  };
}

/** Forgives all or part of a late fee. */
export function waiveFine(input: CorrectionAuthor & { state: LedgerState; fineId: string; amount: number; reason: string }): WaiverDoc {
  const reason = checkedReason(input.reason);
  const amount = checkedAmount(input.amount);
  const existing = input.state.charges.get(input.fineId);
  if (existing !== undefined && existing.kind !== 'fine') {
    throw new CorrectionError('not-a-fine', `'${existing.description}' is a fee, not a late fee: give a concession or write it off instead`);
  }
  const fine = openCharge(input.state, input.fineId, amount, input.currency, 'waive');
  return { ...header(input), type: 'waiver', studentId: fine.studentId, fineId: fine.id, amount, reason };
}

/** Gives up on collecting all or part of a charge or fine. */
export function writeOff(input: CorrectionAuthor & { state: LedgerState; chargeId: string; amount: number; reason: string }): WriteOffDoc {
  const reason = checkedReason(input.reason);
  const amount = checkedAmount(input.amount);
  const charge = openCharge(input.state, input.chargeId, amount, input.currency, 'write off');
  return { ...header(input), type: 'writeOff', studentId: charge.studentId, chargeId: charge.id, amount, reason };
}

/** A manual discount on an invoice charge, for a reason the bursar gives. */
export function concession(input: CorrectionAuthor & { state: LedgerState; chargeId: string; amount: number; reason: string }): DiscountDoc {
  const reason = checkedReason(input.reason);
  const amount = checkedAmount(input.amount);
  const existing = input.state.charges.get(input.chargeId);
  if (existing !== undefined && (existing.kind !== 'charge' || existing.invoiceId === undefined)) {
    throw new CorrectionError('not-an-invoice-charge', `'${existing.description}' is a late fee: waive it instead of giving a concession`);
  }
  const charge = openCharge(input.state, input.chargeId, amount, input.currency, 'give a concession of');
  if (charge.invoiceId === undefined) {
    throw new CorrectionError('not-an-invoice-charge', `'${charge.description}' is not on an invoice: waive or write it off instead`);
  }
  return { ...header(input), type: 'discount', studentId: charge.studentId, invoiceId: charge.invoiceId, chargeId: charge.id, source: 'concession', amount, reason };
}
