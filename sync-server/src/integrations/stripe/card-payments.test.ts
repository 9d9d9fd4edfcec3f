// Card payments on a Stripe card reader, through the real `stripe` SDK against a local fake of
// Stripe's HTTP API: charging a reader (once per payment id), declines and retries, cancelling,
// giving the money back for a void or refund, Stripe's webhook, and the ledger accepting a card
// payment, void or refund only when it matches what the server saw at Stripe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import {
  LEDGER_SCHEMA_VERSION,
  newId,
  type CardPaymentStatus,
  type CardRefundResult,
  type CardSetup,
  type CashSessionOpenDoc,
  type ErrorBody,
  type LoginResponse,
  type PaymentDoc,
  type RefundDoc,
  type VoidDoc,
} from '@feemaster/core';
import { buildApp } from '../../app.ts';
import { initSchool } from '../../setup/init-school.ts';
import { enrolDesk, signInAsMember, type EnrolledDesk } from '../../../test/fixtures.ts';
import { serverPerTest } from '../../../test/server-per-test.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { startFakeStripeApi, type FakeStripeApi } from './fake-stripe-api.ts';

const KEY = 'sk_test_hillside_card_tests';
const WEBHOOK_SECRET = 'whsec_hillside_card_tests';
const OWNER = { email: 'head@hillside.example', password: 'owner-passphrase-1' };
const PUSH = `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`;
const READER = 'tmr_sim_front';

let fake: FakeStripeApi;
beforeAll(async () => {
  fake = await startFakeStripeApi({ apiKey: KEY, readers: [{ id: READER, label: 'Front window reader' }, { id: 'tmr_sim_second', label: 'Second window reader' }] });
});
afterAll(async () => {
  await fake.close();
});

async function start(database: TestDatabase) {
  const { schoolId } = await initSchool(database.db, { schoolName: 'Hillside Academy', currency: 'KES', timezone: 'Africa/Nairobi', ownerName: 'Grace Wanjiru', ownerEmail: OWNER.email, ownerPassword: OWNER.password });
  const { app, hub } = await buildApp({ database, setupCode: null, authRateLimitPerMinute: 1000, stripe: { secretKey: KEY, apiUrl: fake.url, webhookSecret: WEBHOOK_SECRET } });
  const owner = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  return { app, hub, schoolId, token: owner.json<LoginResponse>().accessToken };
}

const suite = serverPerTest(start);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function call(token: string, method: 'GET' | 'POST', url: string, payload?: object) {
  return suite.server.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
}

async function ok<T>(response: Promise<{ statusCode: number; body: string; json: <U>() => U }>): Promise<T> {
  const res = await response;
  expect(res.statusCode, res.body).toBe(200);
  return res.json<T>();
}

function push(token: string, ...docs: object[]) {
  return call(token, 'POST', PUSH, docs.map((doc) => ({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } })));
}

const payerId = newId();
const officeId = newId();

/** A desk with a cashier signed in on it and a till open. */
async function deskWithTill() {
  const desk = await enrolDesk(suite.server);
  const cashier = await signInAsMember(suite.server, suite.database, 'cashier', desk);
  const token = cashier.login.accessToken;
  const till: CashSessionOpenDoc = { ...common(cashier.login.user.id), type: 'cashSessionOpen', deviceId: desk.deviceId, officeId, float: 0 };
  expect((await push(token, till)).statusCode).toBe(200);
  return { desk, token, till, cashierId: cashier.login.user.id };
}

function common(createdBy: string) {
  return { id: newId(), schoolId: suite.server.schoolId, currency: 'KES', createdAt: new Date().toISOString(), createdBy };
}

function cardPayment(at: { desk: EnrolledDesk; till: CashSessionOpenDoc; cashierId: string }, status: Pick<CardPaymentStatus, 'paymentId' | 'intentId' | 'amount'>, seq: number): PaymentDoc {
  return {
    ...common(at.cashierId),
    id: status.paymentId,
    type: 'payment',
    payerId,
    receiptNumber: `MAIN-${at.desk.code}-${String(seq).padStart(6, '0')}`,
    deviceId: at.desk.deviceId,
    officeId,
    cashSessionId: at.till.id,
    method: 'card',
    reference: status.intentId,
    amount: status.amount,
    offline: false,
    allocations: [],
  };
}

const startCharge = (token: string, paymentId: string, amount = 1_250_050, readerId = READER) =>
  call(token, 'POST', '/api/v1/card-payments', { paymentId, payerId, amount, currency: 'KES', readerId });

/** A card charged and approved on the reader. */
async function approvedCharge(token: string, amount = 1_250_050): Promise<CardPaymentStatus> {
  const paymentId = newId();
  const waiting = await ok<CardPaymentStatus>(startCharge(token, paymentId, amount));
  expect(waiting.status).toBe('waiting');
  return ok<CardPaymentStatus>(call(token, 'POST', `/api/v1/card-payments/${paymentId}/test-card`, { outcome: 'approved' }));
}

describe('card payments on a Stripe reader', () => {
  it('lists the readers of the Stripe account, and is labelled simulated only without a key', async () => {
    const { token } = await deskWithTill();
    const setup = await ok<CardSetup>(call(token, 'GET', '/api/v1/card-payments/setup'));
    expect(setup).toEqual({
      available: true,
      simulated: false,
      reason: null,
      readers: [
        { id: READER, label: 'Front window reader', online: true, simulated: true },
        { id: 'tmr_sim_second', label: 'Second window reader', online: true, simulated: true },
      ],
    });
    // With no key the server runs the built-in simulator, and says so.
    const simulatedApp = await buildApp({ database: suite.database, setupCode: null, authRateLimitPerMinute: 1000 });
    try {
      const res = await simulatedApp.app.inject({ method: 'GET', url: '/api/v1/card-payments/setup', headers: bearer(token) });
      expect(res.json<CardSetup>()).toMatchObject({ available: true, simulated: true, reason: null });
      expect(res.json<CardSetup>().readers.map((r) => r.label)).toEqual(['Front window reader (simulated)', 'Second window reader (simulated)']);
    } finally {
      await simulatedApp.app.close();
    }
  });

  it('charges once per payment id, takes a declined card again, and the ledger then accepts the payment', async () => {
    const at = await deskWithTill();
    const paymentId = newId();
    const before = fake.requests.length;
    const waiting = await ok<CardPaymentStatus>(startCharge(at.token, paymentId));
    expect(waiting).toMatchObject({ paymentId, readerId: READER, amount: 1_250_050, currency: 'KES', status: 'waiting', message: null, card: null, simulated: false });
    // Stripe saw one PaymentIntent, for the amount in cents, with our payment id as its idempotency key.
    const created = fake.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(created).toHaveLength(1);
    expect(created[0]?.idempotencyKey).toBe(paymentId);
    expect(created[0]?.params).toMatchObject({ amount: '1250050', currency: 'kes', metadata: { feemaster_payment_id: paymentId, feemaster_payer_id: payerId, feemaster_desk_id: at.desk.deviceId } });
    // The desk asking again (a retry after a dropped answer) creates nothing more.
    const again = await ok<CardPaymentStatus>(startCharge(at.token, paymentId));
    expect(again.intentId).toBe(waiting.intentId);
    expect(fake.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')).toHaveLength(1);

    const declined = await ok<CardPaymentStatus>(call(at.token, 'POST', `/api/v1/card-payments/${paymentId}/test-card`, { outcome: 'declined' }));
    expect(declined.status).toBe('failed');
    expect(declined.message).toMatch(/^Your card was declined\..*try the card again/);
    // A payment not approved is refused by the ledger.
    const early = await push(at.token, cardPayment(at, declined, 1));
    expect(early.statusCode).toBe(422);
    expect(early.json<ErrorBody>().message).toMatch(/its card charge has not succeeded \(failed\)/);

    const retried = await ok<CardPaymentStatus>(startCharge(at.token, paymentId));
    expect(retried).toMatchObject({ status: 'waiting', intentId: waiting.intentId, message: null });
    const poor = await ok<CardPaymentStatus>(call(at.token, 'POST', `/api/v1/card-payments/${paymentId}/test-card`, { outcome: 'insufficientFunds' }));
    expect(poor.message).toMatch(/insufficient funds/);
    await ok(startCharge(at.token, paymentId));
    const approved = await ok<CardPaymentStatus>(call(at.token, 'POST', `/api/v1/card-payments/${paymentId}/test-card`, { outcome: 'approved' }));
    expect(approved).toMatchObject({ status: 'succeeded', message: null, card: { brand: 'visa', last4: '4242' }, intentId: waiting.intentId });
    expect(await ok<CardPaymentStatus>(call(at.token, 'GET', `/api/v1/card-payments/${paymentId}`))).toEqual(approved);
    // The card on the receipt is the one Stripe charged: another card, or one Stripe did not name, is refused.
    for (const card of [{ brand: 'visa', last4: '1111' }, { brand: 'mastercard', last4: '4242' }]) {
      const wrong = await push(at.token, { ...cardPayment(at, approved, 1), card });
      expect(wrong.statusCode, wrong.body).toBe(422);
      expect(wrong.json<ErrorBody>()).toMatchObject({
        error: 'ledger-rule',
        message: `Card payment ${cardPayment(at, approved, 1).receiptNumber} was refused: it records the card ${card.brand} •••• ${card.last4}, but Stripe charged visa •••• 4242. Nothing from this upload was saved.`,
      });
    }
    const stored = await push(at.token, { ...cardPayment(at, approved, 1), card: { brand: 'visa', last4: '4242' } });
    expect(stored.statusCode, stored.body).toBe(200);
  });

  it('refuses a card payment Stripe never took, for another amount, or naming another charge', async () => {
    const at = await deskWithTill();
    const approved = await approvedCharge(at.token);
    const cases: [PaymentDoc, RegExp][] = [
      [cardPayment(at, { ...approved, paymentId: newId() }, 1), /no card charge was started on this server for this payment/],
      [cardPayment(at, { ...approved, amount: 1_350_050 }, 2), /records KES\s13,500\.50, but the card was charged KES\s12,500\.50/],
      [cardPayment(at, { ...approved, intentId: 'pi_someoneelses123' }, 3), /names Stripe payment pi_someoneelses123, but its charge was pi_/],
      [{ ...cardPayment(at, approved, 4), payerId: newId() }, /another payer/],
    ];
    for (const [doc, message] of cases) {
      const res = await push(at.token, doc);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json<ErrorBody>()).toMatchObject({ error: 'ledger-rule', message: expect.stringMatching(message) as unknown });
    }
    // From another desk than the one whose reader took it.
    const other = await deskWithTill();
    const res = await push(other.token, cardPayment(other, approved, 5));
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>().message).toMatch(/another desk than the one whose reader took the card/);
    // Marked offline (core's ledger rules), or without its PaymentIntent.
    const offline = await push(at.token, { ...cardPayment(at, approved, 6), offline: true });
    expect(offline.json<ErrorBody>().message).toMatch(/cannot be marked as taken offline/);
    const { reference: _dropped, ...noReference } = cardPayment(at, approved, 7);
    expect((await push(at.token, noReference)).json<ErrorBody>().message).toMatch(/names Stripe payment \(none\), but its charge was pi_/);
  });

  it('cancels a charge the payer walked away from; it cannot be restarted or recorded', async () => {
    const at = await deskWithTill();
    const paymentId = newId();
    const waiting = await ok<CardPaymentStatus>(startCharge(at.token, paymentId));
    const canceled = await ok<CardPaymentStatus>(call(at.token, 'POST', `/api/v1/card-payments/${paymentId}/cancel`));
    expect(canceled.status).toBe('canceled');
    const restart = await startCharge(at.token, paymentId);
    expect(restart.statusCode).toBe(409);
    expect(restart.json<ErrorBody>().message).toBe('This card payment was cancelled: start a new payment.');
    expect((await push(at.token, cardPayment(at, waiting, 1))).statusCode).toBe(422);
    // The same id with other particulars is another payment.
    expect((await startCharge(at.token, paymentId, 5_000)).json<ErrorBody>().message).toMatch(/started with other particulars/);
  });

  it('gives the card back for a void on the same desk, once; the void is refused without it', async () => {
    const at = await deskWithTill();
    const approved = await approvedCharge(at.token);
    const payment = cardPayment(at, approved, 1);
    expect((await push(at.token, payment)).statusCode).toBe(200);
    const voidDoc: VoidDoc = { ...common(at.cashierId), type: 'void', paymentId: payment.id, payerId, cashSessionId: at.till.id, reason: 'Charged the wrong family', deviceId: at.desk.deviceId };
    const early = await push(at.token, voidDoc);
    expect(early.statusCode).toBe(422);
    expect(early.json<ErrorBody>().message).toMatch(/given back to the card through Stripe before its void is recorded/);

    const before = fake.requests.length;
    const given = await ok<CardRefundResult>(call(at.token, 'POST', `/api/v1/card-payments/${payment.id}/refund`, { entryId: voidDoc.id, kind: 'void', reason: voidDoc.reason }));
    expect(given).toMatchObject({ paymentId: payment.id, entryId: voidDoc.id, amount: 1_250_050, currency: 'KES', stripeRefundId: expect.stringMatching(/^re_/) as unknown });
    const refunds = fake.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
    expect(refunds.map((r) => r.idempotencyKey)).toEqual([`refund-${voidDoc.id}`]);
    // Asking again for the same void gives the same answer and refunds nothing more.
    expect(await ok<CardRefundResult>(call(at.token, 'POST', `/api/v1/card-payments/${payment.id}/refund`, { entryId: voidDoc.id, kind: 'void', reason: voidDoc.reason }))).toEqual(given);
    expect(fake.requests.slice(before).filter((r) => r.path === '/v1/refunds')).toHaveLength(1);
    expect((await push(at.token, voidDoc)).statusCode).toBe(200);

    // A second giving-back of the same charge is refused, at Stripe's door and on the ledger.
    const twice = await call(at.token, 'POST', `/api/v1/card-payments/${payment.id}/refund`, { entryId: newId(), kind: 'void', reason: 'again' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ErrorBody>().message).toMatch(/given back already/);
    // Another desk voids nothing of this desk's till.
    const other = await deskWithTill();
    const elsewhere = await call(other.token, 'POST', `/api/v1/card-payments/${payment.id}/refund`, { entryId: newId(), kind: 'void', reason: 'wrong' });
    expect(elsewhere.statusCode).toBe(403);
  });

  it('refunds a card payment to the card only by a manager, as a card refund naming the Stripe refund', async () => {
    const at = await deskWithTill();
    const approved = await approvedCharge(at.token, 900_000);
    const payment = cardPayment(at, approved, 1);
    expect((await push(at.token, payment)).statusCode).toBe(200);
    const refundId = newId();
    const byCashier = await call(at.token, 'POST', `/api/v1/card-payments/${payment.id}/refund`, { entryId: refundId, kind: 'refund', reason: 'Left the school' });
    expect(byCashier.statusCode).toBe(403);
    expect(byCashier.json<ErrorBody>().message).toMatch(/a bursar, admin or owner signed in on the desk refunds it/);

    const bursar = await signInAsMember(suite.server, suite.database, 'bursar', at.desk);
    const given = await ok<CardRefundResult>(call(bursar.login.accessToken, 'POST', `/api/v1/card-payments/${payment.id}/refund`, { entryId: refundId, kind: 'refund', reason: 'Left the school' }));
    const refund: RefundDoc = { ...common(bursar.login.user.id), id: refundId, type: 'refund', payerId, amount: 900_000, method: 'card', reference: given.stripeRefundId, reason: 'Left the school', paymentId: payment.id, deviceId: at.desk.deviceId };
    const wrongReference = await push(bursar.login.accessToken, { ...refund, reference: 're_notthisone' });
    expect(wrongReference.statusCode).toBe(422);
    expect(wrongReference.json<ErrorBody>().message).toMatch(/by card with that reference/);
    const inCash = await push(bursar.login.accessToken, { ...refund, method: 'cash', cashSessionId: at.till.id, reference: undefined });
    expect(inCash.statusCode).toBe(422);
    expect((await push(bursar.login.accessToken, refund)).statusCode).toBe(200);
    // Money goes back to a card only as the refund of a card payment.
    const toCard = await push(bursar.login.accessToken, { ...common(bursar.login.user.id), type: 'refund', payerId, amount: 1_000, method: 'card', reference: 're_credit', reason: 'Credit back', deviceId: at.desk.deviceId });
    expect(toCard.statusCode).toBe(422);
    expect(toCard.json<ErrorBody>().message).toMatch(/only as the refund of the card payment it came from/);
  });

  it("follows Stripe's signed webhook, and refuses one whose signature does not match", async () => {
    const at = await deskWithTill();
    const paymentId = newId();
    const waiting = await ok<CardPaymentStatus>(startCharge(at.token, paymentId));
    // The card is approved at Stripe while nobody asks the server (the desk closed).
    const stripe = new Stripe(KEY, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
    await stripe.testHelpers.terminal.readers.presentPaymentMethod(READER, { type: 'card_present', card_present: { number: '5555555555554444' } });
    const intent = await stripe.paymentIntents.retrieve(waiting.intentId);
    const payload = JSON.stringify({ id: 'evt_test_1', object: 'event', type: 'payment_intent.succeeded', data: { object: intent }, created: Math.floor(Date.now() / 1000), livemode: false, api_version: null, pending_webhooks: 1, request: { id: null, idempotency_key: null } });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const forged = await suite.server.app.inject({ method: 'POST', url: '/api/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload: payload.replace('payment_intent.succeeded', 'payment_intent.canceled') });
    expect(forged.statusCode).toBe(400);
    const res = await suite.server.app.inject({ method: 'POST', url: '/api/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
    expect(res.statusCode, res.body).toBe(200);
    // The server learnt of it from the event alone: the charge stands as succeeded, with the card's brand.
    const { cardPayments } = await import('../../db/schema.ts');
    const [row] = await suite.database.db.select().from(cardPayments);
    expect(row).toMatchObject({ paymentId, status: 'succeeded', cardBrand: 'mastercard', cardLast4: '4444' });
  });

  it('says what to do when Stripe cannot be reached, when not on a desk, and for another currency', async () => {
    const at = await deskWithTill();
    const owner = await call(suite.server.token, 'POST', '/api/v1/card-payments', { paymentId: newId(), payerId, amount: 100, currency: 'KES', readerId: READER });
    expect(owner.statusCode).toBe(403);
    expect(owner.json<ErrorBody>().message).toMatch(/registered desk/);
    const dollars = await call(at.token, 'POST', '/api/v1/card-payments', { paymentId: newId(), payerId, amount: 100, currency: 'USD', readerId: READER });
    expect(dollars.statusCode).toBe(422);
    expect(dollars.json<ErrorBody>().message).toMatch(/school's currency \(KES\), not USD/);
    const busy = await ok<CardPaymentStatus>(startCharge(at.token, newId()));
    const second = await ok<CardPaymentStatus>(startCharge(at.token, newId()));
    expect(second.status).toBe('failed');
    expect(second.message).toMatch(/^The reader did not take the payment/);
    await ok(call(at.token, 'POST', `/api/v1/card-payments/${busy.paymentId}/cancel`));

    const closed = await startFakeStripeApi({ apiKey: KEY });
    const deadUrl = closed.url;
    await closed.close();
    const unreachable = await buildApp({ database: suite.database, setupCode: null, authRateLimitPerMinute: 1000, stripe: { secretKey: KEY, apiUrl: deadUrl } });
    try {
      const res = await unreachable.app.inject({ method: 'POST', url: '/api/v1/card-payments', headers: bearer(at.token), payload: { paymentId: newId(), payerId, amount: 100, currency: 'KES', readerId: READER } });
      expect(res.statusCode).toBe(502);
      expect(res.json<ErrorBody>()).toMatchObject({ error: 'provider-unavailable', message: expect.stringMatching(/^Stripe could not be reached while starting the card payment .*take another method/) as unknown });
      const setup = await unreachable.app.inject({ method: 'GET', url: '/api/v1/card-payments/setup', headers: bearer(at.token) });
      expect(setup.json<CardSetup>()).toMatchObject({ available: false, readers: [], reason: expect.stringMatching(/Stripe could not be reached/) as unknown });
    } finally {
      await unreachable.app.close();
    }
  });
});
