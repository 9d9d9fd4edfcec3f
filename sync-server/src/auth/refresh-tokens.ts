// Rotating refresh tokens: 256 random bits handed to the desk once, only their SHA-256 stored.
// Every token belongs to a family (one sign-in); ending the family ends the sign-in everywhere.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, ne } from 'drizzle-orm';
import { newId } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { refreshTokens } from '../db/schema.ts';
import { AppError } from '../errors.ts';

const TOKEN_BYTES = 32;

/** Why a family was ended; stored in refresh_tokens.revoked_reason and turned into the message. */
export type FamilyRevocationReason = 'signed-out' | 'password-changed' | 'password-reset' | 'reuse-detected' | 'device-revoked' | 'access-withdrawn';

export interface RefreshBinding {
  userId: string;
  schoolId: string;
  deviceId: string | null;
  /** The offline session this sign-in continues (it keeps the offline permission cap). */
  offlineSessionId?: string | null;
}

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token in `familyId` (a new family when null); the plain token is returned, never stored. */
export async function issueRefreshToken(
  tx: Db,
  binding: RefreshBinding,
  familyId: string | null,
  now: Date,
  ttlSeconds: number,
): Promise<{ token: string; familyId: string; expiresAt: Date }> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const family = familyId ?? newId();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await tx.insert(refreshTokens).values({
    id: newId(),
    familyId: family,
    userId: binding.userId,
    schoolId: binding.schoolId,
    deviceId: binding.deviceId,
    offlineSessionId: binding.offlineSessionId ?? null,
    tokenHash: hashRefreshToken(token),
    issuedAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  return { token, familyId: family, expiresAt };
}

/** The stored row of a presented token, locked so two refreshes with it cannot both rotate. */
export async function findRefreshTokenForUpdate(tx: Db, token: string): Promise<RefreshTokenRow | undefined> {
  const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hashRefreshToken(token))).for('update');
  return row;
}

export async function markRefreshTokenUsed(tx: Db, id: string, now: Date): Promise<void> {
  await tx.update(refreshTokens).set({ usedAt: now.toISOString() }).where(eq(refreshTokens.id, id));
}

export async function revokeFamily(tx: Db, familyId: string, reason: FamilyRevocationReason, now: Date): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now.toISOString(), revokedReason: reason })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/**
 * Ends every sign-in of a user except `keepFamilyId` (the caller's own, after a password
 * change); with `schoolId`, only their sign-ins to that school (access withdrawn there).
 */
export async function revokeUserFamilies(
  tx: Db,
  userId: string,
  reason: FamilyRevocationReason,
  now: Date,
  keepFamilyId: string | null,
  schoolId: string | null = null,
): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now.toISOString(), revokedReason: reason })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        keepFamilyId ? ne(refreshTokens.familyId, keepFamilyId) : undefined,
        schoolId ? eq(refreshTokens.schoolId, schoolId) : undefined,
      ),
    );
}

export async function revokeDeviceFamilies(tx: Db, deviceId: string, now: Date): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now.toISOString(), revokedReason: 'device-revoked' satisfies FamilyRevocationReason })
    .where(and(eq(refreshTokens.deviceId, deviceId), isNull(refreshTokens.revokedAt)));
}

const endedBecause: Readonly<Record<FamilyRevocationReason, string>> = {
  'signed-out': 'This sign-in was ended when it signed out. Sign in again.',
  'password-changed': "This sign-in was ended because the account's password was changed. Sign in again with the new password.",
  'password-reset': "This sign-in was ended because an admin reset the account's password. Sign in again with the new password.",
  'reuse-detected':
    'This sign-in was ended because its refresh token was presented twice, which can mean it was copied. Sign in again; if it keeps happening, tell your administrator.',
  'device-revoked': 'This sign-in was ended because its desk was revoked. Ask an admin to register the desk again.',
  'access-withdrawn': "This sign-in was ended because the school withdrew this account's access. Ask your school administrator.",
};

export function signInEndedError(reason: string): AppError {
  const message = Object.hasOwn(endedBecause, reason) ? endedBecause[reason as FamilyRevocationReason] : 'This sign-in was ended. Sign in again.';
  return new AppError(401, 'unauthorized', message);
}
