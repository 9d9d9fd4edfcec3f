// Card payments as the desk takes them: the server charges the school's Stripe card reader and
// reports how the charge stands. Each call carries the desk's access token (retried once after a 401).
import type { CardPaymentStatus, CardRefundRequest, CardRefundResult, CardSetup, StartCardPaymentRequest, TestCardOutcome } from '@feemaster/core';
import type { AccessTokens } from './access-token.ts';
import { withToken } from './authorized.ts';
import { requestJson } from './client.ts';

export interface CardApi {
  setup(): Promise<CardSetup>;
  /** Charges the card on the reader; repeating it for the same payment id charges once. */
  start(request: StartCardPaymentRequest): Promise<CardPaymentStatus>;
  status(paymentId: string): Promise<CardPaymentStatus>;
  cancel(paymentId: string): Promise<CardPaymentStatus>;
  /** Taps one of Stripe's test cards on a simulated reader. */
  testCard(paymentId: string, outcome: TestCardOutcome): Promise<CardPaymentStatus>;
  /** Gives the whole payment back to the card, for the void or refund recorded next under `entryId`. */
  refund(paymentId: string, request: CardRefundRequest): Promise<CardRefundResult>;
}

const BASE = '/api/v1/card-payments';

export function createCardApi(serverUrl: string, tokens: AccessTokens): CardApi {
  const call = <T>(path: string, init: RequestInit = {}): Promise<T> => withToken(tokens, (token) => requestJson<T>(serverUrl, `${BASE}${path}`, { ...init, token }));
  const post = <T>(path: string, body: unknown): Promise<T> => call<T>(path, { method: 'POST', body: JSON.stringify(body) });
  const one = (paymentId: string): string => `/${encodeURIComponent(paymentId)}`;
  return {
    setup: () => call<CardSetup>('/setup'),
    start: (request) => post<CardPaymentStatus>('', request),
    status: (paymentId) => call<CardPaymentStatus>(one(paymentId)),
    cancel: (paymentId) => post<CardPaymentStatus>(`${one(paymentId)}/cancel`, {}),
    testCard: (paymentId, outcome) => post<CardPaymentStatus>(`${one(paymentId)}/test-card`, { outcome }),
    refund: (paymentId, request) => post<CardRefundResult>(`${one(paymentId)}/refund`, request),
  };
}
