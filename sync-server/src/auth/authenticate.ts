// Resolves the caller of a request from its bearer token and re-checks, on every request, what
// can change under a valid token: the account (disabled), the desk (revoked) and the sign-in
// itself (signed out, password changed, refresh token reused) — each refused at once.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { OFFLINE_SESSION_CEILING, roles, type Role, type SessionKind } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { devices, memberships, refreshTokens, schools, users } from '../db/schema.ts';
import { deviceRevokedError } from '../devices/revocation.ts';
import { AppError } from '../errors.ts';
import { signInEndedError } from './refresh-tokens.ts';
import type { TokenService } from './tokens.ts';

export interface Principal {
  userId: string;
  schoolId: string;
  role: Role;
  /** The registered desk the request came from, when its sign-in was bound to one. */
  deviceId: string | null;
  /** The refresh-token family of the sign-in, so the caller's own sign-in can be told apart. */
  familyId: string | null;
  /** 'offline' when the sign-in began offline on the desk: capped at a cashier's permissions. */
  session: SessionKind;
  offlineSessionId: string | null;
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
  // One round trip: the account and its current role, its school's time zone (for the
  // revocation date), the bound desk and whether the sign-in's family has been ended.
  const [row] = await db
    .select({
      role: memberships.role,
      timezone: schools.timezone,
      deviceFound: sql<boolean>`${devices.id} is not null`,
      deviceRevokedAt: devices.revokedAt,
      deviceRevokedReason: devices.revokedReason,
      familyRevokedReason: claims.familyId
        ? sql<string | null>`(select coalesce(${refreshTokens.revokedReason}, 'revoked') from ${refreshTokens}
            where ${refreshTokens.familyId} = ${claims.familyId} and ${refreshTokens.revokedAt} is not null limit 1)`
        : sql<string | null>`null`,
    })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.schoolId, claims.schoolId), isNull(memberships.disabledAt)))
    .innerJoin(schools, eq(schools.id, memberships.schoolId))
    .leftJoin(devices, claims.deviceId ? and(eq(devices.id, claims.deviceId), eq(devices.schoolId, memberships.schoolId)) : sql`false`)
    .where(and(eq(users.id, claims.userId), isNull(users.disabledAt)));
  if (!row) throw new AppError(401, 'unauthorized', 'This account is no longer active at this school. Ask your school administrator.');
  if (claims.deviceId && (!row.deviceFound || row.deviceRevokedAt)) {
    throw deviceRevokedError(row.deviceRevokedAt, row.deviceRevokedReason, row.timezone);
  }
  if (row.familyRevokedReason !== null) throw signInEndedError(row.familyRevokedReason);
  // The stored role, not the token's: a demotion takes effect on the next request.
  const role = roles.find((r) => r === row.role);
  if (!role) throw new AppError(403, 'forbidden', 'This account has no valid role. Ask your school administrator.');
  return {
    userId: claims.userId,
    schoolId: claims.schoolId,
    role,
    deviceId: claims.deviceId,
    familyId: claims.familyId,
    session: claims.offlineSessionId ? 'offline' : 'online',
    offlineSessionId: claims.offlineSessionId,
    tokenExpiresAt: claims.expiresAt,
  };
}

/** Refuses with 403 unless the caller has one of `allowed`; `action` finishes "A cashier cannot …" (or "An auditor …"). */
export function requireRole(principal: Principal, allowed: readonly Role[], action: string): void {
  const article = /^[aeiou]/.test(principal.role) ? 'An' : 'A';
  if (!allowed.includes(principal.role)) {
    throw new AppError(403, 'forbidden', `${article} ${principal.role} cannot ${action}; ask someone with one of these roles: ${allowed.join(', ')}.`);
  }
  if (principal.session === 'offline' && !allowed.includes(OFFLINE_SESSION_CEILING)) {
    throw new AppError(403, 'forbidden', `${article} ${principal.role} signed in offline on this desk cannot ${action}; sign in again online with your password.`);
  }
}
