// HTTP hardening shared by every route: security headers (helmet), a logger that can never
// write a password, token or cookie, whoever logs what, and a guard against NUL characters.
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { SYNC_BASE_PATH } from '@feemaster/core';
import { AppError } from '../errors.ts';

/** Default request body limit; the sync push route raises its own. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const SECRET_FIELDS = ['password', 'currentPassword', 'newPassword', 'ownerPassword', 'setupCode', 'token', 'accessToken', 'refreshToken', 'secret', 'apiKey'];

/** pino paths: the auth headers wherever a request is logged, and secret fields up to two levels down. */
export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

export function withLogRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const redact = { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' };
  return logger === true ? { redact } : { ...logger, redact };
}

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    // The API answers JSON; the web app's static route sets its own strict CSP, and /docs
    // (swagger-ui) needs inline scripts a global policy would block.
    contentSecurityPolicy: false,
    // A school's LAN server may share a domain with other services; pinning subdomains is theirs to decide.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  });
}

/** Where the first U+0000 sits in a parsed request part ('email', 'contacts.0.value'), or null. */
export function findNulCharacter(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = findNulCharacter(item, at);
    if (found !== null) return found;
  }
  return null;
}

/**
 * PostgreSQL refuses U+0000 in text, so a NUL in an email or a desk name would surface as a 500.
 * Refuse it up front with the field's name. Replicated documents are left to core validation,
 * which refuses them with 422 and the field, the same check the desk makes before saving.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.url?.startsWith(`${SYNC_BASE_PATH}/`)) return;
    const found = findNulCharacter(request.body, '') ?? findNulCharacter(request.query, 'query') ?? findNulCharacter(request.params, 'path');
    if (found !== null) {
      throw new AppError(400, 'bad-request', `${found || 'The request'} contains a NUL character (U+0000), which cannot be stored. Remove it and try again.`);
    }
  });
}
