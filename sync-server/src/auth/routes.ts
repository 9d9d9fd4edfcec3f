// Sign-in: email + password in, a signed access token and the caller's school out.
import { eq, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LoginRequest, LoginResponse, roles, type ErrorBody } from '@feemaster/core';
import { schools, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { decoyHashPromise, verifyPassword } from './passwords.ts';
import type { Db } from '../db/client.ts';
import type { TokenService } from './tokens.ts';

export interface AuthRoutesOptions {
  db: Db;
  tokens: TokenService;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, { db, tokens }) => {
  app.post(
    '/api/v1/auth/login',
    { schema: { tags: ['auth'], summary: 'Sign in and receive an access token', body: LoginRequest, response: { 200: LoginResponse } } },
    async (request) => {
      const email = request.body.email.trim().toLowerCase();
      const [row] = await db
        .select({ user: users, school: schools })
        .from(users)
        .innerJoin(schools, eq(schools.id, users.schoolId))
        .where(eq(sql`lower(${users.email})`, email));
      const passwordOk = await verifyPassword(row?.user.passwordHash ?? (await decoyHashPromise), request.body.password);
      if (!row || !passwordOk || row.user.disabledAt) {
        throw new AppError(401, 'unauthorized', 'Email or password is incorrect.');
      }
      const role = roles.find((r) => r === row.user.role);
      if (!role) throw new AppError(403, 'forbidden', 'This account has no valid role. Ask your school administrator.');
      const { token, expiresAt } = await tokens.issue({ userId: row.user.id, schoolId: row.school.id, role });
      return {
        accessToken: token,
        expiresAt: expiresAt.toISOString(),
        user: { id: row.user.id, email: row.user.email, displayName: row.user.displayName, role },
        school: { id: row.school.id, name: row.school.name, currency: row.school.currency, timezone: row.school.timezone },
      };
    },
  );
};

export type { ErrorBody };
