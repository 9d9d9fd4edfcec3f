// The append-only ledger: every money event is an immutable document of one `type`. Balances,
// statements and "paid" are derived from these, never stored. A correction is a new document
// (void, cheque return, waiver, write-off, refund) with a reason and its author.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CurrencyCode, IdString, IsoDate, IsoInstant, PositiveAmount, Reason, ShortText } from '../schemas/primitives.ts';

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

const entry = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ ...common, type: Type.Literal(type), ...props }, { additionalProperties: false });

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

export const PaymentEntry = entry('payment', {
  payerId: IdString,
  receiptNumber: Type.String({ minLength: 5, maxLength: 40, pattern: '^[A-Z0-9]+-[A-Z0-9]+-\\d{6,}$' }),
  deviceId: IdString,
  officeId: IdString,
  cashSessionId: Type.Optional(IdString),
  method: PaymentMethodSchema,
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  amount: PositiveAmount,
  /** Whether the desk had no connection to the server when the payment was taken (rule 7). */
  offline: Type.Boolean(),
  allocations: Type.Array(AllocationSchema, { maxItems: 500 }),
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

/** Money paid back to a payer out of their credit. */
export const RefundEntry = entry('refund', {
  payerId: IdString,
  amount: PositiveAmount,
  method: PaymentMethodSchema,
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  reason: Reason,
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
} as const;

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
export type LedgerEntry = { [K in LedgerEntryType]: Static<(typeof ledgerEntryTypes)[K]> }[LedgerEntryType];
