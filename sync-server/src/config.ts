// Server configuration from the environment, validated once at start-up with clear errors.
import { resolve } from 'node:path';
import type { DatabaseTarget } from './db/client.ts';

export interface ServerConfig {
  port: number;
  host: string;
  database: DatabaseTarget;
  /** Built web renderer served at `/` when present (the browser edition of the desk app). */
  webRoot: string | null;
  /** Extra origins allowed to call the API (the desktop app's `app://fee-master`). */
  corsOrigins: string[];
  accessTokenTtlSeconds: number;
  logLevel: string;
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
  const ttl = Number.parseInt(env.FEEMASTER_ACCESS_TOKEN_TTL ?? '43200', 10);
  if (!Number.isInteger(ttl) || ttl < 60) {
    throw new ConfigError('FEEMASTER_ACCESS_TOKEN_TTL must be a whole number of seconds, at least 60.');
  }
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir: resolve(dataDir, 'pglite') },
    webRoot: env.FEEMASTER_WEB_ROOT === '' ? null : resolve(baseDir, env.FEEMASTER_WEB_ROOT ?? 'out/web'),
    corsOrigins: ['app://fee-master', ...(env.FEEMASTER_CORS_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean) ?? [])],
    accessTokenTtlSeconds: ttl,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a number between 0 and 65535, got '${value}'.`);
  }
  return port;
}
