// The append-only ledger: every money event is an immutable document of one `type`. Balances,
// statements and "paid" are derived from these, never stored. A correction is a new document
// (void, cheque return, waiver, write-off, refund) with a reason and its author.
import { Type, type Static, type TLiteral, type TSchema } from '@sinclair/typebox';
import { Amount, CurrencyCode, IdString, IsoDate, IsoInstant, PositiveAmount, Reason, ShortText } from '../schemas/primitives.ts';

export const paymentMethods = ['cash', 'cheque', 'bankTransfer', 'mobileMoney', 'card', 'paypal'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];
/** Methods a desk may take with no connection (rule 7); card and PayPal need the provider online. */
export const offlinePaymentMethods: readonly PaymentMethod[] = ['cash', 'cheque', 'bankTransfer', 'mobileMoney'];
export const discountSources = ['sibling', 'staffChild', 'scholarship', 'concession'] as const;

const PaymentMethodSchema = Type.Union(paymentMethods.map((m) => Type.Literal(m)));

const common = {
  id: IdString,
  schoolId: IdString,
  currency: CurrencyCode,
  /** Device clock when the document was made (ISO UTC). */
  createdAt: IsoInstant,
  createdBy: IdString,
  deviceId: Type.Optional(IdString),
};

// The spread of a generic P types as an intersection, so a field P redefines (a required
// deviceId) would keep common's optional one too: the type says what the spread does.
const entry = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) => {
  const properties: Omit<typeof common, keyof P> & { type: TLiteral<T> } & P = { ...common, type: Type.Literal(type), ...props };
  return Type.Object(properties, { additionalProperties: false });
};

/** Something owed: one fee line's share of one instalment, frozen at issue. */
export const ChargeSchema = Type.Object(
  {
    id: IdString,
    feeCategoryId: IdString,
    description: ShortText,
    instalment: ShortText,
    dueDate: IsoDate,
    amount: PositiveAmount,
    /** The payer responsible for this charge (by share and sponsored categories); absent = the student's own account. */
    payerId: Type.Optional(IdString),
  },
  { additionalProperties: false },
);
export type Charge = Static<typeof ChargeSchema>;

export const AllocationSchema = Type.Object(
  { studentId: IdString, chargeId: IdString, amount: PositiveAmount },
  { additionalProperties: false },
);
export type Allocation = Static<typeof AllocationSchema>;

export const InvoiceEntry = entry('invoice', {
  studentId: IdString,
  termId: IdString,
  classId: IdString,
  feeStructureId: IdString,
  issuedOn: IsoDate,
  /** Set for a student who joined after the term started: the share of the term billed. */
  proration: Type.Optional(Type.Object({ joinedOn: IsoDate, basisPoints: Type.Integer({ minimum: 1, maximum: 10_000 }) }, { additionalProperties: false })),
  charges: Type.Array(ChargeSchema, { minItems: 1, maxItems: 600 }),
});

export const DiscountEntry = entry('discount', {
  studentId: IdString,
  invoiceId: IdString,
  chargeId: IdString,
  source: Type.Union(discountSources.map((s) => Type.Literal(s))),
  ruleId: Type.Optional(IdString),
  amount: PositiveAmount,
  /** Required for a manual concession. */
  reason: Type.Optional(Reason),
});

/** A late fee accrued on an overdue charge for one period; itself a charge that can be paid. */
export const FineEntry = entry('fine', {
  studentId: IdString,
  chargeId: IdString,
  ruleId: IdString,
  period: Type.Integer({ minimum: 1, maximum: 1000 }),
  accruedOn: IsoDate,
  amount: PositiveAmount,
  payerId: Type.Optional(IdString),
});

export const WaiverEntry = entry('waiver', { studentId: IdString, fineId: IdString, amount: PositiveAmount, reason: Reason });

export const WriteOffEntry = entry('writeOff', { studentId: IdString, chargeId: IdString, amount: PositiveAmount, reason: Reason });

/** A cheque's particulars, as written on it. */
export const ChequeDetailsSchema = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 20, pattern: '\\S' }),
    bank: ShortText,
    /** The date written on the cheque (it may be post-dated). */
    date: IsoDate,
  },
  { additionalProperties: false },
);
export type ChequeDetails = Static<typeof ChequeDetailsSchema>;

/**
 * The card a card payment was charged to, as Stripe reported it: its brand (Stripe's name: visa,
 * mastercard, amex…) and last four digits, printed on the receipt so the parent knows which card.
 */
export const CardDetailsSchema = Type.Object(
  {
    brand: Type.String({ minLength: 1, maxLength: 24, pattern: '^[a-z0-9_]+$' }),
    last4: Type.String({ pattern: '^[0-9]{4}$' }),
  },
  { additionalProperties: false },
);
export type CardDetails = Static<typeof CardDetailsSchema>;

export const PaymentEntry = entry('payment', {
  payerId: IdString,
  receiptNumber: Type.String({ minLength: 5, maxLength: 40, pattern: '^[A-Z0-9]+-[A-Z0-9]+-\\d{6,}$' }),
  deviceId: IdString,
  officeId: IdString,
  /** The till (cash session) it was taken in; a desk takes no payment without an open one. */
  cashSessionId: Type.Optional(IdString),
  method: PaymentMethodSchema,
  /** Bank-transfer reference, mobile-money transaction code, card or PayPal id. */
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  amount: PositiveAmount,
  /** Cash handed over, when more than the amount: the change given was tendered − amount. */
  tendered: Type.Optional(PositiveAmount),
  cheque: Type.Optional(ChequeDetailsSchema),
  /** The mobile-money service (M-Pesa, MTN MoMo, Airtel Money…). */
  mobileMoneyProvider: Type.Optional(ShortText),
  /** The card charged (card payments, when Stripe reported it). */
  card: Type.Optional(CardDetailsSchema),
  /** Whether the desk had no connection to the server when the payment was taken (rule 7). */
  offline: Type.Boolean(),
  allocations: Type.Array(AllocationSchema, { maxItems: 500 }),
});

/** An amount per payment method, as a till counts it. */
export const MethodAmountSchema = Type.Object({ method: PaymentMethodSchema, amount: Amount }, { additionalProperties: false });
export type MethodAmount = Static<typeof MethodAmountSchema>;

/**
 * A cashier opens the till of a desk: its id is the cash session's, which the payments and voids
 * taken in it name. The float is the cash in the drawer at the start.
 */
export const CashSessionOpenEntry = entry('cashSessionOpen', {
  deviceId: IdString,
  officeId: IdString,
  float: Amount,
});

/**
 * The till closed: what the desk expected per method (float plus payments, less voids, as it
 * knew them) beside what the cashier counted; a variance needs a reason.
 */
export const CashSessionCloseEntry = entry('cashSessionClose', {
  cashSessionId: IdString,
  deviceId: IdString,
  officeId: IdString,
  expected: Type.Array(MethodAmountSchema, { maxItems: 10 }),
  counted: Type.Array(MethodAmountSchema, { maxItems: 10 }),
  varianceReason: Type.Optional(Reason),
});

/** Payer credit (from overpayment) applied to charges later. */
export const CreditApplicationEntry = entry('creditApplication', {
  payerId: IdString,
  allocations: Type.Array(AllocationSchema, { minItems: 1, maxItems: 500 }),
});

/** Cancels a payment taken in error, within its cash session; the receipt number stays, marked void. */
export const VoidEntry = entry('void', { paymentId: IdString, payerId: IdString, cashSessionId: Type.Optional(IdString), reason: Reason });

/** A cheque the bank returned: the payment no longer counts and its dues reopen. */
export const ChequeReturnEntry = entry('chequeReturn', { paymentId: IdString, payerId: IdString, returnedOn: IsoDate, reason: Reason });

/**
 * A manager's approval of a refund entered on a desk (by a cashier, or in an offline session):
 * an HMAC of the refund made with a key the server gave that manager at their last online sign-in
 * on this desk and the desk keeps encrypted under their password, so only their password opens it
 * (core/src/auth/refund-approval.ts). The server derives the same key and checks the signature.
 */
export const RefundApprovalSchema = Type.Object(
  {
    approvedBy: IdString,
    approvedAt: IsoInstant,
    /** When the approver's key was issued (seconds since 1970): their sign-in on this desk. */
    keyIssuedAt: Type.Integer({ minimum: 0, maximum: 99_999_999_999 }),
    /** HMAC-SHA256 in base64url. */
    signature: Type.String({ minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]{43}$' }),
  },
  { additionalProperties: false },
);
export type RefundApproval = Static<typeof RefundApprovalSchema>;

/**
 * Money paid back to a payer: out of their credit, or (with `paymentId`) a whole payment refunded
 * after its till closed, which stops counting so the dues it paid reopen, as a void would. Paid
 * out of `cashSessionId`, the desk's open till, when the desk records it.
 */
export const RefundEntry = entry('refund', {
  payerId: IdString,
  amount: PositiveAmount,
  method: PaymentMethodSchema,
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  reason: Reason,
  paymentId: Type.Optional(IdString),
  cashSessionId: Type.Optional(IdString),
  approval: Type.Optional(RefundApprovalSchema),
});

export const ledgerEntryTypes = {
  invoice: InvoiceEntry,
  discount: DiscountEntry,
  fine: FineEntry,
  waiver: WaiverEntry,
  writeOff: WriteOffEntry,
  payment: PaymentEntry,
  creditApplication: CreditApplicationEntry,
  void: VoidEntry,
  chequeReturn: ChequeReturnEntry,
  refund: RefundEntry,
  cashSessionOpen: CashSessionOpenEntry,
  cashSessionClose: CashSessionCloseEntry,
} as const;

/**
 * The ledger collection's schema version. 1: payment particulars (cash tendered, cheque details,
 * mobile-money provider) and cash sessions; 2: refunds of a payment, from a till, with a manager's
 * approval; 3: the card a card payment was charged to (brand and last four digits). Documents of an
 * older version are valid documents of the newer ones.
 */
export const LEDGER_SCHEMA_VERSION = 3;

export type LedgerEntryType = keyof typeof ledgerEntryTypes;
export type InvoiceDoc = Static<typeof InvoiceEntry>;
export type DiscountDoc = Static<typeof DiscountEntry>;
export type FineDoc = Static<typeof FineEntry>;
export type WaiverDoc = Static<typeof WaiverEntry>;
export type WriteOffDoc = Static<typeof WriteOffEntry>;
export type PaymentDoc = Static<typeof PaymentEntry>;
export type CreditApplicationDoc = Static<typeof CreditApplicationEntry>;
export type VoidDoc = Static<typeof VoidEntry>;
export type ChequeReturnDoc = Static<typeof ChequeReturnEntry>;
export type RefundDoc = Static<typeof RefundEntry>;
export type CashSessionOpenDoc = Static<typeof CashSessionOpenEntry>;
export type CashSessionCloseDoc = Static<typeof CashSessionCloseEntry>;
export type LedgerEntry = { [K in LedgerEntryType]: Static<(typeof ledgerEntryTypes)[K]> }[LedgerEntryType];
