// Card payments on the school's Stripe card readers (Stripe Terminal, server-driven). The desk asks
// for a charge of a payment it is about to record; the server creates the PaymentIntent (our
// payment id as Stripe's idempotency key, so a repeated request charges once) and hands it to the
// reader, then reports what Stripe says until the card is approved, declined or the charge is
// cancelled. What it saw is kept in card_payments: the ledger accepts a card payment only when it
// matches a charge that succeeded there (card-payment-checks.ts).
import { and, eq, isNull } from 'drizzle-orm';
import Stripe from 'stripe';
import {
  currencyExponent,
  formatMoney,
  refusalToWrite,
  type CardPaymentState,
  type CardRefundRequest,
  type CardRefundResult,
  type CardPaymentStatus,
  type CardReader,
  type CardSetup,
  type StartCardPaymentRequest,
  type TestCardOutcome,
} from '@feemaster/core';
import type { Principal } from '../../auth/authenticate.ts';
import type { Db } from '../../db/client.ts';
import { cardPayments, schools } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { toStripeAmount, type StripeConnection } from './stripe-connection.ts';

type Row = typeof cardPayments.$inferSelect;

/** Stripe's test cards for a simulated reader (docs.stripe.com/terminal/references/testing). */
const TEST_CARDS: Record<TestCardOutcome, string> = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
};

export interface CardPayments {
  setup(principal: Principal): Promise<CardSetup>;
  start(principal: Principal, request: StartCardPaymentRequest): Promise<CardPaymentStatus>;
  status(principal: Principal, paymentId: string): Promise<CardPaymentStatus>;
  cancel(principal: Principal, paymentId: string): Promise<CardPaymentStatus>;
  presentTestCard(principal: Principal, paymentId: string, outcome: TestCardOutcome): Promise<CardPaymentStatus>;
  /** Gives the whole charge back to the card, for the void or refund the desk then records. */
  refund(principal: Principal, paymentId: string, request: CardRefundRequest): Promise<CardRefundResult>;
  /** A Stripe event (already verified) about a PaymentIntent: the row follows it. */
  onIntentEvent(intent: Stripe.PaymentIntent): Promise<void>;
}

/** A Stripe failure as the cashier reads it, with what to do. */
function providerError(caught: unknown, doing: string): AppError {
  if (caught instanceof Stripe.errors.StripeAuthenticationError || caught instanceof Stripe.errors.StripePermissionError) {
    return new AppError(502, 'provider-unavailable', `Stripe refused the school's API key while ${doing}. An admin must check the Stripe key on the server; take another method meanwhile.`);
  }
  if (caught instanceof Stripe.errors.StripeConnectionError || caught instanceof Stripe.errors.StripeAPIError || caught instanceof Stripe.errors.StripeRateLimitError) {
    return new AppError(502, 'provider-unavailable', `Stripe could not be reached while ${doing} (${caught.message}). Try again in a moment, or take another method.`);
  }
  if (caught instanceof Stripe.errors.StripeError) {
    return new AppError(409, 'conflict', `Stripe refused ${doing}: ${caught.message}`);
  }
  return caught instanceof Error ? new AppError(502, 'provider-unavailable', `Stripe failed while ${doing}: ${caught.message}`) : new AppError(502, 'provider-unavailable', `Stripe failed while ${doing}`);
}

function mayTakeCard(principal: Principal): void {
  const refusal = refusalToWrite(principal.role, 'ledger', { type: 'payment' }, principal.session);
  if (refusal) throw new AppError(403, 'forbidden', `Refused: ${refusal}.`);
  if (!principal.deviceId) throw new AppError(403, 'forbidden', 'Card payments are taken on a registered desk with a till open: sign in on the desk.');
}

function statusOf(row: Row, simulated: boolean): CardPaymentStatus {
  return {
    paymentId: row.paymentId,
    intentId: row.intentId,
    readerId: row.readerId,
    amount: row.amount,
    currency: row.currency,
    status: row.status as CardPaymentState,
    message: row.message,
    card: row.cardBrand && row.cardLast4 ? { brand: row.cardBrand, last4: row.cardLast4 } : null,
    simulated,
  };
}

/** The card's brand and last four digits, from the intent's charge when Stripe expanded it. */
function cardOf(intent: Stripe.PaymentIntent): { brand: string; last4: string } | null {
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const details = charge?.payment_method_details;
  const card = details?.card_present ?? details?.card ?? null;
  return card?.brand && card.last4 ? { brand: card.brand, last4: card.last4 } : null;
}

/** Stripe's reason (one sentence, its own full stop or not) and what the cashier can do. */
function notTaken(reason: string): string {
  return `${reason.trim().replace(/\.$/, '')}. Nothing was taken: try the card again, another card, or another method.`;
}

/** What the row becomes after Stripe's view of the intent (and of its reader, when asked). */
function observed(intent: Stripe.PaymentIntent, reader: Stripe.Terminal.Reader | null): Pick<Row, 'status' | 'message' | 'cardBrand' | 'cardLast4'> {
  if (intent.status === 'succeeded') {
    const card = cardOf(intent);
    return { status: 'succeeded', message: null, cardBrand: card?.brand ?? null, cardLast4: card?.last4 ?? null };
  }
  if (intent.status === 'canceled') return { status: 'canceled', message: 'The charge was cancelled; nothing was taken from the card.', cardBrand: null, cardLast4: null };
  const action = reader?.action;
  if (action?.type === 'process_payment_intent' && action.process_payment_intent?.payment_intent === intent.id && action.status === 'failed') {
    return { status: 'failed', message: notTaken(action.failure_message ?? 'The reader could not take the card'), cardBrand: null, cardLast4: null };
  }
  if (intent.last_payment_error && action?.status !== 'in_progress') {
    return { status: 'failed', message: notTaken(intent.last_payment_error.message ?? 'The card was declined'), cardBrand: null, cardLast4: null };
  }
  return { status: 'waiting', message: null, cardBrand: null, cardLast4: null };
}

export function createCardPayments(db: Db, connection: StripeConnection, clock: () => Date): CardPayments {
  const { stripe, simulated } = connection;

  async function rowOf(principal: Principal, paymentId: string): Promise<Row> {
    const [row] = await db.select().from(cardPayments).where(and(eq(cardPayments.paymentId, paymentId), eq(cardPayments.schoolId, principal.schoolId)));
    if (!row) throw new AppError(404, 'not-found', `No card payment ${paymentId} was started at this school.`);
    return row;
  }

  async function save(row: Row, next: Pick<Row, 'status' | 'message' | 'cardBrand' | 'cardLast4'> & { readerId?: string }): Promise<Row> {
    const readerId = next.readerId ?? row.readerId;
    if (row.status === next.status && row.message === next.message && row.cardBrand === next.cardBrand && row.cardLast4 === next.cardLast4 && row.readerId === readerId) return row;
    // A charge that succeeded stays so, whatever a late event says.
    if (row.status === 'succeeded') return row;
    const [updated] = await db
      .update(cardPayments)
      .set({ ...next, readerId, updatedAt: clock().toISOString() })
      .where(eq(cardPayments.paymentId, row.paymentId))
      .returning();
    return updated ?? row;
  }

  async function refresh(row: Row): Promise<Row> {
    if (row.status === 'succeeded' || row.status === 'canceled') return row;
    try {
      const [intent, reader] = await Promise.all([
        stripe.paymentIntents.retrieve(row.intentId, { expand: ['latest_charge'] }),
        stripe.terminal.readers.retrieve(row.readerId).then((r) => ('deleted' in r && r.deleted ? null : (r as Stripe.Terminal.Reader))),
      ]);
      return await save(row, observed(intent, reader));
    } catch (caught) {
      throw providerError(caught, 'checking the card payment');
    }
  }

  /** Hands the intent to the reader; a busy or offline reader leaves the charge failed, saying why. */
  async function sendToReader(row: Row, readerId: string): Promise<Row> {
    try {
      await stripe.terminal.readers.processPaymentIntent(readerId, { payment_intent: row.intentId });
      return await save(row, { status: 'waiting', message: null, cardBrand: null, cardLast4: null, readerId });
    } catch (caught) {
      // The reader is busy, offline or unknown: the cashier learns why and may try again.
      if (caught instanceof Stripe.errors.StripeInvalidRequestError) {
        return save(row, { status: 'failed', message: `The reader did not take the payment: ${caught.message}`, cardBrand: null, cardLast4: null });
      }
      throw providerError(caught, 'sending the payment to the card reader');
    }
  }

  return {
    async setup(principal) {
      mayTakeCard(principal);
      try {
        const list = await stripe.terminal.readers.list({ limit: 100 });
        const readers: CardReader[] = list.data.map((r) => ({ id: r.id, label: r.label ?? r.id, online: r.status === 'online', simulated: r.device_type.startsWith('simulated') }));
        const reason = readers.length === 0 ? 'No card reader is registered on the school’s Stripe account: an admin registers one in the Stripe dashboard.' : null;
        return { available: reason === null, simulated, reason, readers };
      } catch (caught) {
        return { available: false, simulated, reason: providerError(caught, 'listing the card readers').message, readers: [] };
      }
    },

    async start(principal, request) {
      mayTakeCard(principal);
      const deviceId = principal.deviceId ?? '';
      const [school] = await db.select({ currency: schools.currency }).from(schools).where(eq(schools.id, principal.schoolId));
      if (!school || school.currency !== request.currency) {
        throw new AppError(422, 'bad-request', `Card payments are charged in the school's currency (${school?.currency ?? 'unknown'}), not ${request.currency}.`);
      }
      const stripeAmount = toStripeAmount(request.amount, request.currency, currencyExponent(request.currency));
      if (stripeAmount === null) throw new AppError(422, 'bad-request', `Stripe cannot charge ${formatMoney(request.amount, request.currency)} exactly: round the amount to what Stripe accepts in ${request.currency}.`);
      const [existing] = await db.select().from(cardPayments).where(eq(cardPayments.paymentId, request.paymentId));
      if (existing) {
        const same = existing.schoolId === principal.schoolId && existing.payerId === request.payerId && existing.amount === request.amount && existing.currency === request.currency && existing.deviceId === deviceId;
        if (!same) throw new AppError(409, 'conflict', 'This card payment was started with other particulars: start a new payment.');
        const current = await refresh(existing);
        if (current.status === 'canceled') throw new AppError(409, 'conflict', 'This card payment was cancelled: start a new payment.');
        // Declined, or never reached the reader: the same charge goes to the reader again.
        return statusOf(current.status === 'failed' ? await sendToReader(current, request.readerId) : current, simulated);
      }
      let intent: Stripe.PaymentIntent;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: stripeAmount,
            currency: request.currency.toLowerCase(),
            allowed_payment_method_types: ['card_present'],
            capture_method: 'automatic',
            description: request.receiptNumber ? `School fees, receipt ${request.receiptNumber}` : 'School fees',
            metadata: { feemaster_payment_id: request.paymentId, feemaster_school_id: principal.schoolId, feemaster_payer_id: request.payerId, feemaster_desk_id: deviceId, ...(request.receiptNumber ? { receipt_number: request.receiptNumber } : {}) },
          },
          { idempotencyKey: request.paymentId },
        );
      } catch (caught) {
        throw providerError(caught, 'starting the card payment');
      }
      const now = clock().toISOString();
      const [inserted] = await db
        .insert(cardPayments)
        .values({
          paymentId: request.paymentId,
          schoolId: principal.schoolId,
          deviceId,
          userId: principal.userId,
          payerId: request.payerId,
          amount: request.amount,
          currency: request.currency,
          intentId: intent.id,
          readerId: request.readerId,
          status: 'failed',
          message: 'The payment has not reached the reader yet.',
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      // Two requests for the same payment at once: Stripe made one intent; the other request answers with it.
      const row = inserted ?? (await rowOf(principal, request.paymentId));
      return statusOf(inserted ? await sendToReader(row, request.readerId) : await refresh(row), simulated);
    },

    async status(principal, paymentId) {
      mayTakeCard(principal);
      return statusOf(await refresh(await rowOf(principal, paymentId)), simulated);
    },

    async cancel(principal, paymentId) {
      mayTakeCard(principal);
      const row = await refresh(await rowOf(principal, paymentId));
      if (row.status === 'succeeded') return statusOf(row, simulated);
      if (row.status === 'canceled') return statusOf(row, simulated);
      try {
        // The reader stops asking for the card first, then the intent is cancelled.
        await stripe.terminal.readers.cancelAction(row.readerId).catch((caught: unknown) => {
          if (!(caught instanceof Stripe.errors.StripeInvalidRequestError)) throw caught;
        });
        const intent = await stripe.paymentIntents.cancel(row.intentId);
        return statusOf(await save(row, observed(intent, null)), simulated);
      } catch (caught) {
        // The card was taken just before the cancel: the payment stands and must be recorded.
        const current = await refresh(row);
        if (current.status === 'succeeded') return statusOf(current, simulated);
        throw providerError(caught, 'cancelling the card payment');
      }
    },

    async presentTestCard(principal, paymentId, outcome) {
      mayTakeCard(principal);
      const row = await rowOf(principal, paymentId);
      let reader: Stripe.Terminal.Reader | Stripe.Terminal.DeletedReader;
      try {
        reader = await stripe.terminal.readers.retrieve(row.readerId);
      } catch (caught) {
        throw providerError(caught, 'finding the card reader');
      }
      if ('deleted' in reader && reader.deleted) throw new AppError(409, 'conflict', 'The card reader was removed from the school’s Stripe account.');
      if (!(reader).device_type.startsWith('simulated')) {
        throw new AppError(409, 'conflict', 'Test cards are for simulated readers only: present a real card on the reader.');
      }
      try {
        await stripe.testHelpers.terminal.readers.presentPaymentMethod(row.readerId, { type: 'card_present', card_present: { number: TEST_CARDS[outcome] } });
      } catch (caught) {
        throw providerError(caught, 'presenting the test card');
      }
      return statusOf(await refresh(row), simulated);
    },

    async refund(principal, paymentId, request) {
      const row = await rowOf(principal, paymentId);
      const refusal = refusalToWrite(principal.role, 'ledger', { type: request.kind }, principal.session);
      if (request.kind === 'void') {
        if (refusal) throw new AppError(403, 'forbidden', `Refused: ${refusal}.`);
        if (principal.deviceId !== row.deviceId) throw new AppError(403, 'forbidden', 'A card payment is voided on the desk whose till took it; from elsewhere it is refunded.');
      } else if (refusal) {
        throw new AppError(403, 'forbidden', `Refused: ${refusal}. A card payment goes back to the card through Stripe, online: a bursar, admin or owner signed in on the desk refunds it.`);
      }
      if (row.status !== 'succeeded') throw new AppError(409, 'conflict', 'This card charge did not go through, so there is nothing to give back.');
      const result = (r: Row): CardRefundResult => ({ paymentId: r.paymentId, entryId: r.refundEntryId ?? request.entryId, stripeRefundId: r.stripeRefundId ?? '', amount: r.amount, currency: r.currency });
      if (row.refundEntryId !== null) {
        if (row.refundEntryId === request.entryId) return result(row);
        throw new AppError(409, 'conflict', `This card payment was given back already (by the ${row.refundKind ?? 'refund'} ${row.refundEntryId}).`);
      }
      let refund: Stripe.Refund;
      try {
        refund = await stripe.refunds.create(
          { payment_intent: row.intentId, reason: 'requested_by_customer', metadata: { feemaster_entry_id: request.entryId, feemaster_payment_id: row.paymentId, feemaster_kind: request.kind } },
          { idempotencyKey: `refund-${request.entryId}` },
        );
      } catch (caught) {
        throw providerError(caught, 'giving the card payment back');
      }
      // Only the first void or refund of a charge is recorded against it.
      const [updated] = await db
        .update(cardPayments)
        .set({ refundEntryId: request.entryId, refundKind: request.kind, stripeRefundId: refund.id, refundedAt: clock().toISOString(), updatedAt: clock().toISOString() })
        .where(and(eq(cardPayments.paymentId, row.paymentId), isNull(cardPayments.refundEntryId)))
        .returning();
      if (!updated) throw new AppError(409, 'conflict', 'This card payment was given back by another desk at the same moment.');
      return result(updated);
    },

    async onIntentEvent(intent) {
      const [row] = await db.select().from(cardPayments).where(eq(cardPayments.intentId, intent.id));
      if (!row) return;
      if (intent.status === 'succeeded' && typeof intent.latest_charge === 'string') {
        // The event carries the charge's id only; the card's brand is on the charge.
        const expanded = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
        await save(row, observed(expanded, null));
        return;
      }
      await save(row, observed(intent, null));
    },
  };
}
