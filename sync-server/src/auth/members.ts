// The school's staff: an owner or admin adds people (a new account, or a membership for someone
// who already works for another school), changes their role, or withdraws their access.
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { AddMemberRequest, MemberSummary, Role, UpdateMemberRequest } from '@feemaster/core';
import { appendAudit } from '../audit/audit-log.ts';
import type { Db } from '../db/client.ts';
import { memberships, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { createAccount, findUserByEmail, roleOf } from './accounts.ts';
import type { Principal } from './authenticate.ts';
import { hashPassword } from './passwords.ts';
import { revokeUserFamilies } from './refresh-tokens.ts';
import type { RequestOrigin } from './sign-in.ts';

const iso = (value: string | null): string | null => (value ? new Date(value).toISOString() : null);

async function memberRows(db: Db, schoolId: string, userId?: string): Promise<MemberSummary[]> {
  const rows = await db
    .select({ userId: users.id, email: users.email, displayName: users.displayName, role: memberships.role, addedAt: memberships.createdAt, disabledAt: memberships.disabledAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.schoolId, schoolId), userId ? eq(memberships.userId, userId) : undefined))
    .orderBy(asc(sql`lower(${users.displayName})`));
  return rows.map((row) => ({ ...row, role: roleOf(row.role), addedAt: new Date(row.addedAt).toISOString(), disabledAt: iso(row.disabledAt) }));
}

export function listMembers(db: Db, schoolId: string): Promise<MemberSummary[]> {
  return memberRows(db, schoolId);
}

/** Only an owner makes, unmakes or changes an owner: an admin cannot promote themselves past the owner. */
function assertMayGrant(principal: Principal, role: Role): void {
  if (role === 'owner' && principal.role !== 'owner') throw new AppError(403, 'forbidden', 'Only an owner can make someone an owner.');
}

export async function addMember(db: Db, principal: Principal, input: AddMemberRequest, origin: RequestOrigin): Promise<MemberSummary> {
  assertMayGrant(principal, input.role);
  const existing = await findUserByEmail(db, input.email);
  if (existing && input.password) {
    throw new AppError(409, 'conflict', `${existing.email} already has a Fee Master account and signs in with their own password. Leave the password empty to add them to your school.`);
  }
  if (!existing && !input.password) {
    throw new AppError(400, 'bad-request', `${input.email.trim()} has no account yet: give a first password (they can change it after signing in).`);
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const userId = await db.transaction(async (tx) => {
    let id: string;
    if (existing) {
      const [added] = await tx
        .insert(memberships)
        .values({ userId: existing.id, schoolId: principal.schoolId, role: input.role, createdBy: principal.userId })
        .onConflictDoNothing()
        .returning();
      if (!added) throw new AppError(409, 'conflict', `${existing.email} already works for your school. Change their role in the staff list instead.`);
      id = existing.id;
    } else {
      // The unique email index decides a race between two admins adding the same person.
      id = await createAccount(tx, { email: input.email, displayName: input.displayName, passwordHash: passwordHash ?? '' }, { schoolId: principal.schoolId, role: input.role, createdBy: principal.userId });
    }
    await appendAudit(tx, [
      {
        schoolId: principal.schoolId,
        actorUserId: principal.userId,
        actorRole: principal.role,
        deviceId: principal.deviceId,
        action: 'users.add',
        entityType: 'user',
        entityId: id,
        after: { email: input.email.trim().toLowerCase(), displayName: input.displayName.trim(), role: input.role, newAccount: !existing },
        ip: origin.ip,
        userAgent: origin.userAgent,
      },
    ]);
    return id;
  });
  const [member] = await memberRows(db, principal.schoolId, userId);
  if (!member) throw new Error(`member ${userId} vanished after being added`);
  return member;
}

export async function updateMember(db: Db, principal: Principal, userId: string, input: UpdateMemberRequest, origin: RequestOrigin, now: Date): Promise<MemberSummary> {
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.schoolId, principal.schoolId)))
      .for('update');
    if (!current) throw new AppError(404, 'not-found', 'There is no such person on your school’s staff. Refresh the staff list and try again.');
    const role = input.role ?? roleOf(current.role);
    const disabled = input.disabled ?? current.disabledAt !== null;
    if (userId === principal.userId && (disabled || role !== principal.role)) {
      throw new AppError(409, 'conflict', 'You cannot change your own role or withdraw your own access. Ask another owner or admin.');
    }
    if (current.role === 'owner' || role === 'owner') assertMayGrant(principal, 'owner');
    if (current.role === 'owner' && (role !== 'owner' || disabled)) {
      // Lock the school's owner memberships so two owners cannot demote each other at once.
      const owners = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(and(eq(memberships.schoolId, principal.schoolId), eq(memberships.role, 'owner'), isNull(memberships.disabledAt), ne(memberships.userId, userId)))
        .for('update');
      if (owners.length === 0) throw new AppError(409, 'conflict', 'This is the school’s last owner. Make someone else an owner first.');
    }
    const disabledAt = disabled ? (current.disabledAt ?? now.toISOString()) : null;
    await tx.update(memberships).set({ role, disabledAt }).where(and(eq(memberships.userId, userId), eq(memberships.schoolId, principal.schoolId)));
    // Withdrawn access ends the person's sign-ins to this school at once; a new role applies at their next request.
    if (disabled && !current.disabledAt) await revokeUserFamilies(tx, userId, 'access-withdrawn', now, null, principal.schoolId);
    await appendAudit(tx, [
      {
        schoolId: principal.schoolId,
        actorUserId: principal.userId,
        actorRole: principal.role,
        deviceId: principal.deviceId,
        action: 'users.update',
        entityType: 'user',
        entityId: userId,
        before: { role: current.role, disabled: current.disabledAt !== null },
        after: { role, disabled },
        ip: origin.ip,
        userAgent: origin.userAgent,
      },
    ]);
  });
  const [member] = await memberRows(db, principal.schoolId, userId);
  if (!member) throw new Error(`member ${userId} vanished after being updated`);
  return member;
}
