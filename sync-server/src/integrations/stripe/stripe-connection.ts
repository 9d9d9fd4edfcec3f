// The server's one connection to Stripe: the real `stripe` SDK, pointed at api.stripe.com, at
// another base URL (STRIPE_API_URL: a local fake in tests, stripe-mock), or, with no key set, at
// the built-in simulator, a local fake of Stripe's HTTP API whose readers only take test cards,
// so a new school can see the whole card flow with no money moving, clearly labelled as such.
import Stripe from 'stripe';
import packageJson from '../../../package.json' with { type: 'json' };
import { startFakeStripeApi, type FakeStripeApi } from './fake-stripe-api.ts';

export interface StripeSettings {
  /** sk_live_… or sk_test_…; absent: the built-in simulator. */
  secretKey?: string;
  /** Another base URL for Stripe's API (http://127.0.0.1:12111); absent: api.stripe.com. */
  apiUrl?: string;
  /** whsec_…: checks the signature of Stripe's webhook calls; absent: webhooks are refused. */
  webhookSecret?: string;
}

export interface StripeConnection {
  stripe: Stripe;
  /** The built-in simulator answers, not Stripe: no money moves. */
  simulated: boolean;
  webhookSecret: string | null;
  close(): Promise<void>;
}

const SIMULATOR_KEY = 'sk_test_feemaster_simulator';

function clientFor(secretKey: string, apiUrl: string | undefined): Stripe {
  const base = apiUrl ? new URL(apiUrl) : null;
  return new Stripe(secretKey, {
    ...(base ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol === 'http:' ? 'http' : 'https' } : {}),
    // A reader call is retried on a dropped connection; the SDK reuses the idempotency key.
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'Fee Master', version: packageJson.version },
  });
}

export async function connectStripe(settings: StripeSettings): Promise<StripeConnection> {
  if (settings.secretKey) {
    return { stripe: clientFor(settings.secretKey, settings.apiUrl), simulated: false, webhookSecret: settings.webhookSecret ?? null, close: async () => undefined };
  }
  const simulator: FakeStripeApi = await startFakeStripeApi({
    apiKey: SIMULATOR_KEY,
    readers: [
      { id: 'tmr_simulated_front', label: 'Front window reader (simulated)' },
      { id: 'tmr_simulated_second', label: 'Second window reader (simulated)' },
    ],
  });
  return { stripe: clientFor(SIMULATOR_KEY, simulator.url), simulated: true, webhookSecret: null, close: () => simulator.close() };
}

/** Currencies Stripe counts in whole units, and those it counts in thousandths (last digit 0). */
const STRIPE_ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export function stripeExponent(currency: string): number {
  if (STRIPE_ZERO_DECIMAL.has(currency)) return 0;
  return STRIPE_THREE_DECIMAL.has(currency) ? 3 : 2;
}

/**
 * An amount in the school's minor units as Stripe counts it (ISK: Stripe wants hundredths of a
 * króna the ISO code has none of), or null when Stripe cannot charge it exactly.
 */
export function toStripeAmount(amount: number, currency: string, exponent: number): number | null {
  const shift = stripeExponent(currency) - exponent;
  if (shift >= 0) return amount * 10 ** shift;
  const divisor = 10 ** -shift;
  return amount % divisor === 0 ? amount / divisor : null;
}
