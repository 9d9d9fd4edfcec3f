// The per-document rules every ledger entry must meet beyond its shape: the school's currency,
// references to entries that exist, and amounts that fit what they refer to. The sync server runs
// them on every push; a desk can run them before saving, so both refuse with the same words.
//
// Only facts about one document are checked. Totals across documents (two offline desks each
// paying the same charge in full, two voids of one payment) are legitimate replicas of real events
// and are reconciled by the derived balances, never refused here.
import { formatMoney } from '../money.ts';
import { withoutReplicationFields, type ValidationProblem } from '../validation.ts';
import { variantChecks } from '../schemas/checks.ts';
import { STRIPE_INTENT_PATTERN } from '../api/card-payments.ts';
import {
  type Allocation,
  type Charge,
  type ChequeReturnDoc,
  type DiscountDoc,
  type FineDoc,
  type InvoiceDoc,
  type LedgerEntry,
  type CashSessionCloseDoc,
  type LedgerEntryType,
  type MethodAmount,
  type PaymentDoc,
  type PaymentMethod,
  type RefundDoc,
  type VoidDoc,
  type WaiverDoc,
  type WriteOffDoc,
} from './ledger.ts';

/** Where the rules look up what an entry refers to: stored entries, and earlier ones in the same upload. */
export interface LedgerLookup {
  /** An entry of this school by its id. */
  find(id: string): LedgerEntry | undefined;
  /** The invoice of this school that holds the charge with this id. */
  findInvoiceWithCharge(chargeId: string): InvoiceDoc | undefined;
}

export interface LedgerRuleContext extends LedgerLookup {
  /** The school's ISO 4217 currency; every entry is in it. */
  schoolCurrency: string;
}

/** What a bursar calls each kind of entry, for messages ("Payment … was refused"). */
export const ledgerEntryLabels: Readonly<Record<LedgerEntryType, string>> = {
  invoice: 'Invoice',
  discount: 'Discount',
  fine: 'Late fee',
  waiver: 'Waiver',
  writeOff: 'Write-off',
  payment: 'Payment',
  creditApplication: 'Credit application',
  void: 'Void',
  chequeReturn: 'Cheque return',
  refund: 'Refund',
  cashSessionOpen: 'Till opening',
  cashSessionClose: 'Till closing',
};

/** The document as a ledger entry when it has a valid shape (replication fields dropped), else undefined. */
export function readLedgerEntry(doc: Record<string, unknown>): LedgerEntry | undefined {
  const clean = withoutReplicationFields(doc);
  return isLedgerEntry(clean) ? clean : undefined;
}

const checkByType = new Map(Object.entries(variantChecks('ledger')));

/**
 * A document the ledger collection's validator has accepted (a push is validated with the same
 * compiled checks before anything else runs), as the entry it is, without checking it again.
 * Only its type is looked at: a document of no ledger type here is a caller's mistake.
 */
export function acceptedLedgerEntry(doc: Record<string, unknown>): LedgerEntry {
  if (typeof doc.type !== 'string' || !checkByType.has(doc.type)) throw new Error(`acceptedLedgerEntry: ${String(doc.id)} is not a validated ledger entry`);
  return doc as unknown as LedgerEntry;
}

/** Checks the one variant the entry's `type` names (its check compiled ahead of time), not every variant in turn. */
function isLedgerEntry(value: Record<string, unknown>): value is LedgerEntry {
  const check = typeof value.type === 'string' ? checkByType.get(value.type) : undefined;
  return check !== undefined && check(value);
}

/** An in-memory lookup over entries; `add` makes a newly checked entry visible to the ones after it. */
export function createLedgerLookup(entries: Iterable<LedgerEntry> = []): LedgerLookup & { add(entry: LedgerEntry): void } {
  const byId = new Map<string, LedgerEntry>();
  const invoiceByChargeId = new Map<string, InvoiceDoc>();
  const add = (entry: LedgerEntry): void => {
    byId.set(entry.id, entry);
    if (entry.type === 'invoice') {
      for (const charge of entry.charges) invoiceByChargeId.set(charge.id, entry);
    }
  };
  for (const entry of entries) add(entry);
  return {
    find: (id) => byId.get(id),
    findInvoiceWithCharge: (chargeId) => invoiceByChargeId.get(chargeId),
    add,
  };
}

/** Problems with one entry against the school's currency and what it refers to; [] when it may be recorded. */
export function checkLedgerEntry(entry: LedgerEntry, ctx: LedgerRuleContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (entry.currency !== ctx.schoolCurrency) {
    problems.push({
      path: '/currency',
      message: `the currency is ${entry.currency} but this school keeps its accounts in ${ctx.schoolCurrency}`,
    });
  }
  const money = (amount: number): string => formatMoney(amount, ctx.schoolCurrency);
  switch (entry.type) {
    case 'invoice':
      problems.push(...checkInvoice(entry, ctx));
      break;
    case 'discount':
      problems.push(...checkDiscount(entry, ctx, money));
      break;
    case 'fine':
      problems.push(...checkFine(entry, ctx));
      break;
    case 'waiver':
      problems.push(...checkWaiver(entry, ctx, money));
      break;
    case 'writeOff':
      problems.push(...checkWriteOff(entry, ctx, money));
      break;
    case 'payment': {
      const total = entry.allocations.reduce((sum, allocation) => sum + allocation.amount, 0);
      if (total > entry.amount) {
        problems.push({
          path: '/allocations',
          message: `allocations total ${money(total)} but the payment is ${money(entry.amount)}`,
        });
      }
      problems.push(...checkParticulars(entry, money));
      problems.push(...checkAllocations(entry.allocations, 'payment', ctx));
      if (entry.cashSessionId !== undefined) problems.push(...checkInSession(entry, entry.cashSessionId, ctx));
      break;
    }
    case 'creditApplication':
      problems.push(...checkAllocations(entry.allocations, 'credit application', ctx));
      break;
    case 'void':
    case 'chequeReturn':
      problems.push(...checkPaymentCorrection(entry, ctx));
      break;
    case 'cashSessionOpen':
      break;
    case 'cashSessionClose':
      problems.push(...checkInSession(entry, entry.cashSessionId, ctx));
      problems.push(...checkCount(entry.expected, '/expected', 'expected'), ...checkCount(entry.counted, '/counted', 'counted'));
      if (entry.varianceReason === undefined && tillVariance(entry.expected, entry.counted).some((line) => line.variance !== 0)) {
        problems.push({ path: '/varianceReason', message: 'what was counted differs from what was expected; give the reason for the difference' });
      }
      break;
    case 'refund':
      // A refund of credit: whether the payer has that much is a balance across documents,
      // decided by the statements rather than refused here. A refund of a payment names it.
      if (entry.paymentId !== undefined) problems.push(...checkPaymentRefund(entry, entry.paymentId, ctx, money));
      if (entry.cashSessionId !== undefined) problems.push(...checkInSession(entry, entry.cashSessionId, ctx));
      if (entry.approval !== undefined && entry.deviceId === undefined) {
        problems.push({ path: '/deviceId', message: 'a manager’s approval is entered on a desk: the refund must name the desk it was approved on' });
      }
      break;
  }
  return problems;
}

function checkInvoice(invoice: InvoiceDoc, ctx: LedgerLookup): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const seen = new Set<string>();
  invoice.charges.forEach((charge, index) => {
    const path = `/charges/${String(index)}/id`;
    if (seen.has(charge.id)) {
      problems.push({ path, message: `charge ${charge.id} appears more than once on the invoice; give each charge its own id` });
    }
    seen.add(charge.id);
    // Charges are found by id alone (payments, discounts, fines), so one id on two invoices would be ambiguous.
    const holder = ctx.findInvoiceWithCharge(charge.id);
    if (holder && holder.id !== invoice.id) {
      problems.push({ path, message: `charge ${charge.id} is already on invoice ${holder.id}` });
    }
  });
  return problems;
}

function checkDiscount(discount: DiscountDoc, ctx: LedgerLookup, money: (amount: number) => string): ValidationProblem[] {
  const invoice = ctx.find(discount.invoiceId);
  if (!invoice) return [{ path: '/invoiceId', message: `invoice ${discount.invoiceId} is not recorded for this school` }];
  if (invoice.type !== 'invoice') {
    return [{ path: '/invoiceId', message: `${discount.invoiceId} is ${describeKind(invoice)}, not an invoice` }];
  }
  const problems: ValidationProblem[] = [];
  if (invoice.studentId !== discount.studentId) {
    problems.push({ path: '/studentId', message: `invoice ${invoice.id} is for student ${invoice.studentId}, not student ${discount.studentId}` });
  }
  const charge = invoice.charges.find((c) => c.id === discount.chargeId);
  if (!charge) {
    problems.push({ path: '/chargeId', message: `charge ${discount.chargeId} is not on invoice ${invoice.id}` });
  } else if (discount.amount > charge.amount) {
    problems.push({
      path: '/amount',
      message: `the discount of ${money(discount.amount)} is more than the charge of ${money(charge.amount)} (${charge.description})`,
    });
  }
  return problems;
}

function checkFine(fine: FineDoc, ctx: LedgerLookup): ValidationProblem[] {
  const invoice = ctx.findInvoiceWithCharge(fine.chargeId);
  if (!invoice) return [{ path: '/chargeId', message: `the late fee is on charge ${fine.chargeId}, which is not on any invoice of this school` }];
  if (invoice.studentId !== fine.studentId) {
    return [{ path: '/studentId', message: `charge ${fine.chargeId} belongs to student ${invoice.studentId}, not student ${fine.studentId}` }];
  }
  return [];
}

function checkWaiver(waiver: WaiverDoc, ctx: LedgerLookup, money: (amount: number) => string): ValidationProblem[] {
  const fine = ctx.find(waiver.fineId);
  if (!fine) return [{ path: '/fineId', message: `late fee ${waiver.fineId} is not recorded for this school` }];
  if (fine.type !== 'fine') return [{ path: '/fineId', message: `${waiver.fineId} is ${describeKind(fine)}, not a late fee` }];
  const problems: ValidationProblem[] = [];
  if (fine.studentId !== waiver.studentId) {
    problems.push({ path: '/studentId', message: `late fee ${fine.id} is for student ${fine.studentId}, not student ${waiver.studentId}` });
  }
  if (waiver.amount > fine.amount) {
    problems.push({ path: '/amount', message: `the waiver of ${money(waiver.amount)} is more than the late fee of ${money(fine.amount)}` });
  }
  return problems;
}

function checkWriteOff(writeOff: WriteOffDoc, ctx: LedgerLookup, money: (amount: number) => string): ValidationProblem[] {
  const target = findChargeable(writeOff.chargeId, ctx);
  if (!target) return [{ path: '/chargeId', message: `charge ${writeOff.chargeId} is not on any invoice or late fee of this school` }];
  const problems: ValidationProblem[] = [];
  if (target.studentId !== writeOff.studentId) {
    problems.push({ path: '/studentId', message: `charge ${writeOff.chargeId} belongs to student ${target.studentId}, not student ${writeOff.studentId}` });
  }
  if (writeOff.amount > target.amount) {
    problems.push({ path: '/amount', message: `the write-off of ${money(writeOff.amount)} is more than the charge of ${money(target.amount)} (${target.description})` });
  }
  return problems;
}

function checkAllocations(allocations: readonly Allocation[], what: string, ctx: LedgerLookup): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const seen = new Set<string>();
  allocations.forEach((allocation, index) => {
    const path = `/allocations/${String(index)}`;
    const line = `allocation ${String(index + 1)}`;
    if (seen.has(allocation.chargeId)) {
      problems.push({ path: `${path}/chargeId`, message: `charge ${allocation.chargeId} is allocated more than once in this ${what}; put its amount on one line` });
    }
    seen.add(allocation.chargeId);
    const target = findChargeable(allocation.chargeId, ctx);
    if (!target) {
      problems.push({ path: `${path}/chargeId`, message: `${line} is to charge ${allocation.chargeId}, which is not on any invoice or late fee of this school` });
    } else if (target.studentId !== allocation.studentId) {
      problems.push({
        path: `${path}/studentId`,
        message: `${line} is for student ${allocation.studentId} but charge ${allocation.chargeId} belongs to student ${target.studentId}`,
      });
    }
  });
  return problems;
}

function checkPaymentCorrection(correction: VoidDoc | ChequeReturnDoc, ctx: LedgerLookup): ValidationProblem[] {
  const what = correction.type === 'void' ? 'voids' : 'returns';
  const payment = ctx.find(correction.paymentId);
  if (!payment) {
    return [{ path: '/paymentId', message: `the payment it ${what} (${correction.paymentId}) is not recorded for this school` }];
  }
  if (payment.type !== 'payment') {
    return [{ path: '/paymentId', message: `${correction.paymentId} is ${describeKind(payment)}, not a payment` }];
  }
  const problems: ValidationProblem[] = [];
  if (payment.payerId !== correction.payerId) {
    problems.push({ path: '/payerId', message: `payment ${payment.receiptNumber} was made by payer ${payment.payerId}, not payer ${correction.payerId}` });
  }
  if (correction.type === 'chequeReturn' && payment.method !== 'cheque') {
    problems.push({ path: '/paymentId', message: `payment ${payment.receiptNumber} was taken by ${methodNames[payment.method]}, not by cheque` });
  }
  return problems;
}

/** A refund of a payment pays back that whole payment, to its payer. */
function checkPaymentRefund(refund: RefundDoc, paymentId: string, ctx: LedgerLookup, money: (amount: number) => string): ValidationProblem[] {
  const payment = ctx.find(paymentId);
  if (!payment) return [{ path: '/paymentId', message: `the payment it refunds (${paymentId}) is not recorded for this school` }];
  if (payment.type !== 'payment') return [{ path: '/paymentId', message: `${paymentId} is ${describeKind(payment)}, not a payment` }];
  const problems: ValidationProblem[] = [];
  if (payment.payerId !== refund.payerId) {
    problems.push({ path: '/payerId', message: `payment ${payment.receiptNumber} was made by payer ${payment.payerId}, not payer ${refund.payerId}` });
  }
  if (payment.amount !== refund.amount) {
    problems.push({
      path: '/amount',
      message: `a refund of payment ${payment.receiptNumber} pays back all of it (${money(payment.amount)}), not ${money(refund.amount)}; refund part of it from the payer's credit instead`,
    });
  }
  return problems;
}

/** Cash tendered, cheque particulars, the mobile-money service and the card belong to their own methods only. */
function checkParticulars(payment: PaymentDoc, money: (amount: number) => string): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (payment.tendered !== undefined) {
    if (payment.method !== 'cash') problems.push({ path: '/tendered', message: `cash tendered is recorded for cash payments only, not ${methodNames[payment.method]}` });
    else if (payment.tendered < payment.amount) problems.push({ path: '/tendered', message: `the cash tendered (${money(payment.tendered)}) is less than the payment of ${money(payment.amount)}` });
  }
  if (payment.cheque !== undefined && payment.method !== 'cheque') problems.push({ path: '/cheque', message: `cheque particulars belong to a cheque payment, not ${methodNames[payment.method]}` });
  if (payment.mobileMoneyProvider !== undefined && payment.method !== 'mobileMoney') {
    problems.push({ path: '/mobileMoneyProvider', message: `a mobile-money service belongs to a mobile-money payment, not ${methodNames[payment.method]}` });
  }
  if (payment.card !== undefined && payment.method !== 'card') problems.push({ path: '/card', message: `the card charged belongs to a card payment, not ${methodNames[payment.method]}` });
  // A card is charged through the school's Stripe account, online: the payment names its PaymentIntent.
  if (payment.method === 'card') {
    if (payment.offline) problems.push({ path: '/offline', message: 'a card payment is charged through Stripe while online, so it cannot be marked as taken offline' });
    if (payment.reference === undefined || !STRIPE_INTENT_PATTERN.test(payment.reference)) {
      problems.push({ path: '/reference', message: `a card payment names the Stripe PaymentIntent it was charged as (pi_…), not ${payment.reference === undefined ? 'nothing' : `'${payment.reference}'`}` });
    }
  }
  return problems;
}

/** A payment, a refund from a till or a till's closing names a till opened on the same desk. */
function checkInSession(entry: PaymentDoc | CashSessionCloseDoc | RefundDoc, cashSessionId: string, ctx: LedgerLookup): ValidationProblem[] {
  const opening = ctx.find(cashSessionId);
  if (!opening) return [{ path: '/cashSessionId', message: `the till it names (${cashSessionId}) was never opened at this school` }];
  if (opening.type !== 'cashSessionOpen') return [{ path: '/cashSessionId', message: `${cashSessionId} is ${describeKind(opening)}, not a till opening` }];
  if (opening.deviceId !== entry.deviceId) return [{ path: '/cashSessionId', message: `the till ${cashSessionId} was opened on another desk (${opening.deviceId})` }];
  return [];
}

function checkCount(lines: readonly MethodAmount[], path: string, what: string): ValidationProblem[] {
  const seen = new Set<PaymentMethod>();
  const problems: ValidationProblem[] = [];
  lines.forEach((line, index) => {
    if (seen.has(line.method)) problems.push({ path: `${path}/${String(index)}/method`, message: `${methodNames[line.method]} is ${what} twice; give one amount per method` });
    seen.add(line.method);
  });
  return problems;
}

export interface TillVarianceLine {
  method: PaymentMethod;
  expected: number;
  counted: number;
  /** counted − expected: negative is a shortage, positive an overage. */
  variance: number;
}

/** Expected beside counted per method, every method either side names (a missing one is 0). */
export function tillVariance(expected: readonly MethodAmount[], counted: readonly MethodAmount[]): TillVarianceLine[] {
  const methods = [...new Set([...expected, ...counted].map((line) => line.method))];
  const amountOf = (lines: readonly MethodAmount[], method: PaymentMethod): number => lines.filter((line) => line.method === method).reduce((sum, line) => sum + line.amount, 0);
  return methods.map((method) => {
    const e = amountOf(expected, method);
    const c = amountOf(counted, method);
    return { method, expected: e, counted: c, variance: c - e };
  });
}

interface Chargeable {
  studentId: string;
  amount: number;
  description: string;
}

/** A charge on an invoice, or a late fee (which is itself a charge that can be paid). */
function findChargeable(chargeId: string, ctx: LedgerLookup): Chargeable | undefined {
  const invoice = ctx.findInvoiceWithCharge(chargeId);
  const charge: Charge | undefined = invoice?.charges.find((c) => c.id === chargeId);
  if (invoice && charge) return { studentId: invoice.studentId, amount: charge.amount, description: charge.description };
  const fine = ctx.find(chargeId);
  if (fine?.type === 'fine') return { studentId: fine.studentId, amount: fine.amount, description: 'late fee' };
  return undefined;
}

export const methodNames: Readonly<Record<PaymentMethod, string>> = {
  cash: 'cash',
  cheque: 'cheque',
  bankTransfer: 'bank transfer',
  mobileMoney: 'mobile money',
  card: 'card',
  paypal: 'PayPal',
};

function describeKind(entry: LedgerEntry): string {
  const label = ledgerEntryLabels[entry.type].toLowerCase();
  return `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}`;
}
