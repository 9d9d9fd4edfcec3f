// Changing one's own password, and an owner or admin resetting a colleague's. Either way the
// account's other sign-ins end, so a password that leaked stops being useful at once.
import { and, eq, ne } from 'drizzle-orm';
import { actionPermissions, type ChangePasswordRequest, type ResetPasswordRequest, type Role } from '@feemaster/core';
import { appendAudit } from '../audit/audit-log.ts';
import { memberships, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { requireRole, type Principal } from './authenticate.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { revokeUserFamilies } from './refresh-tokens.ts';
import { accountLockedError, clearFailedSignIns, lockedUntil, normaliseEmail, recordSignInAttempt } from './sign-in-guard.ts';
import type { AuthContext, RequestOrigin } from './sign-in.ts';

/** Who may reset another person's password. */
export const passwordResetters: readonly Role[] = actionPermissions['users.reset-password'];

export async function changePassword(ctx: AuthContext, principal: Principal, input: ChangePasswordRequest, origin: RequestOrigin): Promise<void> {
  const { db } = ctx;
  const now = ctx.clock();
  const [user] = await db.select().from(users).where(eq(users.id, principal.userId));
  if (!user) throw new AppError(401, 'unauthorized', 'This account is no longer active. Ask your school administrator.');
  const email = normaliseEmail(user.email);
  const until = await lockedUntil(db, email, now);
  if (until) throw accountLockedError(until, now);
  const event = { schoolId: principal.schoolId, actorUserId: principal.userId, actorRole: principal.role, deviceId: principal.deviceId, entityType: 'user', entityId: principal.userId, ip: origin.ip, userAgent: origin.userAgent };

  // Guessing the current password here counts towards the lockout, like a failed sign-in.
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await db.transaction(async (tx) => {
      await recordSignInAttempt(tx, { email, ip: origin.ip, succeeded: false }, now);
      await appendAudit(tx, [{ ...event, action: 'auth.password-change-failed' }]);
    });
    throw new AppError(403, 'forbidden', 'The current password is not right, so the password was not changed. Type it again.');
  }
  if (input.newPassword === input.currentPassword) {
    throw new AppError(400, 'bad-request', 'The new password is the same as the current one. Choose a different password.');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, passwordChangedAt: now.toISOString() }).where(eq(users.id, user.id));
    await revokeUserFamilies(tx, user.id, 'password-changed', now, principal.familyId);
    await appendAudit(tx, [{ ...event, action: 'auth.password-change' }]);
  });
}

export async function resetPassword(ctx: AuthContext, principal: Principal, userId: string, input: ResetPasswordRequest, origin: RequestOrigin): Promise<void> {
  requireRole(principal, passwordResetters, "reset other people's passwords");
  const { db } = ctx;
  const now = ctx.clock();
  const [found] = await db
    .select({ user: users, role: memberships.role })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.schoolId, principal.schoolId)))
    .where(eq(users.id, userId));
  if (!found) throw new AppError(404, 'not-found', 'There is no such user in your school. Check the user and try again.');
  const target = found.user;
  // An admin must not be able to take over the owner's account by setting its password.
  if (found.role === 'owner' && principal.role !== 'owner') {
    throw new AppError(403, 'forbidden', "Only an owner can reset an owner's password.");
  }
  // The account may work for other schools too: its password is theirs as well.
  const elsewhere = await db
    .select({ schoolId: memberships.schoolId })
    .from(memberships)
    .where(and(eq(memberships.userId, target.id), ne(memberships.schoolId, principal.schoolId)))
    .limit(1);
  if (elsewhere.length > 0) {
    throw new AppError(403, 'forbidden', 'This person also works for another school, so only they can change their password (Change password, after signing in).');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, passwordChangedAt: now.toISOString() }).where(eq(users.id, target.id));
    await revokeUserFamilies(tx, target.id, 'password-reset', now, target.id === principal.userId ? principal.familyId : null);
    // The person locked out is the one an admin resets for; they can sign in with the new password.
    await clearFailedSignIns(tx, normaliseEmail(target.email));
    await appendAudit(tx, [
      {
        schoolId: principal.schoolId,
        actorUserId: principal.userId,
        actorRole: principal.role,
        deviceId: principal.deviceId,
        action: 'auth.password-reset',
        entityType: 'user',
        entityId: target.id,
        after: { email: target.email },
        ip: origin.ip,
        userAgent: origin.userAgent,
      },
    ]);
  });
}
