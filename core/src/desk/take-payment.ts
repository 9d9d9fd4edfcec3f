// Taking a payment at the desk: what the cashier must fill in for each method, and the payment
// document itself, numbered in the desk's receipt series at once (rule 4) and marked offline when
// taken without a connection (rule 7).
import { formatMoney } from '../money.ts';
import { validateAgainst } from '../validation.ts';
import { offlinePaymentMethods, PaymentEntry, type Allocation, type CardDetails, type ChequeDetails, type PaymentDoc, type PaymentMethod } from '../fees/ledger.ts';
import { checkLedgerEntry, createLedgerLookup } from '../fees/ledger-rules.ts';

/** What the payment form holds, amounts in minor units. */
export interface PaymentParticulars {
  method: PaymentMethod;
  amount: number;
  /** Cash handed over (cash only); at least the amount. */
  tendered?: number;
  /** Bank-transfer reference, mobile-money transaction code. */
  reference?: string;
  cheque?: ChequeDetails;
  mobileMoneyProvider?: string;
  /** The card charged, as Stripe reported it (card only). */
  card?: CardDetails;
}

export interface ParticularsProblem {
  field: 'amount' | 'tendered' | 'reference' | 'chequeNumber' | 'chequeBank' | 'chequeDate' | 'mobileMoneyProvider' | 'method';
  message: string;
}

/** Why a method cannot be used now (offline card or PayPal, or a provider not set up), or null. */
export function methodUnavailable(method: PaymentMethod, options: { online: boolean; providers: ReadonlySet<PaymentMethod>; reasons?: Partial<Record<PaymentMethod, string>> | undefined }): string | null {
  if (offlinePaymentMethods.includes(method)) return null;
  const name = method === 'card' ? 'Card' : 'PayPal';
  if (!options.online) return `${name} payments need a connection to the server; take cash, cheque, bank transfer or mobile money while offline`;
  if (!options.providers.has(method)) return options.reasons?.[method] ?? `${name} payments need the school's ${method === 'card' ? 'Stripe' : 'PayPal'} account connected by an admin first`;
  return null;
}

/** What the cashier still has to fill in or correct; [] when the payment can be taken. */
export function particularsProblems(p: PaymentParticulars, currency: string): ParticularsProblem[] {
  const problems: ParticularsProblem[] = [];
  const money = (amount: number): string => formatMoney(amount, currency);
  if (!Number.isSafeInteger(p.amount) || p.amount <= 0) problems.push({ field: 'amount', message: 'Enter the amount received' });
  const text = (value: string | undefined): boolean => value !== undefined && value.trim().length > 0;
  switch (p.method) {
    case 'cash':
      if (p.tendered !== undefined && Number.isSafeInteger(p.amount) && p.tendered < p.amount) {
        problems.push({ field: 'tendered', message: `The cash handed over (${money(p.tendered)}) is less than the amount (${money(p.amount)})` });
      }
      break;
    case 'cheque':
      if (!text(p.cheque?.number)) problems.push({ field: 'chequeNumber', message: 'Enter the cheque number' });
      if (!text(p.cheque?.bank)) problems.push({ field: 'chequeBank', message: 'Enter the bank the cheque is drawn on' });
      if (!p.cheque?.date || !/^\d{4}-\d{2}-\d{2}$/.test(p.cheque.date)) problems.push({ field: 'chequeDate', message: 'Enter the date written on the cheque' });
      break;
    case 'bankTransfer':
      if (!text(p.reference)) problems.push({ field: 'reference', message: 'Enter the bank reference of the transfer' });
      break;
    case 'mobileMoney':
      if (!text(p.mobileMoneyProvider)) problems.push({ field: 'mobileMoneyProvider', message: 'Choose the mobile-money service' });
      if (!text(p.reference)) problems.push({ field: 'reference', message: 'Enter the transaction code from the confirmation message' });
      break;
    case 'card':
    case 'paypal':
      break;
  }
  return problems;
}

/** A card payment's particulars once Stripe approved the charge: its PaymentIntent, and the card when Stripe reported it. */
export function chargedParticulars(p: PaymentParticulars, charge: { intentId: string; card: CardDetails | null }): PaymentParticulars {
  const { card: _was, ...rest } = p;
  return { ...rest, reference: charge.intentId, ...(charge.card ? { card: { brand: charge.card.brand, last4: charge.card.last4 } } : {}) };
}

/** Change to hand back for a cash payment; 0 when none was tendered. */
export function changeDue(p: Pick<PaymentParticulars, 'method' | 'amount' | 'tendered'>): number {
  return p.method === 'cash' && p.tendered !== undefined && p.tendered > p.amount ? p.tendered - p.amount : 0;
}

export class PaymentNotTakenError extends Error {
  constructor(readonly problems: readonly { field: string; message: string }[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'PaymentNotTakenError';
  }
}

export interface NewPaymentInput {
  id: string;
  schoolId: string;
  currency: string;
  payerId: string;
  createdBy: string;
  deviceId: string;
  officeId: string;
  cashSessionId: string;
  receiptNumber: string;
  offline: boolean;
  now: Date;
  particulars: PaymentParticulars;
  allocations: readonly Allocation[];
}

/** The payment document, checked against its schema and the ledger rules the server will run. */
export function newPayment(input: NewPaymentInput): PaymentDoc {
  const problems = particularsProblems(input.particulars, input.currency);
  if (problems.length > 0) throw new PaymentNotTakenError(problems);
  const p = input.particulars;
  const trimmed = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const reference = p.method === 'cash' || p.method === 'cheque' ? undefined : trimmed(p.reference);
  const payment: PaymentDoc = {
    id: input.id,
    schoolId: input.schoolId,
    currency: input.currency,
    createdAt: input.now.toISOString(),
    createdBy: input.createdBy,
    type: 'payment',
    payerId: input.payerId,
    receiptNumber: input.receiptNumber,
    deviceId: input.deviceId,
    officeId: input.officeId,
    cashSessionId: input.cashSessionId,
    method: p.method,
    ...(reference === undefined ? {} : { reference }),
    amount: p.amount,
    ...(p.method === 'cash' && p.tendered !== undefined && p.tendered > p.amount ? { tendered: p.tendered } : {}),
    ...(p.method === 'cheque' && p.cheque ? { cheque: { number: p.cheque.number.trim(), bank: p.cheque.bank.trim(), date: p.cheque.date } } : {}),
    ...(p.method === 'mobileMoney' && p.mobileMoneyProvider ? { mobileMoneyProvider: p.mobileMoneyProvider.trim() } : {}),
    ...(p.method === 'card' && p.card ? { card: { brand: p.card.brand, last4: p.card.last4 } } : {}),
    offline: input.offline,
    allocations: [...input.allocations],
  };
  const shape = validateAgainst(PaymentEntry, payment);
  if (shape.length > 0) throw new PaymentNotTakenError(shape.map((s) => ({ field: s.path, message: `${s.path}: ${s.message}` })));
  // The rules about this one document (allocations within the amount, particulars on their method);
  // references to charges and the till are the server's to check against what it holds.
  const rules = checkLedgerEntry(payment, { schoolCurrency: input.currency, ...createLedgerLookup() }).filter((r) => !r.path.startsWith('/allocations/') && r.path !== '/cashSessionId');
  if (rules.length > 0) throw new PaymentNotTakenError(rules.map((r) => ({ field: r.path, message: r.message })));
  return payment;
}
