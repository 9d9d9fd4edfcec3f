// Resolves the caller of a request from its bearer token and re-checks the account, so a
// disabled user is refused at once even while holding an unexpired token.
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Role } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { TokenService } from './tokens.ts';

export interface Principal {
  userId: string;
  schoolId: string;
  role: Role;
  tokenExpiresAt: Date;
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

export async function authenticateToken(db: Db, tokens: TokenService, token: string | null): Promise<Principal> {
  if (!token) throw new AppError(401, 'unauthorized', 'Sign in first: this request carried no access token.');
  const claims = await tokens.verify(token);
  if (!claims) throw new AppError(401, 'unauthorized', 'Your sign-in has expired or is not valid. Sign in again.');
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, claims.userId), eq(users.schoolId, claims.schoolId), isNull(users.disabledAt)));
  if (!user) throw new AppError(401, 'unauthorized', 'This account is no longer active. Ask your school administrator.');
  return { userId: claims.userId, schoolId: claims.schoolId, role: claims.role, tokenExpiresAt: claims.expiresAt };
}
