// Server configuration from the environment, validated once at start-up with clear errors.
import { resolve } from 'node:path';
import type { DatabaseTarget } from './db/client.ts';
import type { StripeSettings } from './integrations/stripe/stripe-connection.ts';

export interface ServerConfig {
  port: number;
  host: string;
  database: DatabaseTarget;
  /** Built web renderer served at `/` when present (the browser edition of the desk app). */
  webRoot: string | null;
  /** Extra origins allowed to call the API (the desktop app's `app://fee-master`). */
  corsOrigins: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  offlineGrantTtlSeconds: number;
  /** Ed25519 PKCS#8 PEM; absent means the key pair kept in the database. */
  jwtPrivateKey: string | undefined;
  logLevel: string;
  /** Card payments: Stripe's secret key, another API base URL, the webhook secret; no key, the built-in simulator. */
  stripe: StripeSettings;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, baseDir = env.INIT_CWD ?? process.cwd()): ServerConfig {
  const port = parsePort(env.PORT ?? '8787');
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql:// (unset it to use the embedded database).');
  }
  const dataDir = resolve(baseDir, env.FEEMASTER_DATA_DIR ?? '.data');
  if (env.FEEMASTER_JWT_SECRET) {
    throw new ConfigError(
      'FEEMASTER_JWT_SECRET is no longer used: access tokens are now signed with Ed25519. Remove it (the key pair is then kept in the database), ' +
        'or set FEEMASTER_JWT_PRIVATE_KEY to an Ed25519 private key in PEM form (openssl genpkey -algorithm ed25519).',
    );
  }
  const ttl = parseSeconds(env, 'FEEMASTER_ACCESS_TOKEN_TTL', 900, 60, 86_400);
  const refreshTtl = parseSeconds(env, 'FEEMASTER_REFRESH_TOKEN_TTL', 30 * 86_400, 3_600, 365 * 86_400);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir: resolve(dataDir, 'pglite') },
    webRoot: env.FEEMASTER_WEB_ROOT === '' ? null : resolve(baseDir, env.FEEMASTER_WEB_ROOT ?? 'out/web'),
    corsOrigins: ['app://fee-master', ...(env.FEEMASTER_CORS_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean) ?? [])],
    accessTokenTtlSeconds: ttl,
    refreshTokenTtlSeconds: refreshTtl,
    offlineGrantTtlSeconds: parseSeconds(env, 'FEEMASTER_OFFLINE_GRANT_TTL', 30 * 86_400, 3_600, 90 * 86_400),
    jwtPrivateKey: env.FEEMASTER_JWT_PRIVATE_KEY?.trim() || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    stripe: stripeSettings(env),
  };
}

function stripeSettings(env: NodeJS.ProcessEnv): StripeSettings {
  const secretKey = env.STRIPE_SECRET_KEY?.trim() || undefined;
  if (secretKey && !/^(sk|rk)_(live|test)_\w+$/.test(secretKey)) {
    throw new ConfigError('STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…); unset it to use the built-in card simulator.');
  }
  const apiUrl = env.STRIPE_API_URL?.trim() || undefined;
  if (apiUrl && !/^https?:\/\/[^/]+\/?$/.test(apiUrl)) throw new ConfigError(`STRIPE_API_URL must be a base URL like https://api.stripe.com or http://127.0.0.1:12111, got '${apiUrl}'.`);
  if (apiUrl && !secretKey) throw new ConfigError('STRIPE_API_URL is set without STRIPE_SECRET_KEY: set the key the API at that address expects.');
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookSecret && !webhookSecret.startsWith('whsec_')) throw new ConfigError('STRIPE_WEBHOOK_SECRET must be the endpoint’s signing secret from the Stripe dashboard (whsec_…).');
  return { ...(secretKey ? { secretKey } : {}), ...(apiUrl ? { apiUrl } : {}), ...(webhookSecret ? { webhookSecret } : {}) };
}

function parseSeconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number of seconds from ${min} to ${max}, got '${text}'.`);
  }
  return value;
}

function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a number between 0 and 65535, got '${value}'.`);
  }
  return port;
}
