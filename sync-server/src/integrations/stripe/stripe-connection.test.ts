// Stripe settings from the environment, and amounts as Stripe counts them.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';
import { toStripeAmount } from './stripe-connection.ts';

describe('Stripe settings', () => {
  it('uses the built-in simulator with no key, and reads the key, base URL and webhook secret', () => {
    expect(loadConfig({}, '/srv').stripe).toEqual({});
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_51Abc', STRIPE_API_URL: 'http://127.0.0.1:12111', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }, '/srv').stripe).toEqual({
      secretKey: 'sk_test_51Abc',
      apiUrl: 'http://127.0.0.1:12111',
      webhookSecret: 'whsec_abc',
    });
  });

  it('refuses settings that cannot work, saying what to set', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_51Abc' }, '/srv')).toThrow(/STRIPE_SECRET_KEY must be a Stripe secret or restricted key/);
    expect(() => loadConfig({ STRIPE_API_URL: 'http://127.0.0.1:12111' }, '/srv')).toThrow('STRIPE_API_URL is set without STRIPE_SECRET_KEY');
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_API_URL: 'api.stripe.com' }, '/srv')).toThrow(ConfigError);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'secret' }, '/srv')).toThrow(/signing secret from the Stripe dashboard \(whsec_…\)/);
  });
});

describe('amounts as Stripe counts them', () => {
  it('keeps cents, shifts currencies Stripe counts differently from ISO 4217, and refuses what cannot be charged exactly', () => {
    expect(toStripeAmount(1_250_050, 'KES', 2)).toBe(1_250_050);
    expect(toStripeAmount(50_000, 'UGX', 0)).toBe(50_000);
    // ISK has no minor unit in ISO 4217; Stripe counts it in hundredths.
    expect(toStripeAmount(5_000, 'ISK', 0)).toBe(500_000);
    expect(toStripeAmount(1_500, 'XYZ', 3)).toBe(150);
    expect(toStripeAmount(1_505, 'XYZ', 3)).toBeNull();
  });
});
