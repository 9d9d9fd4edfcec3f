// Balances derived from the append-only ledger (rule 2): what each charge still owes, what each
// payment did, each payer's credit, and the anomalies a bursar should look at. Pure and
// order-independent, so every desk and the server derive the same state from the same documents.
import { assertCalendarDate, localDate } from '../calendar-date.ts';
import type { Allocation, LedgerEntry, PaymentMethod, RefundDoc } from './ledger.ts';
import { canonicalJson } from '../sync/protocol.ts';

export type ChargeKind = 'charge' | 'fine';
export type PaymentStatus = 'active' | 'voided' | 'returned' | 'refunded';

/** One thing owed, an invoice line or a fine, with everything that has reduced it so far. */
export interface ChargeState {
  readonly id: string;
  readonly kind: ChargeKind;
  readonly studentId: string;
  readonly payerId?: string;
  readonly invoiceId?: string;
  readonly termId?: string;
  readonly feeCategoryId?: string;
  readonly description: string;
  readonly instalment?: string;
  readonly dueDate: string;
  readonly amount: number;
  readonly discounted: number;
  readonly waived: number;
  readonly writtenOff: number;
  readonly paid: number;
  /** amount − discounted − waived − writtenOff − paid; never below 0. */
  readonly open: number;
  /** For a fine: the overdue charge it was accrued on, by which late-fee rule, for which period. */
  readonly fineOf?: { readonly chargeId: string; readonly ruleId: string; readonly period: number };
}

export interface PaymentState {
  readonly id: string;
  readonly payerId: string;
  readonly receiptNumber: string;
  readonly method: PaymentMethod;
  readonly amount: number;
  readonly status: PaymentStatus;
  /** Applied to charges; 0 unless active. */
  readonly allocated: number;
  /** Left to the payer's credit; 0 unless active. */
  readonly credited: number;
  /**
   * How much of the credit this payment left was refunded or applied to other fees since (0 unless
   * active): reversing the payment would take back that much money already paid out or spent.
   */
  readonly creditDrawnSince: number;
  readonly takenAt: string;
  readonly cashSessionId?: string;
  /** The void, cheque return or refund that ended it. */
  readonly reversedBy?: string;
}

/** Part of a payment or credit application that actually reduced a charge. */
export interface AppliedAmount {
  readonly chargeId: string;
  readonly studentId: string;
  readonly amount: number;
}

interface EffectBase {
  readonly entryId: string;
  /** Position of the source entry in canonical order, to keep same-day lines in ledger order. */
  readonly order: number;
  /** The entry's effective calendar date (see effectiveDate). */
  readonly date: string;
  readonly description: string;
}

/** What one ledger entry did to the balances, as statements need it. */
export type LedgerEffect = EffectBase &
  (
    | { readonly kind: 'charge' | 'fine'; readonly chargeId: string; readonly amount: number }
    | { readonly kind: 'discount' | 'waiver' | 'writeOff'; readonly chargeId: string; readonly amount: number }
    | {
        readonly kind: 'payment';
        readonly payerId: string;
        readonly amount: number;
        readonly status: PaymentStatus;
        readonly applied: readonly AppliedAmount[];
        /** The allocations as written on the payment, whether or not they could be applied. */
        readonly requested: readonly Allocation[];
      }
    | { readonly kind: 'creditApplication'; readonly payerId: string; readonly applied: readonly AppliedAmount[] }
    | { readonly kind: 'void' | 'chequeReturn'; readonly payerId: string; readonly paymentId: string; readonly amount: number }
    | { readonly kind: 'refund'; readonly payerId: string; readonly amount: number; readonly paymentId?: string }
  );

export interface LedgerState {
  /** The date the state was cut at, if any. */
  readonly asOf?: string;
  readonly charges: ReadonlyMap<string, ChargeState>;
  readonly payments: ReadonlyMap<string, PaymentState>;
  /** Effects in canonical ledger order. */
  readonly effects: readonly LedgerEffect[];
  /** Human-readable problems found while deriving (amounts in minor units), in ledger order. */
  readonly anomalies: readonly string[];
  /** Money the payer has paid in and not yet had applied or refunded; negative = owed back. */
  payerCredit(payerId: string): number;
  /** What the student still owes: Σ open of the student's charges. */
  studentBalance(studentId: string, filter?: { termId?: string }): number;
  /** Σ the payer's charges − their reductions − the payer's active payments + refunds; negative = credit. */
  payerBalance(payerId: string): number;
}

export interface DeriveOptions {
  /** YYYY-MM-DD: leave out entries whose effective date is after it. */
  asOf?: string;
  /** IANA zone of the school, for the calendar date of an instant; UTC when absent. */
  timeZone?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableCharge = Mutable<ChargeState>;
type MutablePayment = Mutable<PaymentState>;

/**
 * The calendar date an entry counts from: an invoice from its issue date, a fine from the day it
 * accrued, a cheque return from the day the bank returned it, anything else from when it was made.
 */
export function effectiveDate(entry: LedgerEntry, timeZone?: string): string {
  switch (entry.type) {
    case 'invoice':
      return entry.issuedOn;
    case 'fine':
      return entry.accruedOn;
    case 'chequeReturn':
      return entry.returnedOn;
    default:
      return localDate(entry.createdAt, timeZone);
  }
}

/** Fixed-width form of an ISO instant, so that "…:00Z" and "…:00.5Z" compare correctly as text. */
function instantKey(instant: string): string {
  const [whole = '', fraction = ''] = instant.replace(/Z$/u, '').split('.');
  return `${whole}.${fraction.padEnd(6, '0')}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical ledger order: by creation instant, then id. */
export function compareEntries(a: Pick<LedgerEntry, 'createdAt' | 'id'>, b: Pick<LedgerEntry, 'createdAt' | 'id'>): number {
  return compareText(instantKey(a.createdAt), instantKey(b.createdAt)) || compareText(a.id, b.id);
}

/**
 * One copy of each id, in canonical order. A document pushed twice is the same document; two
 * different documents under one id should never happen, so it is reported and the earlier
 * (then the lexically smaller) one kept, which does not depend on the input order.
 */
function canonicalEntries(entries: readonly LedgerEntry[], anomalies: string[]): LedgerEntry[] {
  const byId = new Map<string, { entry: LedgerEntry; clash: boolean }>();
  for (const entry of entries) {
    const kept = byId.get(entry.id);
    if (kept === undefined) {
      byId.set(entry.id, { entry, clash: false });
      continue;
    }
    // Serialised only on an id seen twice, which is rare and usually an exact re-push.
    const [json, keptJson] = [canonicalJson(entry), canonicalJson(kept.entry)];
    if (json === keptJson) continue;
    const earlier = compareEntries(entry, kept.entry) || compareText(json, keptJson);
    byId.set(entry.id, { entry: earlier < 0 ? entry : kept.entry, clash: true });
  }
  const sorted = [...byId.values()].sort((a, b) => compareEntries(a.entry, b.entry));
  for (const { entry, clash } of sorted) {
    if (clash) anomalies.push(`Two different documents share the id ${entry.id}; the one made at ${entry.createdAt} was used`);
  }
  return sorted.map(({ entry }) => entry);
}

interface Derivation {
  readonly charges: Map<string, MutableCharge>;
  readonly payments: Map<string, MutablePayment>;
  readonly credit: Map<string, number>;
  readonly effects: (LedgerEffect & { sub: number })[];
  readonly anomalies: string[];
  /** Refunds naming a payment that is missing or was already reversed: they count against credit. */
  readonly orphanRefunds: Set<string>;
  /**
   * Voids and cheque returns of a payment already refunded (two desks, each offline): the void
   * handed the money back again, or the refunded cheque never paid, so the payer owes it back.
   */
  readonly lateReversals: Map<string, PaymentState>;
  /**
   * Each payer's active payments so far, with the part of their credit still untouched (at most
   * what the payer's credit was right after them: a payment into a debt fills it first) and the
   * lowest the payer's credit has been since; a debit of credit may lower it.
   */
  readonly creditedBy: Map<string, { payment: MutablePayment; untouched: number; lowest: number }[]>;
}

function addCredit(d: Derivation, payerId: string, amount: number): void {
  const credit = (d.credit.get(payerId) ?? 0) + amount;
  d.credit.set(payerId, credit);
  if (amount < 0) {
    for (const tracked of d.creditedBy.get(payerId) ?? []) {
      tracked.lowest = Math.min(tracked.lowest, credit);
      tracked.payment.creditDrawnSince = Math.max(0, tracked.untouched - tracked.lowest);
    }
  }
}

function openOf(charge: ChargeState): number {
  return charge.amount - charge.discounted - charge.waived - charge.writtenOff - charge.paid;
}

function chargeLabel(charge: ChargeState): string {
  return `'${charge.description}' (${charge.id})`;
}

/** Invoice lines and fines are registered before anything else, so a desk clock that ran behind cannot orphan a payment. */
function registerCharges(d: Derivation, entries: readonly LedgerEntry[], dates: ReadonlyMap<string, string>): void {
  const register = (charge: MutableCharge): boolean => {
    if (d.charges.has(charge.id)) {
      d.anomalies.push(`Charge id ${charge.id} appears twice; only the first, ${chargeLabel(charge)}, counts`);
      return false;
    }
    d.charges.set(charge.id, charge);
    return true;
  };
  const reductions = { discounted: 0, waived: 0, writtenOff: 0, paid: 0 };
  entries.forEach((entry, order) => {
    if (entry.type !== 'invoice') return;
    entry.charges.forEach((line, sub) => {
      const charge: MutableCharge = {
        id: line.id,
        kind: 'charge',
        studentId: entry.studentId,
        ...(line.payerId === undefined ? {} : { payerId: line.payerId }),
        invoiceId: entry.id,
        termId: entry.termId,
        feeCategoryId: line.feeCategoryId,
        description: line.description,
        instalment: line.instalment,
        dueDate: line.dueDate,
        amount: line.amount,
        ...reductions,
        open: 0,
      };
      if (register(charge)) {
        const description = `${line.description} (${line.instalment}), due ${line.dueDate}`;
        d.effects.push({ kind: 'charge', entryId: entry.id, order, sub, date: entry.issuedOn, description, chargeId: line.id, amount: line.amount });
      }
    });
  });
  entries.forEach((entry, order) => {
    if (entry.type !== 'fine') return;
    const overdue = d.charges.get(entry.chargeId);
    const description = `Late fee on ${overdue?.description ?? 'an unknown charge'}, period ${String(entry.period)}`;
    const fine: MutableCharge = {
      id: entry.id,
      kind: 'fine',
      studentId: entry.studentId,
      ...(entry.payerId === undefined ? {} : { payerId: entry.payerId }),
      ...(overdue?.termId === undefined ? {} : { termId: overdue.termId }),
      ...(overdue?.feeCategoryId === undefined ? {} : { feeCategoryId: overdue.feeCategoryId }),
      description,
      dueDate: entry.accruedOn,
      amount: entry.amount,
      ...reductions,
      open: 0,
      fineOf: { chargeId: entry.chargeId, ruleId: entry.ruleId, period: entry.period },
    };
    if (register(fine)) {
      d.effects.push({ kind: 'fine', entryId: entry.id, order, sub: 0, date: dates.get(entry.id) ?? entry.accruedOn, description, chargeId: entry.id, amount: entry.amount });
    }
  });
}

/** Payments first, then voids, returns and refunds of a payment, which only need to know the payment exists. */
function registerPayments(d: Derivation, entries: readonly LedgerEntry[], dates: ReadonlyMap<string, string>): void {
  for (const entry of entries) {
    if (entry.type !== 'payment') continue;
    d.payments.set(entry.id, {
      id: entry.id,
      payerId: entry.payerId,
      receiptNumber: entry.receiptNumber,
      method: entry.method,
      amount: entry.amount,
      status: 'active',
      allocated: 0,
      credited: 0,
      creditDrawnSince: 0,
      takenAt: entry.createdAt,
      ...(entry.cashSessionId === undefined ? {} : { cashSessionId: entry.cashSessionId }),
    });
  }
  entries.forEach((entry, order) => {
    if (entry.type === 'refund' && entry.paymentId !== undefined) {
      refundPayment(d, entry, entry.paymentId, order, dates);
      return;
    }
    if (entry.type !== 'void' && entry.type !== 'chequeReturn') return;
    const what = entry.type === 'void' ? 'void' : 'cheque return';
    const payment = d.payments.get(entry.paymentId);
    if (payment === undefined) {
      d.anomalies.push(`The ${what} ${entry.id} refers to payment ${entry.paymentId}, which is not in the ledger; it was ignored`);
      return;
    }
    if (payment.reversedBy !== undefined) {
      // After a refund, which paid the money out, a void handed it back again and a returned
      // cheque never paid what was refunded: the payer owes it, as after a refund that follows a
      // void (the same balances whichever came first). Two voids or two returns move no more money.
      if (payment.status === 'refunded') {
        d.anomalies.push(`Payment ${payment.receiptNumber} was already refunded by ${payment.reversedBy}; the ${what} ${entry.id} reversed it again, and its ${String(payment.amount)} is owed back by the payer`);
        d.lateReversals.set(entry.id, payment);
      } else {
        d.anomalies.push(`Payment ${payment.receiptNumber} was already ${payment.status} by ${payment.reversedBy}; the ${what} ${entry.id} changed nothing`);
      }
      return;
    }
    if (entry.type === 'chequeReturn' && payment.method !== 'cheque') {
      d.anomalies.push(`Payment ${payment.receiptNumber} was taken by ${payment.method}, not cheque, yet cheque return ${entry.id} reverses it`);
    }
    if (entry.payerId !== payment.payerId) {
      d.anomalies.push(`The ${what} ${entry.id} names payer ${entry.payerId} but payment ${payment.receiptNumber} belongs to payer ${payment.payerId}`);
    }
    payment.status = entry.type === 'void' ? 'voided' : 'returned';
    payment.reversedBy = entry.id;
    const description =
      entry.type === 'void'
        ? `Payment ${payment.receiptNumber} voided: ${entry.reason}`
        : `Cheque returned for payment ${payment.receiptNumber}: ${entry.reason}`;
    d.effects.push({ kind: entry.type, entryId: entry.id, order, sub: 0, date: dates.get(entry.id) ?? '', description, payerId: payment.payerId, paymentId: payment.id, amount: payment.amount });
  });
}

/** A refund of a whole payment ends it like a void; its money, paid back, is no credit. */
function refundPayment(d: Derivation, entry: RefundDoc, paymentId: string, order: number, dates: ReadonlyMap<string, string>): void {
  const payment = d.payments.get(paymentId);
  const date = dates.get(entry.id) ?? '';
  if (payment === undefined) {
    d.anomalies.push(`The refund ${entry.id} refers to payment ${paymentId}, which is not in the ledger; it counts as a refund of credit`);
    d.orphanRefunds.add(entry.id);
    return;
  }
  if (payment.reversedBy !== undefined) {
    d.anomalies.push(`Payment ${payment.receiptNumber} was already ${payment.status} by ${payment.reversedBy}; the refund ${entry.id} of it was paid out too, and is owed back by the payer`);
    d.orphanRefunds.add(entry.id);
    return;
  }
  if (entry.amount !== payment.amount) {
    d.anomalies.push(`The refund ${entry.id} of payment ${payment.receiptNumber} is ${String(entry.amount)}, not the payment's ${String(payment.amount)}`);
  }
  payment.status = 'refunded';
  payment.reversedBy = entry.id;
  d.effects.push({
    kind: 'refund',
    entryId: entry.id,
    order,
    sub: 0,
    date,
    description: `Payment ${payment.receiptNumber} refunded (${entry.method}): ${entry.reason}`,
    payerId: payment.payerId,
    paymentId: payment.id,
    amount: entry.amount,
  });
}

const discountNames = { sibling: 'Sibling discount', staffChild: 'Staff child discount', scholarship: 'Scholarship', concession: 'Concession' } as const;

/**
 * Discounts, waivers and write-offs settle what is owed before any money is matched against it,
 * so a concession granted after a payment turns the overpaid part into credit instead of
 * being lost; each is capped at what is left of the charge after earlier reductions.
 */
function applyReductions(d: Derivation, entries: readonly LedgerEntry[], dates: ReadonlyMap<string, string>): void {
  entries.forEach((entry, order) => {
    if (entry.type !== 'discount' && entry.type !== 'waiver' && entry.type !== 'writeOff') return;
    const chargeId = entry.type === 'waiver' ? entry.fineId : entry.chargeId;
    const charge = d.charges.get(chargeId);
    const wanted = entry.type === 'discount' ? 'charge' : entry.type === 'waiver' ? 'fine' : undefined;
    if (charge === undefined || (wanted !== undefined && charge.kind !== wanted)) {
      const target = charge === undefined ? 'is not in the ledger' : `is a ${charge.kind}, not a ${wanted ?? ''}`;
      d.anomalies.push(`The ${entry.type} ${entry.id} targets ${chargeId}, which ${target}; it was ignored`);
      return;
    }
    const left = charge.amount - charge.discounted - charge.waived - charge.writtenOff;
    const applied = Math.min(entry.amount, left);
    if (applied < entry.amount) {
      d.anomalies.push(`The ${entry.type} ${entry.id} of ${String(entry.amount)} on ${chargeLabel(charge)} exceeds what was left (${String(left)}); only ${String(applied)} counts`);
    }
    if (applied === 0) return;
    let description: string;
    if (entry.type === 'discount') {
      charge.discounted += applied;
      description = `${discountNames[entry.source]} on ${charge.description}${entry.reason === undefined ? '' : `: ${entry.reason}`}`;
    } else if (entry.type === 'waiver') {
      charge.waived += applied;
      description = `${charge.description} waived: ${entry.reason}`;
    } else {
      charge.writtenOff += applied;
      description = `${charge.description} written off: ${entry.reason}`;
    }
    d.effects.push({ kind: entry.type, entryId: entry.id, order, sub: 0, date: dates.get(entry.id) ?? '', description, chargeId, amount: applied });
  });
}

/** Applies up to `limit` of an allocation to its charge; returns what was applied. */
function payCharge(d: Derivation, allocation: Allocation, limit: number, applied: AppliedAmount[]): number {
  const charge = d.charges.get(allocation.chargeId);
  if (charge === undefined) return 0;
  const amount = Math.max(0, Math.min(allocation.amount, limit, openOf(charge)));
  if (amount > 0) {
    charge.paid += amount;
    applied.push({ chargeId: charge.id, studentId: charge.studentId, amount });
  }
  return amount;
}

/**
 * Money in canonical order. An allocation pays at most what is still open, because two offline
 * desks can both pay the same charge; the excess is the payer's credit, reported, never lost.
 */
function applyMoney(d: Derivation, entries: readonly LedgerEntry[], dates: ReadonlyMap<string, string>): void {
  entries.forEach((entry, order) => {
    const date = dates.get(entry.id) ?? '';
    if (entry.type === 'payment') {
      const payment = d.payments.get(entry.id);
      if (payment === undefined) return;
      const applied: AppliedAmount[] = [];
      const description = `Payment ${entry.receiptNumber} (${entry.method})`;
      if (payment.status === 'active') {
        let unspent = entry.amount;
        for (const allocation of entry.allocations) {
          const charge = d.charges.get(allocation.chargeId);
          const openBefore = charge === undefined ? 0 : openOf(charge);
          const unspentBefore = unspent;
          const paid = payCharge(d, allocation, unspent, applied);
          unspent -= paid;
          if (paid < allocation.amount) {
            const why =
              charge === undefined
                ? `charge ${allocation.chargeId}, which is not in the ledger`
                : openBefore < unspentBefore
                  ? `${chargeLabel(charge)}, which had only ${String(openBefore)} open`
                  : `${chargeLabel(charge)}, more than the ${String(unspentBefore)} left of the payment`;
            d.anomalies.push(`Payment ${entry.receiptNumber} allocated ${String(allocation.amount)} to ${why}; ${String(allocation.amount - paid)} went to the payer's credit`);
          }
        }
        payment.allocated = entry.amount - unspent;
        payment.credited = unspent;
        addCredit(d, entry.payerId, unspent);
        const after = d.credit.get(entry.payerId) ?? 0;
        const tracked = { payment, untouched: Math.min(unspent, after), lowest: after };
        const credited = d.creditedBy.get(entry.payerId);
        if (credited) credited.push(tracked);
        else d.creditedBy.set(entry.payerId, [tracked]);
      }
      d.effects.push({ kind: 'payment', entryId: entry.id, order, sub: 0, date, description, payerId: entry.payerId, amount: entry.amount, status: payment.status, applied, requested: entry.allocations });
    } else if (entry.type === 'creditApplication') {
      const applied: AppliedAmount[] = [];
      for (const allocation of entry.allocations) {
        const available = d.credit.get(entry.payerId) ?? 0;
        const charge = d.charges.get(allocation.chargeId);
        const openBefore = charge === undefined ? 0 : openOf(charge);
        const paid = payCharge(d, allocation, available, applied);
        addCredit(d, entry.payerId, -paid);
        if (paid < allocation.amount) {
          const target = charge === undefined ? `charge ${allocation.chargeId}, which is not in the ledger` : chargeLabel(charge);
          d.anomalies.push(`Credit application ${entry.id} asked for ${String(allocation.amount)} on ${target} but only ${String(paid)} was applied (credit ${String(available)}, open ${String(openBefore)})`);
        }
      }
      d.effects.push({ kind: 'creditApplication', entryId: entry.id, order, sub: 0, date, description: 'Credit applied', payerId: entry.payerId, applied });
    } else if (entry.type === 'refund' && (entry.paymentId === undefined || d.orphanRefunds.has(entry.id))) {
      const available = d.credit.get(entry.payerId) ?? 0;
      if (entry.amount > available) {
        d.anomalies.push(`Refund ${entry.id} of ${String(entry.amount)} to payer ${entry.payerId} exceeds their credit of ${String(available)}; the payer now owes the difference`);
      }
      addCredit(d, entry.payerId, -entry.amount);
      d.effects.push({ kind: 'refund', entryId: entry.id, order, sub: 0, date, description: `Refund (${entry.method}): ${entry.reason}`, payerId: entry.payerId, amount: entry.amount });
    } else if ((entry.type === 'void' || entry.type === 'chequeReturn') && d.lateReversals.has(entry.id)) {
      const payment = d.lateReversals.get(entry.id) as PaymentState;
      addCredit(d, payment.payerId, -payment.amount);
      const what = entry.type === 'void' ? 'voided' : 'cheque returned';
      d.effects.push({ kind: 'refund', entryId: entry.id, order, sub: 0, date, description: `Payment ${payment.receiptNumber} ${what} again (${entry.reason}): owed back`, payerId: payment.payerId, amount: payment.amount });
    }
  });
}

function pushTo<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

/**
 * Derives the state of the ledger from its entries, in any order and with duplicates. Charges
 * are registered first, payment statuses settled from voids and returns, then reductions and
 * then money are applied in canonical order (createdAt, id).
 */
export function deriveLedger(entries: readonly LedgerEntry[], options: DeriveOptions = {}): LedgerState {
  const { asOf, timeZone } = options;
  if (asOf !== undefined) assertCalendarDate(asOf);
  const anomalies: string[] = [];
  const dates = new Map<string, string>();
  const ordered = canonicalEntries(entries, anomalies).filter((entry) => {
    const date = effectiveDate(entry, timeZone);
    dates.set(entry.id, date);
    return asOf === undefined || date <= asOf;
  });

  const d: Derivation = { charges: new Map(), payments: new Map(), credit: new Map(), effects: [], anomalies, orphanRefunds: new Set(), lateReversals: new Map(), creditedBy: new Map() };
  registerCharges(d, ordered, dates);
  registerPayments(d, ordered, dates);
  applyReductions(d, ordered, dates);
  applyMoney(d, ordered, dates);
  for (const charge of d.charges.values()) charge.open = openOf(charge);

  const byStudent = new Map<string, ChargeState[]>();
  const payerOwed = new Map<string, number>();
  for (const charge of d.charges.values()) {
    pushTo(byStudent, charge.studentId, charge);
    if (charge.payerId !== undefined) {
      const owed = charge.amount - charge.discounted - charge.waived - charge.writtenOff;
      payerOwed.set(charge.payerId, (payerOwed.get(charge.payerId) ?? 0) + owed);
    }
  }
  const payerMoney = new Map<string, number>();
  for (const entry of ordered) {
    if (entry.type === 'payment' && d.payments.get(entry.id)?.status === 'active') {
      payerMoney.set(entry.payerId, (payerMoney.get(entry.payerId) ?? 0) - entry.amount);
    } else if (entry.type === 'refund' && (entry.paymentId === undefined || d.orphanRefunds.has(entry.id))) {
      payerMoney.set(entry.payerId, (payerMoney.get(entry.payerId) ?? 0) + entry.amount);
    } else {
      const late = d.lateReversals.get(entry.id);
      if (late) payerMoney.set(late.payerId, (payerMoney.get(late.payerId) ?? 0) + late.amount);
    }
  }

  const effects = d.effects
    .sort((a, b) => a.order - b.order || a.sub - b.sub)
    .map(({ sub: _sub, ...effect }): LedgerEffect => effect);
  return {
    ...(asOf === undefined ? {} : { asOf }),
    charges: d.charges,
    payments: d.payments,
    effects,
    anomalies,
    payerCredit: (payerId) => d.credit.get(payerId) ?? 0,
    studentBalance: (studentId, filter = {}) =>
      (byStudent.get(studentId) ?? [])
        .filter((charge) => filter.termId === undefined || charge.termId === filter.termId)
        .reduce((sum, charge) => sum + charge.open, 0),
    payerBalance: (payerId) => (payerOwed.get(payerId) ?? 0) + (payerMoney.get(payerId) ?? 0),
  };
}
