// Spreads a payment (or a payer's credit) over open charges: oldest due first across all of a
// family's children and instalments, or as the cashier chose. Whatever is not allocated is credit,
// so allocations plus credit always add up to the money exactly.
import { CodedError } from '../coded-error.ts';
import { formatMoney } from '../money.ts';
import type { Allocation } from './ledger.ts';
import type { ChargeState, LedgerState } from './ledger-state.ts';

export type AllocationErrorCode = 'invalid-amount' | 'unknown-charge' | 'duplicate-charge' | 'more-than-open' | 'more-than-available' | 'no-credit';

/** An allocation the cashier asked for that cannot be made; the message says what to change. */
export class AllocationError extends CodedError<AllocationErrorCode> {
  override readonly name = 'AllocationError';
}

export type AllocationMode =
  | { kind: 'oldest-first' }
  | { kind: 'chosen'; allocations: readonly { chargeId: string; amount: number }[] };

export interface AllocationResult {
  allocations: Allocation[];
  /** What is left over for the payer's credit. */
  credit: number;
}

export interface AllocatePaymentInput {
  amount: number;
  /** The charges the money may go to; those with nothing open are passed over. */
  charges: readonly ChargeState[];
  mode: AllocationMode;
  /** For amounts in error messages; plain minor units without it. */
  currency?: string;
}

const KIND_ORDER = { charge: 0, fine: 1 } as const;

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Oldest due first; on the same day the fee before its late fee, then by student and id so every desk agrees. */
export function compareOldestFirst(a: ChargeState, b: ChargeState): number {
  return compareText(a.dueDate, b.dueDate) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareText(a.studentId, b.studentId) || compareText(a.id, b.id);
}

function allocate(total: number, charges: readonly ChargeState[], mode: AllocationMode, source: 'payment' | 'credit', currency?: string): AllocationResult {
  const money = (amount: number): string => (currency === undefined ? String(amount) : formatMoney(amount, currency));
  const label = (charge: ChargeState): string => `'${charge.description}${charge.instalment === undefined ? '' : ` (${charge.instalment})`}'`;

  if (mode.kind === 'oldest-first') {
    const open = [...new Map(charges.filter((c) => c.open > 0).map((c) => [c.id, c])).values()].sort(compareOldestFirst);
    const allocations: Allocation[] = [];
    let left = total;
    for (const charge of open) {
      if (left === 0) break;
      const amount = Math.min(left, charge.open);
      allocations.push({ studentId: charge.studentId, chargeId: charge.id, amount });
      left -= amount;
    }
    return { allocations, credit: left };
  }

  const byId = new Map(charges.map((c) => [c.id, c]));
  const seen = new Set<string>();
  const allocations: Allocation[] = [];
  let left = total;
  for (const chosen of mode.allocations) {
    const charge = byId.get(chosen.chargeId);
    if (charge === undefined) {
      throw new AllocationError('unknown-charge', `One of the chosen charges (${chosen.chargeId}) is not open for this payer: refresh the list of dues and choose again`);
    }
    if (!Number.isSafeInteger(chosen.amount) || chosen.amount < 0) {
      throw new AllocationError('invalid-amount', `The amount for ${label(charge)} must be a whole amount of zero or more`);
    }
    if (seen.has(charge.id)) {
      throw new AllocationError('duplicate-charge', `${label(charge)} is chosen twice: enter one amount for it`);
    }
    seen.add(charge.id);
    if (chosen.amount === 0) continue;
    if (chosen.amount > charge.open) {
      throw new AllocationError('more-than-open', `${money(chosen.amount)} is more than the ${money(charge.open)} still owed on ${label(charge)}: lower it, and the rest stays as credit`);
    }
    if (chosen.amount > left) {
      const what = source === 'payment' ? `the payment of ${money(total)}` : `the available credit of ${money(total)}`;
      throw new AllocationError('more-than-available', `The chosen amounts add up to more than ${what}: lower them until they fit`);
    }
    allocations.push({ studentId: charge.studentId, chargeId: charge.id, amount: chosen.amount });
    left -= chosen.amount;
  }
  return { allocations, credit: left };
}

/** Allocates a payment; never more than a charge's open amount nor than the payment, the rest is credit. */
export function allocatePayment(input: AllocatePaymentInput): AllocationResult {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
    throw new AllocationError('invalid-amount', 'The payment amount must be a whole amount above zero: enter it again');
  }
  return allocate(input.amount, input.charges, input.mode, 'payment', input.currency);
}

export interface ApplyCreditOptions {
  /** The payer's students: their charges that name no payer are the payer's too (oldest-first only). */
  studentIds?: readonly string[];
  currency?: string;
}

/**
 * Allocations for a credit application, spending up to the payer's available credit. Oldest-first
 * considers the charges billed to the payer (and, with `studentIds`, their students' charges that
 * name no payer); a chosen allocation may go to any open charge in the ledger.
 */
export function applyCredit(payerId: string, state: LedgerState, mode: AllocationMode, options: ApplyCreditOptions = {}): AllocationResult {
  const available = state.payerCredit(payerId);
  if (available <= 0) {
    throw new AllocationError('no-credit', 'This payer has no credit to apply: take a payment instead');
  }
  const students = new Set(options.studentIds ?? []);
  const open = [...state.charges.values()].filter((charge) => charge.open > 0);
  const candidates =
    mode.kind === 'chosen'
      ? open
      : open.filter((charge) => charge.payerId === payerId || (charge.payerId === undefined && students.has(charge.studentId)));
  return allocate(available, candidates, mode, 'credit', options.currency);
}
