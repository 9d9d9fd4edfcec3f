// Sign-in, refresh and sign-out: checks credentials behind the lockout, binds the sign-in to a
// registered desk (handing a manager the key to approve refunds there), opens sessions a desk
// began offline, rotates refresh tokens and ends a family whose used token comes back.
// Refusals that must leave a trace (attempts, audit entries) commit first, then throw.
import { and, eq, sql } from 'drizzle-orm';
import { mayRecord, toBase64Url, type LoginRequest, type LoginResponse, type OfflineSessionRequest, type RefreshResponse, type Role } from '@feemaster/core';
import { appendAudit, type AuditEvent } from '../audit/audit-log.ts';
import type { Db } from '../db/client.ts';
import { devices, memberships, schools, users } from '../db/schema.ts';
import { deviceSignInRefusal } from '../devices/enrolment.ts';
import { deviceRevokedError } from '../devices/revocation.ts';
import { AppError } from '../errors.ts';
import { activeMemberships, findUserByEmail, roleOf, type SchoolMembership } from './accounts.ts';
import type { ApprovalKeys } from './approval-keys.ts';
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
  /** How long after an online sign-in on a desk the person may still open offline sessions there. */
  offlineGrantTtlSeconds: number;
  /** Managers' keys for approving refunds on a desk, handed out with a desk-bound sign-in. */
  approvalKeys: ApprovalKeys;
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
  const user = await findUserByEmail(db, email);
  const schoolsOfUser = user ? await activeMemberships(db, user.id) : [];
  // The device's school, else the one asked for, else the only one: the audit entry goes there.
  // A desk of a school the person does not work for is treated as unknown: nothing about it is told.
  const [found] = input.deviceId ? await db.select().from(devices).where(eq(devices.id, input.deviceId)) : [];
  const device = found && schoolsOfUser.some((m) => m.schoolId === found.schoolId) ? found : undefined;
  const chosenSchoolId = device?.schoolId ?? input.schoolId ?? (schoolsOfUser.length === 1 ? schoolsOfUser[0]?.schoolId : undefined);
  const membership = schoolsOfUser.find((m) => m.schoolId === chosenSchoolId);
  const audit = (action: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
    schoolId: membership?.schoolId ?? null,
    actorUserId: user?.id ?? null,
    actorRole: membership?.role ?? null,
    action,
    entityType: 'user',
    entityId: user?.id ?? null,
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
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHashPromise), input.password);
  if (!user || !passwordOk || user.disabledAt) {
    const reason = !user ? 'unknown-email' : !passwordOk ? 'wrong-password' : 'account-disabled';
    await db.transaction(async (tx) => {
      await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: false }, now);
      const events = [audit('auth.sign-in-failed', { after: { email, reason } })];
      if (await lockedUntil(tx, email, now)) events.push(audit('auth.lockout'));
      await appendAudit(tx, events);
    });
    throw new AppError(401, 'unauthorized', WRONG_CREDENTIALS);
  }
  // The password was right, so the person may learn where they can sign in.
  if (schoolsOfUser.length === 0) {
    throw new AppError(403, 'forbidden', 'This account no longer has access to any school. Ask your school administrator.');
  }
  if (input.deviceId) {
    const refusal = deviceSignInRefusal(device, input.deviceSecret, membership?.timezone ?? schoolsOfUser[0]?.timezone ?? 'UTC');
    if (refusal) {
      await db.transaction(async (tx) => {
        await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: false }, now);
        await appendAudit(tx, [audit('auth.sign-in-refused-device', { deviceId: device?.id ?? null, after: { email, deviceId: input.deviceId } })]);
      });
      throw refusal;
    }
  }
  if (!membership) {
    if (input.schoolId) {
      await db.transaction(async (tx) => {
        await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: false }, now);
        await appendAudit(tx, [{ ...audit('auth.sign-in-refused-school'), schoolId: chosenSchoolId ?? null, after: { email, deviceId: input.deviceId ?? null } }]);
      });
      throw new AppError(403, 'forbidden', 'Your account does not work for that school. Ask one of its administrators to add you.');
    }
    throw new AppError(409, 'choose-school', 'Your account works for several schools. Choose the school to sign in to.', undefined, {
      schools: schoolsOfUser.map((m) => ({ id: m.schoolId, name: m.name, role: m.role })),
    });
  }

  const deviceId = device?.id ?? null;

  const refresh = await db.transaction(async (tx) => {
    await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: true }, now);
    const issued = await issueRefreshToken(tx, { userId: user.id, schoolId: membership.schoolId, deviceId }, null, now, ctx.refreshTokenTtlSeconds);
    await appendAudit(tx, [audit('auth.sign-in', { deviceId, officeId: device?.officeId ?? null, entityType: 'user', after: { email, familyId: issued.familyId } })]);
    return issued;
  });
  const principal = { userId: user.id, schoolId: membership.schoolId, role: membership.role, deviceId };
  const access = await ctx.tokens.issue({ ...principal, familyId: refresh.familyId });
  const grant = deviceId ? await ctx.tokens.issueOfflineGrant({ ...principal, deviceId }, ctx.offlineGrantTtlSeconds) : null;
  // A manager signing in on a desk gets the key to approve refunds there, even offline, with their
  // password (only an online sign-in proves that password to the server). Dated in whole seconds,
  // as the grant is, so a password change checks against it the same way.
  const keyIssuedAt = Math.floor(now.getTime() / 1000);
  const approvalKey =
    deviceId && mayRecord(membership.role, 'refund')
      ? { key: toBase64Url(ctx.approvalKeys.keyFor({ schoolId: membership.schoolId, userId: user.id, deviceId, keyIssuedAt })), issuedAt: keyIssuedAt }
      : null;
  return {
    accessToken: access.token,
    expiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt.toISOString(),
    ...(deviceId ? { deviceId } : {}),
    ...(grant ? { offlineGrant: { token: grant.token, expiresAt: grant.expiresAt.toISOString() } } : {}),
    ...(approvalKey ? { approvalKey } : {}),
    user: { id: user.id, email: user.email, displayName: user.displayName, role: membership.role },
    school: schoolSummary(membership),
    schools: schoolsOfUser.map((m) => ({ id: m.schoolId, name: m.name, role: m.role })),
  };
}

function schoolSummary(m: SchoolMembership): LoginResponse['school'] {
  return { id: m.schoolId, name: m.name, currency: m.currency, timezone: m.timezone };
}

/**
 * Opens tokens for a session the desk began offline: the desk proves itself with its secret,
 * the person with the grant of their last online sign-in there. The grant must postdate the
 * last password change, and the tokens keep the offline cap until a password sign-in.
 */
export async function openOfflineSession(ctx: AuthContext, input: OfflineSessionRequest, origin: RequestOrigin): Promise<LoginResponse> {
  const { db } = ctx;
  const now = ctx.clock();
  const grant = await ctx.tokens.verifyOfflineGrant(input.grant);
  if (!grant || grant.deviceId !== input.deviceId) {
    throw new AppError(401, 'unauthorized', 'This desk’s offline sign-in has expired or is not valid. Sign in with your password while online.');
  }
  const [device] = await db.select().from(devices).where(and(eq(devices.id, input.deviceId), eq(devices.schoolId, grant.schoolId)));
  const [school] = await db.select().from(schools).where(eq(schools.id, grant.schoolId));
  const refusal = deviceSignInRefusal(device, input.deviceSecret, school?.timezone ?? 'UTC');
  if (refusal) throw refusal;
  const [user] = await db.select().from(users).where(eq(users.id, grant.userId));
  const membership = user && !user.disabledAt ? (await activeMemberships(db, user.id)).find((m) => m.schoolId === grant.schoolId) : undefined;
  if (!user || !membership) {
    throw new AppError(401, 'unauthorized', 'This account no longer has access to the school. Ask your school administrator.');
  }
  // Whole seconds, as in the grant: a sign-in in the same second as the change is after it.
  if (user.passwordChangedAt && Math.floor(new Date(user.passwordChangedAt).getTime() / 1000) * 1000 > grant.issuedAt.getTime()) {
    throw new AppError(401, 'unauthorized', 'Your password was changed since you last signed in on this desk. Sign in with the new password; work on this desk is kept.');
  }
  const deviceId = input.deviceId;
  const offlineSessionId = input.offlineSessionId;
  const refresh = await db.transaction(async (tx) => {
    const issued = await issueRefreshToken(tx, { userId: user.id, schoolId: membership.schoolId, deviceId, offlineSessionId }, null, now, ctx.refreshTokenTtlSeconds);
    await appendAudit(tx, [
      {
        schoolId: membership.schoolId,
        actorUserId: user.id,
        actorRole: membership.role,
        deviceId,
        officeId: device?.officeId ?? null,
        deviceTime: input.startedAt,
        action: 'auth.offline-session',
        entityType: 'user',
        entityId: user.id,
        after: { email: user.email, familyId: issued.familyId, startedAt: input.startedAt, grantIssuedAt: grant.issuedAt.toISOString() },
        ip: origin.ip,
        userAgent: origin.userAgent,
        offlineSessionId,
      },
    ]);
    return issued;
  });
  const access = await ctx.tokens.issue({ userId: user.id, schoolId: membership.schoolId, role: membership.role, deviceId, familyId: refresh.familyId, offlineSessionId });
  const schoolsOfUser = await activeMemberships(db, user.id);
  return {
    accessToken: access.token,
    expiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt.toISOString(),
    deviceId,
    offlineSessionId,
    user: { id: user.id, email: user.email, displayName: user.displayName, role: membership.role },
    school: schoolSummary(membership),
    schools: schoolsOfUser.map((m) => ({ id: m.schoolId, name: m.name, role: m.role })),
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
      .select({ user: users, role: memberships.role, membershipDisabledAt: memberships.disabledAt, timezone: schools.timezone, device: devices })
      .from(users)
      .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.schoolId, row.schoolId)))
      .innerJoin(schools, eq(schools.id, memberships.schoolId))
      .leftJoin(devices, row.deviceId ? and(eq(devices.id, row.deviceId), eq(devices.schoolId, memberships.schoolId)) : sql`false`)
      .where(eq(users.id, row.userId));
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
          actorRole: account?.role ?? null,
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
    if (!account || account.user.disabledAt || account.membershipDisabledAt) {
      return { ok: false, error: new AppError(401, 'unauthorized', 'This account is no longer active at this school. Ask your school administrator.') };
    }
    const role = roleOf(account.role);
    await markRefreshTokenUsed(tx, row.id, now);
    const binding = { userId: row.userId, schoolId: row.schoolId, deviceId: row.deviceId, offlineSessionId: row.offlineSessionId };
    const next = await issueRefreshToken(tx, binding, row.familyId, now, ctx.refreshTokenTtlSeconds);
    return { ok: true, value: { row, role, token: next.token, expiresAt: next.expiresAt } };
  });
  if (!outcome.ok) throw outcome.error;
  const { row, role, token, expiresAt } = outcome.value;
  // The role is read afresh, so a promotion or demotion takes effect at the next refresh.
  const access = await ctx.tokens.issue({ userId: row.userId, schoolId: row.schoolId, role, deviceId: row.deviceId, familyId: row.familyId, offlineSessionId: row.offlineSessionId });
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
