// Card payments at the desk through the school's Stripe card reader: the request and response
// shapes shared by the server's routes (and OpenAPI) and the desk. The server talks to Stripe; the
// desk asks it to charge a reader, watches the charge, and records the payment on its ledger only
// once the server has seen it succeed (a card payment names the Stripe PaymentIntent it was).
import { Type, type Static } from '@sinclair/typebox';
import { IdString } from '../schemas/primitives.ts';

export const CardReader = Type.Object({
  id: Type.String(),
  label: Type.String(),
  online: Type.Boolean(),
  /** A Stripe test-mode (simulated) reader: the desk offers test cards to tap. */
  simulated: Type.Boolean(),
});
export type CardReader = Static<typeof CardReader>;

export const CardSetup = Type.Object({
  /** Card payments can be taken: Stripe is configured (or simulated) and answered. */
  available: Type.Boolean(),
  /** The server runs the built-in Stripe simulator: no money moves. */
  simulated: Type.Boolean(),
  /** Why card payments cannot be taken now, as a cashier reads it; null when they can. */
  reason: Type.Union([Type.String(), Type.Null()]),
  readers: Type.Array(CardReader),
});
export type CardSetup = Static<typeof CardSetup>;

export const StartCardPaymentRequest = Type.Object(
  {
    /** The id the payment will have on the ledger; Stripe's idempotency key for the charge. */
    paymentId: IdString,
    payerId: IdString,
    /** Minor units of the school's currency. */
    amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    readerId: Type.String({ minLength: 1, maxLength: 80 }),
    /** The receipt number the payment will carry, shown in the Stripe dashboard. */
    receiptNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);
export type StartCardPaymentRequest = Static<typeof StartCardPaymentRequest>;

export const cardPaymentStatuses = ['waiting', 'failed', 'succeeded', 'canceled'] as const;
export type CardPaymentState = (typeof cardPaymentStatuses)[number];

export const CardPaymentStatus = Type.Object({
  paymentId: IdString,
  /** The Stripe PaymentIntent: the card payment's reference on the ledger. */
  intentId: Type.String(),
  readerId: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  /** waiting: the reader asks for the card; failed: not charged (declined, reader busy) and may be tried again. */
  status: Type.Union(cardPaymentStatuses.map((s) => Type.Literal(s))),
  /** Why the card was declined or the charge ended, as the cashier reads it out. */
  message: Type.Union([Type.String(), Type.Null()]),
  card: Type.Union([Type.Object({ brand: Type.String(), last4: Type.String() }), Type.Null()]),
  simulated: Type.Boolean(),
});
export type CardPaymentStatus = Static<typeof CardPaymentStatus>;

export const testCardOutcomes = ['approved', 'declined', 'insufficientFunds'] as const;
export type TestCardOutcome = (typeof testCardOutcomes)[number];

export const PresentTestCardRequest = Type.Object({ outcome: Type.Union(testCardOutcomes.map((o) => Type.Literal(o))) }, { additionalProperties: false });
export type PresentTestCardRequest = Static<typeof PresentTestCardRequest>;

/** Stripe PaymentIntent ids, as a card payment's reference carries them. */
export const STRIPE_INTENT_PATTERN = /^pi_[A-Za-z0-9_]{6,}$/;

/**
 * Giving a card payment back to the card through Stripe, before the void (same till) or the
 * refund (later) that records it on the ledger under `entryId`. Repeating it refunds once.
 */
export const CardRefundRequest = Type.Object(
  {
    entryId: IdString,
    kind: Type.Union([Type.Literal('void'), Type.Literal('refund')]),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type CardRefundRequest = Static<typeof CardRefundRequest>;

export const CardRefundResult = Type.Object({
  paymentId: IdString,
  entryId: IdString,
  /** Stripe's refund (re_…): a refund's reference on the ledger. */
  stripeRefundId: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
});
export type CardRefundResult = Static<typeof CardRefundResult>;
