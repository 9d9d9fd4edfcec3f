// The /api/v1/auth endpoints: sign-in, desk enrolment, offline sessions, refresh, sign-out and
// password change, all behind one
// per-address rate limit so nobody can guess passwords faster than a person types them.
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  ChangePasswordRequest,
  EnrolDeviceRequest,
  EnrolDeviceResponse,
  LoginRequest,
  LoginResponse,
  LogoutRequest,
  OfflineSessionRequest,
  RefreshRequest,
  RefreshResponse,
} from '@feemaster/core';
import { enrolDevice } from '../devices/enrolment.ts';
import { AppError } from '../errors.ts';
import { authenticateToken, bearerToken } from './authenticate.ts';
import { changePassword } from './password-changes.ts';
import { openOfflineSession, refreshSignIn, signIn, signOut, type AuthContext, type RequestOrigin } from './sign-in.ts';

/**
 * Refresh, sign-out and offline sessions need a 256-bit token or a signed grant, which nobody
 * guesses: they stay out of the per-address budget, so the desks of an office behind one address
 * refreshing their tokens never use up the sign-in attempts of the people at them.
 */
const TOKEN_HOLDERS_ONLY = { rateLimit: false } as const;

export interface AuthRoutesOptions extends AuthContext {
  /** Requests to /api/v1/auth/* allowed per client address per minute. */
  rateLimitPerMinute: number;
}

export function originOf(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { rateLimitPerMinute, ...ctx } = options;
  // Registered inside this plugin, so it limits these routes only (not sync or the web app).
  await app.register(rateLimit, {
    max: rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate-limited', `Too many sign-in requests from this address; wait ${context.after} and try again.`),
  });

  app.post(
    '/api/v1/auth/login',
    { schema: { tags: ['auth'], summary: 'Sign in: a short-lived access token and a rotating refresh token', security: [], body: LoginRequest, response: { 200: LoginResponse } } },
    async (request) => signIn(ctx, request.body, originOf(request)),
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: TOKEN_HOLDERS_ONLY,
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new access token and its successor refresh token',
        security: [],
        body: RefreshRequest,
        response: { 200: RefreshResponse },
      },
    },
    async (request) => refreshSignIn(ctx, request.body.refreshToken, originOf(request)),
  );

  app.post(
    '/api/v1/auth/enrol-device',
    {
      schema: {
        tags: ['auth', 'devices'],
        summary: "Enrol this desk with the approval code an admin issued: returns the desk's identity and secret",
        security: [],
        body: EnrolDeviceRequest,
        response: { 200: EnrolDeviceResponse },
      },
    },
    async (request) => enrolDevice(ctx.db, request.body.approvalCode, ctx.clock(), originOf(request)),
  );

  app.post(
    '/api/v1/auth/offline-session',
    {
      config: TOKEN_HOLDERS_ONLY,
      schema: {
        tags: ['auth'],
        summary: 'Tokens for a session the desk opened offline; capped at a cashier’s permissions and marked offline in the audit trail',
        security: [],
        body: OfflineSessionRequest,
        response: { 200: LoginResponse },
      },
    },
    async (request) => openOfflineSession(ctx, request.body, originOf(request)),
  );

  app.post(
    '/api/v1/auth/logout',
    { config: TOKEN_HOLDERS_ONLY, schema: { tags: ['auth'], summary: 'End the sign-in the refresh token belongs to', security: [], body: LogoutRequest } },
    async (request, reply) => {
      await signOut(ctx, request.body.refreshToken, originOf(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/auth/change-password',
    { schema: { tags: ['auth'], summary: "Change the caller's password; ends the caller's other sign-ins", body: ChangePasswordRequest } },
    async (request, reply) => {
      const principal = await authenticateToken(ctx.db, ctx.tokens, bearerToken(request));
      await changePassword(ctx, principal, request.body, originOf(request));
      return reply.status(204).send();
    },
  );
};
