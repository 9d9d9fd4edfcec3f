// Sign-in, refresh and sign-out: checks credentials behind the lockout, binds the sign-in to a
// registered desk, rotates refresh tokens and ends a family whose used token comes back.
// Refusals that must leave a trace (attempts, audit entries) commit first, then throw.
import { and, eq, sql } from 'drizzle-orm';
import { roles, type LoginRequest, type LoginResponse, type RefreshResponse, type Role } from '@feemaster/core';
import { appendAudit, type AuditEvent } from '../audit/audit-log.ts';
import type { Db } from '../db/client.ts';
import { devices, schools, users } from '../db/schema.ts';
import { deviceRevokedError } from '../devices/revocation.ts';
import { AppError } from '../errors.ts';
import { decoyHashPromise, verifyPassword } from './passwords.ts';
import {
  findRefreshTokenForUpdate,
  issueRefreshToken,
  markRefreshTokenUsed,
  revokeFamily,
  signInEndedError,
  type RefreshTokenRow,
} from './refresh-tokens.ts';
import { accountLockedError, lockedUntil, normaliseEmail, recordSignInAttempt } from './sign-in-guard.ts';
import type { Clock, TokenService } from './tokens.ts';

export interface AuthContext {
  db: Db;
  tokens: TokenService;
  clock: Clock;
  refreshTokenTtlSeconds: number;
}

/** Where a request came from, for the attempt log and the audit trail. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

const WRONG_CREDENTIALS = 'Email or password is incorrect.';

export async function signIn(ctx: AuthContext, input: LoginRequest, origin: RequestOrigin): Promise<LoginResponse> {
  const { db } = ctx;
  const now = ctx.clock();
  const email = normaliseEmail(input.email);
  const [row] = await db
    .select({ user: users, school: schools })
    .from(users)
    .innerJoin(schools, eq(schools.id, users.schoolId))
    .where(eq(sql`lower(${users.email})`, email));
  const audit = (action: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
    schoolId: row?.school.id ?? null,
    actorUserId: row?.user.id ?? null,
    actorRole: row?.user.role ?? null,
    action,
    entityType: 'user',
    entityId: row?.user.id ?? null,
    after: { email },
    ip: origin.ip,
    userAgent: origin.userAgent,
    ...extra,
  });

  // Checked before the password so a locked account gives nothing away, right password or not.
  if (await lockedUntil(db, email, now)) {
    const until = await db.transaction(async (tx) => {
      await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: false }, now);
      await appendAudit(tx, [audit('auth.sign-in-locked')]);
      return lockedUntil(tx, email, now);
    });
    throw accountLockedError(until ?? now, now);
  }

  // The decoy hash keeps an unknown email as slow as a wrong password.
  const passwordOk = await verifyPassword(row?.user.passwordHash ?? (await decoyHashPromise), input.password);
  if (!row || !passwordOk || row.user.disabledAt) {
    const reason = !row ? 'unknown-email' : !passwordOk ? 'wrong-password' : 'account-disabled';
    await db.transaction(async (tx) => {
      await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: false }, now);
      const events = [audit('auth.sign-in-failed', { after: { email, reason } })];
      if (await lockedUntil(tx, email, now)) events.push(audit('auth.lockout'));
      await appendAudit(tx, events);
    });
    throw new AppError(401, 'unauthorized', WRONG_CREDENTIALS);
  }
  const role = roleOf(row.user.role);

  let device: typeof devices.$inferSelect | undefined;
  if (input.deviceId) {
    [device] = await db
      .select()
      .from(devices)
      .where(and(eq(devices.id, input.deviceId), eq(devices.schoolId, row.school.id)));
    if (!device || device.revokedAt) {
      await db.transaction(async (tx) => {
        await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: false }, now);
        await appendAudit(tx, [audit('auth.sign-in-refused-device', { deviceId: device?.id ?? null, after: { email, deviceId: input.deviceId } })]);
      });
      throw deviceRevokedError(device?.revokedAt ?? null, device?.revokedReason ?? null, row.school.timezone);
    }
  }
  const deviceId = device?.id ?? null;

  const refresh = await db.transaction(async (tx) => {
    await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: true }, now);
    const issued = await issueRefreshToken(tx, { userId: row.user.id, schoolId: row.school.id, deviceId }, null, now, ctx.refreshTokenTtlSeconds);
    await appendAudit(tx, [audit('auth.sign-in', { deviceId, officeId: device?.officeId ?? null, entityType: 'user', after: { email, familyId: issued.familyId } })]);
    return issued;
  });
  const access = await ctx.tokens.issue({ userId: row.user.id, schoolId: row.school.id, role, deviceId, familyId: refresh.familyId });
  return {
    accessToken: access.token,
    expiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt.toISOString(),
    ...(deviceId ? { deviceId } : {}),
    user: { id: row.user.id, email: row.user.email, displayName: row.user.displayName, role },
    school: { id: row.school.id, name: row.school.name, currency: row.school.currency, timezone: row.school.timezone },
  };
}

/** Rotates: the presented token is used up and its successor (same family) returned. */
export async function refreshSignIn(ctx: AuthContext, refreshToken: string, origin: RequestOrigin): Promise<RefreshResponse> {
  const now = ctx.clock();
  const outcome = await ctx.db.transaction(async (tx): Promise<Outcome<{ row: RefreshTokenRow; role: Role; token: string; expiresAt: Date }>> => {
    const row = await findRefreshTokenForUpdate(tx, refreshToken);
    if (!row) {
      return { ok: false, error: new AppError(401, 'unauthorized', 'This sign-in is not recognised by the server. Sign in again.') };
    }
    const [account] = await tx
      .select({ user: users, timezone: schools.timezone, device: devices })
      .from(users)
      .innerJoin(schools, eq(schools.id, users.schoolId))
      .leftJoin(devices, row.deviceId ? and(eq(devices.id, row.deviceId), eq(devices.schoolId, users.schoolId)) : sql`false`)
      .where(and(eq(users.id, row.userId), eq(users.schoolId, row.schoolId)));
    if (row.deviceId && (!account?.device || account.device.revokedAt)) {
      return { ok: false, error: deviceRevokedError(account?.device?.revokedAt ?? null, account?.device?.revokedReason ?? null, account?.timezone ?? 'UTC') };
    }
    if (row.revokedAt) return { ok: false, error: signInEndedError(row.revokedReason ?? '') };
    if (row.usedAt) {
      // A used token came back: either the desk or a thief holds a copy. End the sign-in for both.
      await revokeFamily(tx, row.familyId, 'reuse-detected', now);
      await appendAudit(tx, [
        {
          schoolId: row.schoolId,
          actorUserId: row.userId,
          actorRole: account?.user.role ?? null,
          deviceId: row.deviceId,
          action: 'auth.refresh-reuse',
          entityType: 'sign-in',
          entityId: row.familyId,
          after: { usedAt: row.usedAt },
          ip: origin.ip,
          userAgent: origin.userAgent,
        },
      ]);
      return { ok: false, error: signInEndedError('reuse-detected') };
    }
    if (new Date(row.expiresAt).getTime() <= now.getTime()) {
      return { ok: false, error: new AppError(401, 'unauthorized', 'Your sign-in has expired. Sign in again.') };
    }
    if (!account || account.user.disabledAt) {
      return { ok: false, error: new AppError(401, 'unauthorized', 'This account is no longer active. Ask your school administrator.') };
    }
    const role = roleOf(account.user.role);
    await markRefreshTokenUsed(tx, row.id, now);
    const next = await issueRefreshToken(tx, { userId: row.userId, schoolId: row.schoolId, deviceId: row.deviceId }, row.familyId, now, ctx.refreshTokenTtlSeconds);
    return { ok: true, value: { row, role, token: next.token, expiresAt: next.expiresAt } };
  });
  if (!outcome.ok) throw outcome.error;
  const { row, role, token, expiresAt } = outcome.value;
  // The role is read afresh, so a promotion or demotion takes effect at the next refresh.
  const access = await ctx.tokens.issue({ userId: row.userId, schoolId: row.schoolId, role, deviceId: row.deviceId, familyId: row.familyId });
  return { accessToken: access.token, expiresAt: access.expiresAt.toISOString(), refreshToken: token, refreshExpiresAt: expiresAt.toISOString() };
}

/** Ends the sign-in the refresh token belongs to. Unknown or already-ended tokens are fine. */
export async function signOut(ctx: AuthContext, refreshToken: string, origin: RequestOrigin): Promise<void> {
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    const row = await findRefreshTokenForUpdate(tx, refreshToken);
    if (!row || row.revokedAt) return;
    await revokeFamily(tx, row.familyId, 'signed-out', now);
    await appendAudit(tx, [
      {
        schoolId: row.schoolId,
        actorUserId: row.userId,
        deviceId: row.deviceId,
        action: 'auth.sign-out',
        entityType: 'sign-in',
        entityId: row.familyId,
        ip: origin.ip,
        userAgent: origin.userAgent,
      },
    ]);
  });
}

function roleOf(value: string): Role {
  const role = roles.find((r) => r === value);
  if (!role) throw new AppError(403, 'forbidden', 'This account has no valid role. Ask your school administrator.');
  return role;
}
