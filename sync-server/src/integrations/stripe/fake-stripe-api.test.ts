// The fake Stripe API driven by the real `stripe` SDK: the card-reader flow (approved, declined,
// retried), refunds, idempotency, errors as the SDK types them, and signed webhooks that the SDK's
// own verifier accepts.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripeApi, type FakeStripeApi } from './fake-stripe-api.ts';

const KEY = 'sk_test_fake_0123456789abcdef';
const WEBHOOK_SECRET = 'whsec_test_fake_secret';

let fake: FakeStripeApi;
let stripe: Stripe;
let receiver: Server;
/** What the webhook receiver got: the raw body and its Stripe-Signature header. */
const received: { body: string; signature: string }[] = [];
let receiverStatus = 200;

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    void readAll(request).then((body) => {
      received.push({ body, signature: String(request.headers['stripe-signature']) });
      response.writeHead(receiverStatus).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  const receiverPort = typeof address === 'object' && address ? address.port : 0;
  fake = await startFakeStripeApi({
    apiKey: KEY,
    readers: [
      { id: 'tmr_sim_front', label: 'Front window reader' },
      { id: 'tmr_sim_second', label: 'Second window reader' },
      { id: 'tmr_sim_unplugged', label: 'Unplugged reader', status: 'offline' },
    ],
    webhook: { url: `http://127.0.0.1:${receiverPort}/stripe/webhook`, secret: WEBHOOK_SECRET },
  });
  stripe = new Stripe(KEY, { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await fake.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** The webhook events received so far, verified with the SDK. */
async function events(): Promise<Stripe.Event[]> {
  await fake.settled();
  return received.map(({ body, signature }) => stripe.webhooks.constructEvent(body, signature, WEBHOOK_SECRET));
}

const newIntent = (amount = 10_000, extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Promise<Stripe.PaymentIntent> =>
  stripe.paymentIntents.create({ amount, currency: 'usd', allowed_payment_method_types: ['card_present'], ...extra });

/** Process an intent on a reader and present a card there; returns the reader after the tap. */
async function pay(intentId: string, number = '4242424242424242', reader = 'tmr_sim_front'): Promise<Stripe.Terminal.Reader> {
  await stripe.terminal.readers.processPaymentIntent(reader, { payment_intent: intentId });
  return stripe.testHelpers.terminal.readers.presentPaymentMethod(reader, { card_present: { number } });
}

async function raw(method: string, path: string, init: { body?: string; contentType?: string; key?: string } = {}): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${init.key ?? KEY}`, ...(init.contentType ? { 'Content-Type': init.contentType } : {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: response.status, json: await response.json() };
}

describe('payment intents', () => {
  it('creates and retrieves an intent', async () => {
    const created = await stripe.paymentIntents.create({
      amount: 12_500,
      currency: 'USD',
      allowed_payment_method_types: ['card_present', 'klarna'],
      description: 'Term 2 fees',
      metadata: { invoice: 'INV-0042', family: 'F-7' },
    });
    expect(created.id).toMatch(/^pi_3[A-Za-z0-9]{24}$/);
    expect(created).toMatchObject({
      object: 'payment_intent',
      amount: 12_500,
      amount_received: 0,
      currency: 'usd',
      status: 'requires_payment_method',
      capture_method: 'automatic',
      // Klarna cannot take a card at a reader: dropped silently, as Stripe does.
      allowed_payment_method_types: ['card_present', 'klarna'],
      payment_method_types: ['card_present'],
      metadata: { invoice: 'INV-0042', family: 'F-7' },
      description: 'Term 2 fees',
      latest_charge: null,
      last_payment_error: null,
      livemode: false,
      canceled_at: null,
      cancellation_reason: null,
    });
    expect(created.created).toBeCloseTo(Date.now() / 1000, -1);
    const retrieved = await stripe.paymentIntents.retrieve(created.id);
    expect(JSON.parse(JSON.stringify(retrieved))).toEqual(JSON.parse(JSON.stringify(created)));
    const other = await newIntent();
    expect(other.id).not.toBe(created.id);
  });

  it('answers an unknown intent with resource_missing', async () => {
    const failure = stripe.paymentIntents.retrieve('pi_nope');
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(failure).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'intent', raw: { message: "No such payment_intent: 'pi_nope'" } });
  });

  it('refuses bad parameters as Stripe does', async () => {
    await expect(stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_missing',
      param: 'amount',
      raw: { message: 'Missing required param: amount.' },
    });
    await expect(stripe.paymentIntents.create({ amount: 'ten' as unknown as number, currency: 'usd' })).rejects.toMatchObject({
      code: 'parameter_invalid_integer',
      param: 'amount',
      raw: { message: 'Invalid integer: ten' },
    });
    await expect(stripe.paymentIntents.create({ amount: 0, currency: 'usd' })).rejects.toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
    await expect(stripe.paymentIntents.create({ amount: 100, currency: 'usd', colour: 'blue' } as Stripe.PaymentIntentCreateParams)).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'colour',
      raw: { message: 'Received unknown parameter: colour' },
    });
    await expect(stripe.paymentIntents.create({ amount: 100, currency: 'usd', metadata: { ['k'.repeat(41)]: 'v' } })).rejects.toMatchObject({
      statusCode: 400,
      param: `metadata[${'k'.repeat(41)}]`,
    });
    await expect(stripe.paymentIntents.create({ amount: 100, currency: 'usd', metadata: { note: 'v'.repeat(501) } })).rejects.toMatchObject({ param: 'metadata[note]' });
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`key${i}`, 'v']));
    await expect(stripe.paymentIntents.create({ amount: 100, currency: 'usd', metadata: tooMany })).rejects.toMatchObject({ param: 'metadata' });
    await expect(stripe.paymentIntents.retrieve('pi_x', { expand: ['customer'] })).rejects.toMatchObject({ param: 'expand', raw: { message: 'This property cannot be expanded (customer).' } });
  });

  it('takes payment_method_types only on API versions from before Stripe removed it', async () => {
    const legacy = { amount: 100, currency: 'usd', payment_method_types: ['card_present'] } as Stripe.PaymentIntentCreateParams;
    await expect(stripe.paymentIntents.create(legacy)).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_method_types_no_longer_supported',
      param: 'payment_method_types',
    });
    const older = await stripe.paymentIntents.create(legacy, { apiVersion: '2025-09-30.clover' });
    expect(older).toMatchObject({ payment_method_types: ['card_present'], allowed_payment_method_types: null });
    const dynamic = await stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    expect(dynamic).toMatchObject({ payment_method_types: ['card'], automatic_payment_methods: { enabled: true } });
  });

  it('replays a request made again with the same idempotency key', async () => {
    const params = { amount: 4_200, currency: 'usd', allowed_payment_method_types: ['card_present'], metadata: { invoice: 'INV-7' } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'till-1-receipt-7' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'till-1-receipt-7' });
    expect(second.id).toBe(first.id);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.requests.filter((request) => request.idempotencyKey === 'till-1-receipt-7')).toEqual([
      { method: 'POST', path: '/v1/payment_intents', idempotencyKey: 'till-1-receipt-7', params: { ...params, amount: '4200' } },
      { method: 'POST', path: '/v1/payment_intents', idempotencyKey: 'till-1-receipt-7', params: { ...params, amount: '4200' } },
    ]);
    const created = (await events()).filter((event) => event.type === 'payment_intent.created' && event.data.object.id === first.id);
    expect(created).toHaveLength(1);
    expect(created[0]?.request).toEqual({ id: first.lastResponse.requestId, idempotency_key: 'till-1-receipt-7' });
  });

  it('refuses the same idempotency key with other parameters', async () => {
    await stripe.paymentIntents.create({ amount: 500, currency: 'usd' }, { idempotencyKey: 'till-1-receipt-8' });
    const failure = stripe.paymentIntents.create({ amount: 600, currency: 'usd' }, { idempotencyKey: 'till-1-receipt-8' });
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await expect(failure).rejects.toMatchObject({ type: 'StripeIdempotencyError', rawType: 'idempotency_error', statusCode: 400 });
    await expect(failure).rejects.toThrow(/Keys for idempotent requests can only be used with the same parameters they were first used with/);
    await expect(stripe.refunds.create({ payment_intent: 'pi_x' }, { idempotencyKey: 'till-1-receipt-8' })).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
      raw: { message: expect.stringContaining("('POST /v1/payment_intents' vs 'POST /v1/refunds')") as unknown },
    });
  });

  it('refuses a wrong API key', async () => {
    const stranger = new Stripe('sk_test_wrong_key_9999', { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
    const failure = stranger.paymentIntents.create({ amount: 100, currency: 'usd' });
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(failure).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401, raw: { message: 'Invalid API Key provided: sk_test_**********9999' } });
    const none = await raw('GET', '/v1/terminal/readers', { key: '' });
    expect(none.status).toBe(401);
  });

  it('cancels an intent, and refuses to cancel one that succeeded', async () => {
    const intent = await newIntent();
    const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'requested_by_customer' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer' });
    expect(canceled.canceled_at).toBeTypeOf('number');

    const paid = await newIntent();
    await pay(paid.id);
    const failure = stripe.paymentIntents.cancel(paid.id);
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(failure).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
      raw: {
        message:
          'You cannot cancel this PaymentIntent because it has a status of succeeded. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.',
      },
    });
    await expect(failure).rejects.toHaveProperty('payment_intent.status', 'succeeded');
  });
});

describe('the card reader', () => {
  it('lists and retrieves readers', async () => {
    const list = await stripe.terminal.readers.list();
    expect(list.object).toBe('list');
    expect(list.has_more).toBe(false);
    expect(list.url).toBe('/v1/terminal/readers');
    expect(list.data.map((reader) => [reader.id, reader.label, reader.status])).toEqual([
      ['tmr_sim_front', 'Front window reader', 'online'],
      ['tmr_sim_second', 'Second window reader', 'online'],
      ['tmr_sim_unplugged', 'Unplugged reader', 'offline'],
    ]);
    expect(list.data[0]).toMatchObject({ object: 'terminal.reader', device_type: 'simulated_wisepos_e', livemode: false, location: null, metadata: {} });
    const online = await stripe.terminal.readers.list({ status: 'online', limit: 1 });
    expect(online.data.map((reader) => reader.id)).toEqual(['tmr_sim_front']);
    expect(online.has_more).toBe(true);
    const reader = await stripe.terminal.readers.retrieve('tmr_sim_second');
    expect(reader).toMatchObject({ id: 'tmr_sim_second', label: 'Second window reader' });
    await expect(stripe.terminal.readers.retrieve('tmr_nope')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('takes an approved card: the intent succeeds with its charge', async () => {
    const intent = await newIntent(15_000, { metadata: { invoice: 'INV-9' } });
    const started = await stripe.terminal.readers.processPaymentIntent('tmr_sim_front', { payment_intent: intent.id });
    expect(started.action).toEqual({
      type: 'process_payment_intent',
      status: 'in_progress',
      failure_code: null,
      failure_message: null,
      api_error: null,
      process_payment_intent: { payment_intent: intent.id },
    });
    const tapped = await stripe.testHelpers.terminal.readers.presentPaymentMethod('tmr_sim_front', { card_present: { number: '4242424242424242' } });
    expect(tapped.action).toMatchObject({ status: 'succeeded', failure_code: null });

    const paid = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 15_000, last_payment_error: null });
    const charge = paid.latest_charge as Stripe.Charge;
    expect(charge.id).toMatch(/^ch_3[A-Za-z0-9]{24}$/);
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 15_000,
      amount_refunded: 0,
      currency: 'usd',
      paid: true,
      status: 'succeeded',
      payment_intent: intent.id,
      refunded: false,
      metadata: { invoice: 'INV-9' },
    });
    expect(charge.payment_method_details?.card_present).toMatchObject({ brand: 'visa', last4: '4242', read_method: 'contactless_emv', exp_month: 12 });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ id: charge.id, status: 'succeeded' });
    // Not expanded, latest_charge is the id.
    expect((await stripe.paymentIntents.retrieve(intent.id)).latest_charge).toBe(charge.id);
  });

  it('reads a Mastercard', async () => {
    const intent = await newIntent(2_000);
    await pay(intent.id, '5555555555554444', 'tmr_sim_second');
    const paid = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    expect((paid.latest_charge as Stripe.Charge).payment_method_details?.card_present).toMatchObject({ brand: 'mastercard', last4: '4444' });
  });

  it('reports a declined card on the intent and the reader, and a retry succeeds', async () => {
    const intent = await newIntent(7_500);
    const declined = await pay(intent.id, '4000000000000002');
    expect(declined.action).toMatchObject({ status: 'failed', failure_code: 'card_declined', failure_message: 'Your card was declined.' });
    const afterDecline = await stripe.paymentIntents.retrieve(intent.id);
    expect(afterDecline.status).toBe('requires_payment_method');
    expect(afterDecline.amount_received).toBe(0);
    expect(afterDecline.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' });
    const failedCharge = await stripe.charges.retrieve(afterDecline.latest_charge as string);
    expect(failedCharge).toMatchObject({ status: 'failed', paid: false, failure_code: 'card_declined' });

    const retried = await pay(intent.id, '4242424242424242');
    expect(retried.action?.status).toBe('succeeded');
    const paid = await stripe.paymentIntents.retrieve(intent.id);
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 7_500, last_payment_error: null });
    expect(paid.latest_charge).not.toBe(failedCharge.id);
  });

  it('gives the insufficient-funds decline its own message', async () => {
    const intent = await newIntent(99_000);
    const reader = await pay(intent.id, '4000000000009995');
    expect(reader.action).toMatchObject({ status: 'failed', failure_code: 'card_declined', failure_message: 'Your card has insufficient funds.' });
    expect((await stripe.paymentIntents.retrieve(intent.id)).last_payment_error).toMatchObject({
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
  });

  it('refuses a reader that is busy, and is free again after cancel_action', async () => {
    const first = await newIntent();
    const second = await newIntent();
    await stripe.terminal.readers.processPaymentIntent('tmr_sim_second', { payment_intent: first.id });
    const failure = stripe.terminal.readers.processPaymentIntent('tmr_sim_second', { payment_intent: second.id });
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(failure).rejects.toMatchObject({ statusCode: 400, code: 'terminal_reader_busy' });
    const canceled = (await stripe.terminal.readers.cancelAction('tmr_sim_second')) as Stripe.Terminal.Reader;
    expect(canceled.action).toBeNull();
    const started = await stripe.terminal.readers.processPaymentIntent('tmr_sim_second', { payment_intent: second.id });
    expect(started.action?.process_payment_intent?.payment_intent).toBe(second.id);
    await stripe.terminal.readers.cancelAction('tmr_sim_second');
    // With nothing in progress, cancel_action changes nothing.
    expect(((await stripe.terminal.readers.cancelAction('tmr_sim_second')) as Stripe.Terminal.Reader).action).toBeNull();
  });

  it('refuses an offline reader, an intent that already succeeded, and a tap with nothing to pay', async () => {
    const intent = await newIntent();
    await expect(stripe.terminal.readers.processPaymentIntent('tmr_sim_unplugged', { payment_intent: intent.id })).rejects.toMatchObject({
      statusCode: 400,
      code: 'terminal_reader_offline',
    });
    await pay(intent.id);
    const failure = stripe.terminal.readers.processPaymentIntent('tmr_sim_second', { payment_intent: intent.id });
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(failure).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
    await expect(stripe.testHelpers.terminal.readers.presentPaymentMethod('tmr_sim_second')).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.terminal.readers.processPaymentIntent('tmr_sim_front', { payment_intent: 'pi_nope' })).rejects.toMatchObject({
      code: 'resource_missing',
      param: 'payment_intent',
    });
  });

  it('leaves the reader alone when its intent is canceled; the tap then fails', async () => {
    const intent = await newIntent();
    await stripe.terminal.readers.processPaymentIntent('tmr_sim_front', { payment_intent: intent.id });
    await stripe.paymentIntents.cancel(intent.id);
    expect(await stripe.terminal.readers.retrieve('tmr_sim_front')).toHaveProperty('action.status', 'in_progress');
    const reader = await stripe.testHelpers.terminal.readers.presentPaymentMethod('tmr_sim_front');
    expect(reader.action).toMatchObject({ status: 'failed', failure_code: 'payment_intent_unexpected_state' });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('canceled');
  });

  it('holds a manual-capture payment until it is captured', async () => {
    const intent = await newIntent(3_000, { capture_method: 'manual' });
    await pay(intent.id);
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ status: 'requires_capture', amount_capturable: 3_000, amount_received: 0 });
    const captured = await stripe.paymentIntents.capture(intent.id);
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 3_000, amount_capturable: 0 });
  });
});

describe('refunds', () => {
  it('refunds a payment in full', async () => {
    const intent = await newIntent(10_000);
    await pay(intent.id);
    const refund = await stripe.refunds.create({ payment_intent: intent.id, reason: 'requested_by_customer', metadata: { by: 'bursar' } });
    expect(refund.id).toMatch(/^re_3[A-Za-z0-9]{24}$/);
    const chargeId = (await stripe.paymentIntents.retrieve(intent.id)).latest_charge as string;
    expect(refund).toMatchObject({
      object: 'refund',
      amount: 10_000,
      currency: 'usd',
      charge: chargeId,
      payment_intent: intent.id,
      status: 'succeeded',
      reason: 'requested_by_customer',
      metadata: { by: 'bursar' },
    });
    expect(await stripe.charges.retrieve(chargeId)).toMatchObject({ amount_refunded: 10_000, refunded: true });
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, amount: 10_000 });
    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({ code: 'charge_already_refunded' });
  });

  it('refunds in parts and refuses more than is left', async () => {
    const intent = await newIntent(10_000);
    await pay(intent.id);
    const chargeId = (await stripe.paymentIntents.retrieve(intent.id)).latest_charge as string;
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 20_000 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
      raw: { message: 'Refund amount ($200.00) is greater than charge amount ($100.00)' },
    });
    const part = await stripe.refunds.create({ charge: chargeId, amount: 3_000 });
    expect(part.amount).toBe(3_000);
    expect(await stripe.charges.retrieve(chargeId)).toMatchObject({ amount_refunded: 3_000, refunded: false });
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 8_000 })).rejects.toMatchObject({
      raw: { message: 'Refund amount ($80.00) is greater than unrefunded amount on charge ($70.00)' },
    });
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    expect(rest.amount).toBe(7_000);
    expect(await stripe.charges.retrieve(chargeId)).toMatchObject({ amount_refunded: 10_000, refunded: true });
  });

  it('refuses to refund an intent that has not succeeded', async () => {
    const intent = await newIntent();
    const failure = stripe.refunds.create({ payment_intent: intent.id });
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(failure).rejects.toMatchObject({ statusCode: 400, param: 'payment_intent' });
    await expect(stripe.refunds.create({})).rejects.toMatchObject({ code: 'parameter_missing' });
  });
});

describe('robustness', () => {
  it('answers an unknown route with 404', async () => {
    const failure = stripe.rawRequest('GET', '/v1/foo');
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(failure).rejects.toMatchObject({ statusCode: 404 });
    await expect(failure).rejects.toThrow('Unrecognized request URL (GET: /v1/foo). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.');
  });

  it('answers malformed and oversized bodies with 400 and keeps serving', async () => {
    const form = 'application/x-www-form-urlencoded';
    const badEscape = await raw('POST', '/v1/payment_intents', { body: 'amount=%zz&currency=usd', contentType: form });
    expect(badEscape.status).toBe(400);
    expect(badEscape.json).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect((await raw('POST', '/v1/payment_intents', { body: 'metadata=x&metadata[a]=b', contentType: form })).status).toBe(400);
    expect((await raw('POST', '/v1/payment_intents', { body: 'a[b=1', contentType: form })).status).toBe(400);
    expect((await raw('POST', '/v1/payment_intents', { body: '{"amount":100}', contentType: 'application/json' })).status).toBe(400);
    expect((await raw('POST', '/v1/payment_intents', { body: `amount=100&description=${'x'.repeat(1_100_000)}`, contentType: form })).status).toBe(400);
    expect((await raw('POST', '/v1/payment_intents', { body: 'amount=100&currency=usd&metadata[__proto__]=x', contentType: form })).status).toBe(200);
    expect((await raw('GET', '/v1/payment_intents/%E0%A4%A')).status).toBe(404);
    const created = await raw('POST', '/v1/payment_intents', { body: 'amount=250&currency=usd&allowed_payment_method_types[]=card_present', contentType: form });
    expect(created).toMatchObject({ status: 200, json: { amount: 250, payment_method_types: ['card_present'] } });
  });
});

describe('webhooks', () => {
  it('sends signed events that the SDK verifies', async () => {
    const intent = await newIntent(5_500);
    await pay(intent.id);
    const all = await events();
    const forIntent = all.filter((event) => JSON.stringify(event.data.object).includes(intent.id));
    expect(forIntent.map((event) => event.type)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'terminal.reader.action_succeeded',
    ]);
    const succeeded = forIntent[2];
    expect(succeeded).toMatchObject({ object: 'event', livemode: false, pending_webhooks: 1, data: { object: { id: intent.id, status: 'succeeded', amount_received: 5_500 } } });
    expect(succeeded?.id).toMatch(/^evt_3[A-Za-z0-9]{24}$/);
    expect(await stripe.events.retrieve(succeeded?.id ?? '')).toMatchObject({ type: 'payment_intent.succeeded' });
    expect(fake.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
    expect(fake.deliveries).toHaveLength(received.length);

    const last = received.at(-1);
    expect(last).toBeDefined();
    const tampered = (last?.body ?? '').replace('"livemode": false', '"livemode": true');
    expect(() => stripe.webhooks.constructEvent(tampered, last?.signature ?? '', WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => stripe.webhooks.constructEvent(last?.body ?? '', last?.signature ?? '', 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('records failed deliveries without failing the request', async () => {
    receiverStatus = 500;
    try {
      const intent = await newIntent(1_000);
      await fake.settled();
      expect(fake.deliveries.at(-1)).toEqual({ type: 'payment_intent.created', status: 500 });
      expect(intent.status).toBe('requires_payment_method');
    } finally {
      receiverStatus = 200;
    }
  });
});
