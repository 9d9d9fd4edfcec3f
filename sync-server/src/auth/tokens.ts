// Signed access tokens (HS256 JWT). The signing key comes from FEEMASTER_JWT_SECRET or is
// generated once and kept in the database, so every instance on one database agrees.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Role } from '@feemaster/core';
import { roles } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { serverSecrets } from '../db/schema.ts';

export interface AccessClaims {
  userId: string;
  schoolId: string;
  role: Role;
}

export interface TokenService {
  issue(claims: AccessClaims): Promise<{ token: string; expiresAt: Date }>;
  /** Null when the token is malformed, forged or expired. */
  verify(token: string): Promise<(AccessClaims & { expiresAt: Date }) | null>;
}

const ISSUER = 'fee-master';

export async function loadSigningKey(db: Db, fromEnv: string | undefined): Promise<Uint8Array> {
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('FEEMASTER_JWT_SECRET must be at least 32 characters.');
    return new TextEncoder().encode(fromEnv);
  }
  await db
    .insert(serverSecrets)
    .values({ name: 'access-token-key', value: randomBytes(32).toString('base64') })
    .onConflictDoNothing();
  const [row] = await db.select().from(serverSecrets).where(eq(serverSecrets.name, 'access-token-key'));
  if (!row) throw new Error('The access-token signing key could not be created.');
  return Buffer.from(row.value, 'base64');
}

export function createTokenService(key: Uint8Array, ttlSeconds: number): TokenService {
  return {
    async issue(claims) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const token = await new SignJWT({ sch: claims.schoolId, role: claims.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
        const role = roles.find((r) => r === payload.role);
        if (!payload.sub || typeof payload.sch !== 'string' || !role || !payload.exp) return null;
        return { userId: payload.sub, schoolId: payload.sch, role, expiresAt: new Date(payload.exp * 1000) };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return null;
        throw error;
      }
    },
  };
}
