// Accounts and memberships: one account per email across the server, one role in each school
// it works for. Creating the first membership of a new email creates the account too.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { newId, roles, type Role } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { memberships, schools, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export interface SchoolMembership {
  schoolId: string;
  name: string;
  currency: string;
  timezone: string;
  role: Role;
}

export type UserRow = typeof users.$inferSelect;

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()))
    .then(([row]) => row);
}

/** The schools an account may sign in to now (access not withdrawn), by school name. */
export async function activeMemberships(db: Db, userId: string): Promise<SchoolMembership[]> {
  const rows = await db
    .select({ schoolId: schools.id, name: schools.name, currency: schools.currency, timezone: schools.timezone, role: memberships.role })
    .from(memberships)
    .innerJoin(schools, eq(schools.id, memberships.schoolId))
    .where(and(eq(memberships.userId, userId), isNull(memberships.disabledAt)))
    .orderBy(asc(schools.name));
  return rows.map((row) => ({ ...row, role: roleOf(row.role) }));
}

export interface NewAccount {
  email: string;
  displayName: string;
  passwordHash: string;
}

/** Inserts an account and its first membership inside the caller's transaction. */
export async function createAccount(tx: Db, account: NewAccount, membership: { schoolId: string; role: Role; createdBy: string | null }): Promise<string> {
  const id = newId();
  await tx.insert(users).values({ id, email: account.email.trim().toLowerCase(), displayName: account.displayName.trim(), passwordHash: account.passwordHash });
  await tx.insert(memberships).values({ userId: id, schoolId: membership.schoolId, role: membership.role, createdBy: membership.createdBy });
  return id;
}

export function roleOf(value: string): Role {
  const role = roles.find((r) => r === value);
  if (!role) throw new AppError(403, 'forbidden', 'This account has no valid role. Ask your school administrator.');
  return role;
}
