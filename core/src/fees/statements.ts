// Student and payer statements: the ledger's effects as dated debit/credit lines with a running
// balance, and the open dues aged by days past due. Every figure comes from the derived ledger,
// so a statement's closing balance is always the balance the cashier sees.
import type { LedgerEntry } from './ledger.ts';
import { daysBetween } from '../calendar-date.ts';
import { deriveLedger, type ChargeState, type LedgerEffect, type LedgerState } from './ledger-state.ts';

export type StatementLineKind = LedgerEffect['kind'];

export interface StatementLine {
  readonly date: string;
  readonly entryId: string;
  readonly kind: StatementLineKind;
  readonly description: string;
  readonly debit: number;
  readonly credit: number;
  /** Running balance after this line: positive = owed to the school. */
  readonly balance: number;
}

/** Open amounts by days past due; `current` is not yet due, `d0_30` includes the due date itself. */
export interface AgeingBuckets {
  readonly current: number;
  readonly d0_30: number;
  readonly d31_60: number;
  readonly d61_90: number;
  readonly d90plus: number;
  readonly total: number;
}

export interface StatementOptions {
  /** YYYY-MM-DD: the statement date; nothing later is shown, and dues are aged as of it. */
  asOf: string;
  /** Only this term's charges and what was applied to them. */
  termId?: string;
  /** YYYY-MM-DD: earlier lines are summed into the opening balance. */
  from?: string;
  /** The school's time zone, when the statement is derived from entries. */
  timeZone?: string;
  /**
   * A payer statement of a family: these students' own-account charges (billed to no payer)
   * count as the payer's too, with what anyone paid on them, as the cashier's account view does.
   */
  studentIds?: readonly string[];
}

export interface Statement {
  readonly subject: { readonly kind: 'student' | 'payer'; readonly id: string };
  readonly asOf: string;
  readonly from?: string;
  readonly termId?: string;
  readonly openingBalance: number;
  readonly lines: readonly StatementLine[];
  readonly totalDebit: number;
  readonly totalCredit: number;
  readonly closingBalance: number;
  readonly ageing: AgeingBuckets;
  /** The payer's unapplied credit (payer statements without a term only). */
  readonly credit?: number;
}

/** Ages the open amounts of `charges` as of a calendar date. */
export function ageing(charges: Iterable<ChargeState>, asOf: string): AgeingBuckets {
  const buckets = { current: 0, d0_30: 0, d31_60: 0, d61_90: 0, d90plus: 0, total: 0 };
  for (const charge of charges) {
    if (charge.open <= 0) continue;
    const late = daysBetween(charge.dueDate, asOf);
    if (late < 0) buckets.current += charge.open;
    else if (late <= 30) buckets.d0_30 += charge.open;
    else if (late <= 60) buckets.d31_60 += charge.open;
    else if (late <= 90) buckets.d61_90 += charge.open;
    else buckets.d90plus += charge.open;
    buckets.total += charge.open;
  }
  return buckets;
}

function ledgerAsOf(source: LedgerState | readonly LedgerEntry[], options: StatementOptions): LedgerState {
  if (!('charges' in source)) {
    return deriveLedger(source, { asOf: options.asOf, ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }) });
  }
  const later = source.effects.find((effect) => effect.date > options.asOf);
  if (later !== undefined) {
    throw new RangeError(`This ledger includes ${later.kind} ${later.entryId} dated ${later.date}, after the statement date ${options.asOf}: derive it as of ${options.asOf} or pass the entries`);
  }
  return source;
}

type Amounts = { debit: number; credit: number };

/** What each effect did to the charges `inScope` selects, whoever paid them. */
function chargesView(state: LedgerState, inScope: (charge: ChargeState) => boolean): (effect: LedgerEffect) => Amounts {
  const scoped = (chargeId: string): boolean => {
    const charge = state.charges.get(chargeId);
    return charge !== undefined && inScope(charge);
  };
  const sum = (parts: readonly { chargeId: string; amount: number }[]): number => parts.reduce((total, part) => total + (scoped(part.chargeId) ? part.amount : 0), 0);
  const payments = new Map(state.effects.flatMap((effect) => (effect.kind === 'payment' ? [[effect.entryId, effect] as const] : [])));
  return (effect) => {
    switch (effect.kind) {
      case 'charge':
      case 'fine':
        return { debit: scoped(effect.chargeId) ? effect.amount : 0, credit: 0 };
      case 'discount':
      case 'waiver':
      case 'writeOff':
        return { debit: 0, credit: scoped(effect.chargeId) ? effect.amount : 0 };
      case 'payment':
        // A payment later reversed shows as it was written, and its reversal takes it back.
        return { debit: 0, credit: sum(effect.status === 'active' ? effect.applied : effect.requested) };
      case 'creditApplication':
        return { debit: 0, credit: sum(effect.applied) };
      case 'void':
      case 'chequeReturn':
        return { debit: sum(payments.get(effect.paymentId)?.requested ?? []), credit: 0 };
      case 'refund':
        // A refunded payment is taken back like a voided one; a refund of credit touches no charge.
        return { debit: effect.paymentId === undefined ? 0 : sum(payments.get(effect.paymentId)?.requested ?? []), credit: 0 };
    }
  };
}

/**
 * The payer's account: their charges against all the money they paid in and got back. `billed`
 * picks the payer's charges; with `othersCount` (a family's view of its students' own accounts),
 * another payer's payment counts for what it applied to them.
 */
function accountView(state: LedgerState, payerId: string, billedCharge: (charge: ChargeState) => boolean, othersCount: boolean): (effect: LedgerEffect) => Amounts {
  const billed = (chargeId: string): boolean => {
    const charge = state.charges.get(chargeId);
    return charge !== undefined && billedCharge(charge);
  };
  const onBilled = (parts: readonly { chargeId: string; amount: number }[]): number => (othersCount ? parts.reduce((total, part) => total + (billed(part.chargeId) ? part.amount : 0), 0) : 0);
  const payments = new Map(state.effects.flatMap((effect) => (effect.kind === 'payment' ? [[effect.entryId, effect] as const] : [])));
  return (effect) => {
    switch (effect.kind) {
      case 'charge':
      case 'fine':
        return { debit: billed(effect.chargeId) ? effect.amount : 0, credit: 0 };
      case 'discount':
      case 'waiver':
      case 'writeOff':
        return { debit: 0, credit: billed(effect.chargeId) ? effect.amount : 0 };
      case 'payment':
        return { debit: 0, credit: effect.payerId === payerId ? effect.amount : onBilled(effect.status === 'active' ? effect.applied : effect.requested) };
      case 'void':
      case 'chequeReturn':
        return { debit: effect.payerId === payerId ? effect.amount : onBilled(payments.get(effect.paymentId)?.requested ?? []), credit: 0 };
      case 'refund':
        if (effect.payerId === payerId) return { debit: effect.amount, credit: 0 };
        return { debit: effect.paymentId === undefined ? 0 : onBilled(payments.get(effect.paymentId)?.requested ?? []), credit: 0 };
      case 'creditApplication':
        // The payer's own: moves their money from credit to dues, so the balance does not change.
        // Another payer's (a sponsor's credit put on the children's own fees) pays those dues, as
        // that payer's payment would.
        return { debit: 0, credit: effect.payerId === payerId ? 0 : onBilled(effect.applied) };
    }
  };
}

function buildStatement(
  state: LedgerState,
  subject: Statement['subject'],
  options: StatementOptions,
  amountsOf: (effect: LedgerEffect) => Amounts,
  charges: ChargeState[],
  credit?: number,
): Statement {
  const dated = state.effects
    .map((effect) => ({ effect, ...amountsOf(effect) }))
    .filter(({ debit, credit: paid }) => debit !== 0 || paid !== 0)
    .sort((a, b) => (a.effect.date < b.effect.date ? -1 : a.effect.date > b.effect.date ? 1 : a.effect.order - b.effect.order));
  let balance = 0;
  let totalDebit = 0;
  let totalCredit = 0;
  let openingBalance = 0;
  const lines: StatementLine[] = [];
  for (const { effect, debit, credit: paid } of dated) {
    balance += debit - paid;
    if (options.from !== undefined && effect.date < options.from) {
      openingBalance = balance;
      continue;
    }
    totalDebit += debit;
    totalCredit += paid;
    lines.push({ date: effect.date, entryId: effect.entryId, kind: effect.kind, description: effect.description, debit, credit: paid, balance });
  }
  return {
    subject,
    asOf: options.asOf,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.termId === undefined ? {} : { termId: options.termId }),
    openingBalance,
    lines,
    totalDebit,
    totalCredit,
    closingBalance: balance,
    ageing: ageing(charges, options.asOf),
    ...(credit === undefined ? {} : { credit }),
  };
}

/** A student's statement: their charges and everything that reduced them, whoever paid. */
export function studentStatement(source: LedgerState | readonly LedgerEntry[], studentId: string, options: StatementOptions): Statement {
  const state = ledgerAsOf(source, options);
  const inScope = (charge: ChargeState): boolean => charge.studentId === studentId && (options.termId === undefined || charge.termId === options.termId);
  const charges = [...state.charges.values()].filter(inScope);
  return buildStatement(state, { kind: 'student', id: studentId }, options, chargesView(state, inScope), charges);
}

/**
 * A payer's statement. Without a term it is the payer's account: charges billed to them, every
 * payment (a voided one shown with its reversal) and refund, closing at payerBalance. With a
 * term it lists that term's charges billed to the payer and what was applied to them, closing
 * at what is still open on them.
 */
export function payerStatement(source: LedgerState | readonly LedgerEntry[], payerId: string, options: StatementOptions): Statement {
  const state = ledgerAsOf(source, options);
  const subject = { kind: 'payer', id: payerId } as const;
  const students = new Set(options.studentIds ?? []);
  const billed = (charge: ChargeState): boolean => charge.payerId === payerId || (charge.payerId === undefined && students.has(charge.studentId));
  const inScope = (charge: ChargeState): boolean => billed(charge) && (options.termId === undefined || charge.termId === options.termId);
  const charges = [...state.charges.values()].filter(inScope);
  if (options.termId !== undefined) return buildStatement(state, subject, options, chargesView(state, inScope), charges);
  return buildStatement(state, subject, options, accountView(state, payerId, billed, options.studentIds !== undefined), charges, state.payerCredit(payerId));
}
