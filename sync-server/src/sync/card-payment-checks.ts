// A card payment on the ledger must be a charge the server saw succeed at Stripe
// (integrations/stripe/card-payments.ts): the same payment id, PaymentIntent, payer, amount,
// currency and desk, and the card Stripe charged when it names one. A desk cannot record a card payment Stripe never took, nor record one charge
// twice. A void or refund of a card payment must be the one that gave the charge back at Stripe
// first, so the money goes back to the card and is never given back twice (once in cash). Only
// uploads holding card payments, voids or refunds pay for the check (one query for all of them).
import { sql } from 'drizzle-orm';
import { formatMoney, withoutReplicationFields, type PaymentDoc, type RefundDoc, type VoidDoc } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { cardPayments } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** A card payment, or anything that may give a payment back (a void, a refund of a payment or to a card). */
export function mayConcernCard(doc: Record<string, unknown>): boolean {
  return (doc.type === 'payment' && doc.method === 'card') || doc.type === 'void' || (doc.type === 'refund' && (doc.paymentId !== undefined || doc.method === 'card'));
}

/**
 * Throws AppError 422 'ledger-rule' unless every card payment matches a charge that succeeded.
 * Payments stored already are not judged again: `storedIds` is asked only when one fails.
 */
export async function checkCardPayments(
  db: Db,
  schoolId: string,
  /** The pushed card payments, each accepted by the ledger validator, with their place in the upload. */
  pushed: readonly { index: number; doc: Record<string, unknown> }[],
  storedIds: (ids: readonly string[]) => Promise<ReadonlySet<string>>,
): Promise<void> {
  const entries = pushed.map(({ index, doc }) => ({ index, entry: withoutReplicationFields(doc) as PaymentDoc | VoidDoc | RefundDoc }));
  const paymentIdOf = (entry: PaymentDoc | VoidDoc | RefundDoc): string | undefined => (entry.type === 'payment' ? entry.id : entry.paymentId);
  const ids = [...new Set(entries.flatMap(({ entry }) => paymentIdOf(entry) ?? []))];
  const rows = ids.length === 0 ? [] : await db.select().from(cardPayments).where(sql`${cardPayments.paymentId} = any(${sql.param(ids)}::uuid[])`);
  const charges = new Map(rows.filter((row) => row.schoolId === schoolId).map((row) => [row.paymentId, row]));
  const refused = entries.flatMap(({ index, entry }) => {
    const paymentId = paymentIdOf(entry);
    const charge = paymentId === undefined ? undefined : charges.get(paymentId);
    const found = entry.type === 'payment' ? paymentRefusal(entry, charge) : givingBackRefusal(entry, charge);
    return found === null ? [] : [{ index, entry, ...found }];
  });
  if (refused.length === 0) return;
  const stored = await storedIds(refused.map(({ entry }) => entry.id));
  const judged = refused.filter(({ entry }) => !stored.has(entry.id));
  const [first] = judged;
  if (!first) return;
  const subject = first.entry.type === 'payment' ? `Card payment ${first.entry.receiptNumber}` : `The ${first.entry.type} ${first.entry.id}`;
  throw new AppError(
    422,
    'ledger-rule',
    `${subject} was refused: ${first.why}. Nothing from this upload was saved.`,
    judged.map(({ index, entry, why, path }) => ({ index, id: entry.id, path, message: why })),
  );
}

type Charge = typeof cardPayments.$inferSelect;

type Refusal = { why: string; path: string } | null;

function paymentRefusal(payment: PaymentDoc, charge: Charge | undefined): Refusal {
  const why = chargeMismatch(payment, charge);
  if (why !== null) return { why, path: '/reference' };
  // The card on the receipt is the one Stripe charged, or none when Stripe did not say which.
  if (charge && payment.card !== undefined && (payment.card.brand !== charge.cardBrand || payment.card.last4 !== charge.cardLast4)) {
    const charged = charge.cardBrand && charge.cardLast4 ? `${charge.cardBrand} •••• ${charge.cardLast4}` : 'a card it did not describe';
    return { why: `it records the card ${payment.card.brand} •••• ${payment.card.last4}, but Stripe charged ${charged}`, path: '/card' };
  }
  return null;
}

/** A void or refund of a card payment is the one recorded against the charge's refund at Stripe. */
function givingBackRefusal(entry: VoidDoc | RefundDoc, charge: Charge | undefined): Refusal {
  const card = charge?.status === 'succeeded' ? charge : undefined;
  if (!card) {
    return entry.type === 'refund' && entry.method === 'card'
      ? { why: 'money goes back to a card only as the refund of the card payment it came from', path: '/method' }
      : null;
  }
  const what = entry.type === 'void' ? 'void' : 'refund';
  if (card.refundEntryId !== entry.id) {
    return {
      why: card.refundEntryId === null
        ? `a card payment is given back to the card through Stripe before its ${what} is recorded: ${what} it on a desk while online`
        : `this card payment was given back already, by ${card.refundKind ?? 'another entry'} ${card.refundEntryId}`,
      path: '/paymentId',
    };
  }
  if (entry.type === 'refund' && (entry.method !== 'card' || entry.reference !== card.stripeRefundId)) {
    return { why: `the card payment went back to the card as Stripe refund ${card.stripeRefundId ?? '(none)'}: the refund is by card with that reference`, path: '/reference' };
  }
  return null;
}

function chargeMismatch(payment: PaymentDoc, charge: Charge | undefined): string | null {
  const money = (amount: number): string => formatMoney(amount, payment.currency);
  if (!charge) return 'no card charge was started on this server for this payment: take card payments through the desk’s card reader';
  if (charge.status !== 'succeeded') return `its card charge has not succeeded (${charge.status}): open the payment on the desk again once the card is approved`;
  if (payment.reference !== charge.intentId) return `it names Stripe payment ${payment.reference ?? '(none)'}, but its charge was ${charge.intentId}`;
  if (payment.amount !== charge.amount || payment.currency !== charge.currency) {
    return `it records ${money(payment.amount)}, but the card was charged ${formatMoney(charge.amount, charge.currency)}`;
  }
  if (payment.payerId !== charge.payerId) return 'it names another payer than the one the card was charged for';
  if (payment.deviceId !== charge.deviceId) return 'it comes from another desk than the one whose reader took the card';
  return null;
}
