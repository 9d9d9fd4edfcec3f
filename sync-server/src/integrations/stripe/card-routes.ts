// The /api/v1/card-payments endpoints a desk takes card payments through, and Stripe's webhook.
// Everything a cashier sees comes back as CardPaymentStatus; Stripe failures come back as errors
// whose message says what to do (try again, another method).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type Stripe from 'stripe';
import { CardPaymentStatus, CardRefundRequest, CardRefundResult, CardSetup, IdString, PresentTestCardRequest, StartCardPaymentRequest } from '@feemaster/core';
import { authenticateToken, bearerToken } from '../../auth/authenticate.ts';
import type { TokenService } from '../../auth/tokens.ts';
import type { Db } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import type { CardPayments } from './card-payments.ts';
import type { StripeConnection } from './stripe-connection.ts';

export interface CardRouteOptions {
  db: Db;
  tokens: TokenService;
  cards: CardPayments;
  connection: StripeConnection;
}

const Params = Type.Object({ paymentId: IdString });

export const cardPaymentRoutes: FastifyPluginAsyncTypebox<CardRouteOptions> = async (app, ctx) => {
  const principalOf = (request: Parameters<typeof bearerToken>[0]) => authenticateToken(ctx.db, ctx.tokens, bearerToken(request));

  app.get(
    '/api/v1/card-payments/setup',
    { schema: { tags: ['card payments'], summary: "Whether card payments can be taken, and the school's card readers", response: { 200: CardSetup } } },
    async (request) => ctx.cards.setup(await principalOf(request)),
  );

  app.post(
    '/api/v1/card-payments',
    {
      schema: {
        tags: ['card payments'],
        summary: 'Charge a card on a reader for a payment about to be recorded; repeating the request charges once',
        body: StartCardPaymentRequest,
        response: { 200: CardPaymentStatus },
      },
    },
    async (request) => ctx.cards.start(await principalOf(request), request.body),
  );

  app.get(
    '/api/v1/card-payments/:paymentId',
    { schema: { tags: ['card payments'], summary: 'Where a card payment stands, as Stripe reports it', params: Params, response: { 200: CardPaymentStatus } } },
    async (request) => ctx.cards.status(await principalOf(request), request.params.paymentId),
  );

  app.post(
    '/api/v1/card-payments/:paymentId/cancel',
    {
      schema: {
        tags: ['card payments'],
        summary: 'Stop the reader and cancel the charge; a card taken just before answers succeeded and must be recorded',
        params: Params,
        response: { 200: CardPaymentStatus },
      },
    },
    async (request) => ctx.cards.cancel(await principalOf(request), request.params.paymentId),
  );

  app.post(
    '/api/v1/card-payments/:paymentId/test-card',
    {
      schema: {
        tags: ['card payments'],
        summary: 'Tap one of Stripe’s test cards on a simulated reader (the simulator, or a Stripe test-mode reader)',
        params: Params,
        body: PresentTestCardRequest,
        response: { 200: CardPaymentStatus },
      },
    },
    async (request) => ctx.cards.presentTestCard(await principalOf(request), request.params.paymentId, request.body.outcome),
  );

  app.post(
    '/api/v1/card-payments/:paymentId/refund',
    {
      schema: {
        tags: ['card payments'],
        summary: 'Give the whole card payment back to the card, for the void or refund the desk records next; repeating it refunds once',
        params: Params,
        body: CardRefundRequest,
        response: { 200: CardRefundResult },
      },
    },
    async (request) => ctx.cards.refund(await principalOf(request), request.params.paymentId, request.body),
  );

  // Stripe's events, checked against the raw body's signature before anything is believed.
  await app.register(async (webhook) => {
    webhook.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    webhook.post('/api/v1/webhooks/stripe', { schema: { hide: true } }, async (request) => {
      const secret = ctx.connection.webhookSecret;
      if (!secret) throw new AppError(404, 'not-found', 'Stripe webhooks are not set up on this server: set STRIPE_WEBHOOK_SECRET to the endpoint’s signing secret.');
      const signature = request.headers['stripe-signature'];
      if (typeof signature !== 'string' || !Buffer.isBuffer(request.body)) throw new AppError(400, 'bad-request', 'A Stripe webhook call carries a Stripe-Signature header and a JSON body.');
      let event: Stripe.Event;
      try {
        event = ctx.connection.stripe.webhooks.constructEvent(request.body, signature, secret);
      } catch (caught) {
        throw new AppError(400, 'bad-request', `The Stripe signature does not match: ${caught instanceof Error ? caught.message : String(caught)}`);
      }
      if (event.type === 'payment_intent.succeeded' || event.type === 'payment_intent.payment_failed' || event.type === 'payment_intent.canceled') {
        await ctx.cards.onIntentEvent(event.data.object);
      }
      return { received: true };
    });
  });
};
