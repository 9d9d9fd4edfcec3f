// What a receipt says, worked out once from the ledger so the printed copy, a reprint and the
// screen agree: the fee items paid per child, the method's particulars, the change given, what
// the family still owes after it, and a short code that ties the paper to the recorded payment.
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '../sync/protocol.ts';
import type { LedgerEntry, PaymentDoc, RefundDoc, VoidDoc } from '../fees/ledger.ts';
import { compareEntries } from '../fees/ledger-state.ts';
import { methodNames } from '../fees/ledger-rules.ts';
import { payerAccount } from './payer-account.ts';
import type { Payer } from '../fees/payers.ts';
import type { SchoolLogo } from '../fees/school-logo.ts';

export interface ReceiptLine {
  studentName: string;
  description: string;
  amount: number;
}

export interface Receipt {
  schoolName: string;
  header: string;
  footer: string;
  /** The school's logo from its settings, printed above its name; absent when it has none. */
  logo?: SchoolLogo;
  currency: string;
  receiptNumber: string;
  /** When it was taken, in the school's time zone: "6 Dec 2026, 09:41". */
  takenAt: string;
  payerName: string;
  students: readonly { name: string; admissionNumber: string }[];
  lines: readonly ReceiptLine[];
  /** Left to the payer's credit. */
  toCredit: number;
  method: string;
  /** "Cheque 004512, Equity Bank, dated 2026-12-06", "M-Pesa QK45TY7", "Ref FT2412…". */
  particulars: string | null;
  amount: number;
  tendered: number | null;
  change: number | null;
  /** What the payer owes after this payment (all their charges, due or not). */
  balanceAfter: number;
  cashierName: string;
  offline: boolean;
  verificationCode: string;
  voided: { reason: string } | null;
  /** Refunded after its till closed: how the money went back, and why. */
  refunded: { reason: string; method: string } | null;
}

const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * Eight characters (two groups of four) from a SHA-256 of the payment as recorded: anyone holding
 * the ledger can recompute it, so a receipt whose amount or number was altered does not match.
 */
export function receiptVerificationCode(payment: Pick<PaymentDoc, 'id' | 'receiptNumber' | 'amount' | 'currency' | 'payerId' | 'createdAt'>): string {
  const digest = sha256(utf8ToBytes(canonicalJson({ id: payment.id, receiptNumber: payment.receiptNumber, amount: payment.amount, currency: payment.currency, payerId: payment.payerId, createdAt: payment.createdAt })));
  let code = '';
  for (let i = 0; i < 8; i += 1) code += BASE32[(digest[i] ?? 0) % BASE32.length];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Stripe's names of card brands as a receipt prints them. */
const CARD_BRANDS: Readonly<Record<string, string>> = {
  amex: 'American Express',
  cartes_bancaires: 'Cartes Bancaires',
  diners: 'Diners Club',
  discover: 'Discover',
  eftpos_au: 'eftpos',
  interac: 'Interac',
  jcb: 'JCB',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

/** A card brand as Stripe names it (visa, amex…) in the words on a receipt; an unknown one capitalised. */
export function cardBrandName(brand: string): string {
  return CARD_BRANDS[brand] ?? (brand === 'unknown' ? 'Card' : brand.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase()));
}

export function paymentParticulars(payment: PaymentDoc): string | null {
  switch (payment.method) {
    case 'cheque':
      return payment.cheque ? `Cheque ${payment.cheque.number}, ${payment.cheque.bank}, dated ${payment.cheque.date}` : payment.reference ? `Cheque ${payment.reference}` : null;
    case 'mobileMoney':
      return [payment.mobileMoneyProvider, payment.reference].filter(Boolean).join(' ') || null;
    case 'cash':
      return null;
    case 'card': {
      const card = payment.card ? `${cardBrandName(payment.card.brand)} •••• ${payment.card.last4}` : null;
      const charged = payment.reference ? `charged through Stripe, ${payment.reference}` : null;
      return [card, charged].filter((part) => part !== null).join(', ').replace(/^./, (c) => c.toUpperCase()) || null;
    }
    default:
      return payment.reference ? `Ref ${payment.reference}` : null;
  }
}

export interface ReceiptInput {
  payment: PaymentDoc;
  payer: Pick<Payer, 'id' | 'name' | 'students'>;
  students: ReadonlyMap<string, { name: string; admissionNumber: string }>;
  /** The entries of the payer's account (see payerAccount); those after the payment are left out. */
  entries: readonly LedgerEntry[];
  school: { name: string; currency: string; timezone: string; header?: string; footer?: string; logo?: SchoolLogo | null };
  cashierName: string;
  /** For the date and time; en-GB reads "6 Dec 2026, 09:41". */
  locale?: string;
}

/** The receipt of a payment as it stood right after it was taken (a reprint says the same). */
export function buildReceipt(input: ReceiptInput): Receipt {
  const { payment } = input;
  // As it stood then: entries up to the payment, and the invoices and late fees it paid (a desk
  // whose clock ran behind may have dated them later).
  const paid = new Set(payment.allocations.map((a) => a.chargeId));
  const upTo = input.entries.filter(
    (entry) => compareEntries(entry, payment) <= 0 || (entry.type === 'invoice' && entry.charges.some((c) => paid.has(c.id))) || (entry.type === 'fine' && paid.has(entry.id)),
  );
  const withPayment = upTo.some((e) => e.id === payment.id) ? upTo : [...upTo, payment];
  const account = payerAccount(input.payer, withPayment, { now: new Date(payment.createdAt), timeZone: input.school.timezone });
  const charges = account.state.charges;
  const studentName = (id: string): string => input.students.get(id)?.name ?? 'Student';
  const lines = payment.allocations.map((allocation) => {
    const charge = charges.get(allocation.chargeId);
    const description = charge ? `${charge.description}${charge.instalment ? ` (${charge.instalment})` : ''}` : 'Fees';
    return { studentName: studentName(allocation.studentId), description, amount: allocation.amount };
  });
  const allocated = lines.reduce((sum, line) => sum + line.amount, 0);
  const studentIds = [...new Set([...payment.allocations.map((a) => a.studentId), ...input.payer.students.map((s) => s.studentId)])];
  const owed = [...charges.values()].filter((c) => c.open > 0 && (c.payerId === input.payer.id || (c.payerId === undefined && studentIds.includes(c.studentId)))).reduce((sum, c) => sum + c.open, 0);
  const takenAt = new Intl.DateTimeFormat(input.locale ?? 'en-GB', { timeZone: input.school.timezone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(payment.createdAt));
  const voidEntry = input.entries.find((e): e is VoidDoc => e.type === 'void' && e.paymentId === payment.id);
  const refund = input.entries.find((e): e is RefundDoc => e.type === 'refund' && e.paymentId === payment.id);
  return {
    schoolName: input.school.name,
    header: input.school.header ?? '',
    footer: input.school.footer ?? '',
    ...(input.school.logo ? { logo: input.school.logo } : {}),
    currency: payment.currency,
    receiptNumber: payment.receiptNumber,
    takenAt,
    payerName: input.payer.name,
    students: studentIds.filter((id) => input.students.has(id)).map((id) => input.students.get(id) ?? { name: '', admissionNumber: '' }),
    lines,
    toCredit: payment.amount - allocated,
    method: methodNames[payment.method].replace(/^./, (c) => c.toUpperCase()),
    particulars: paymentParticulars(payment),
    amount: payment.amount,
    tendered: payment.tendered ?? null,
    change: payment.tendered !== undefined ? payment.tendered - payment.amount : null,
    balanceAfter: owed,
    cashierName: input.cashierName,
    offline: payment.offline,
    verificationCode: receiptVerificationCode(payment),
    voided: voidEntry ? { reason: voidEntry.reason } : null,
    refunded: refund ? { reason: refund.reason, method: methodNames[refund.method] } : null,
  };
}
