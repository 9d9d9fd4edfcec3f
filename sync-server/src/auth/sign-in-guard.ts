// Temporary lockout: after five failed sign-ins for one email within fifteen minutes, that
// email is refused — even with the right password — until the oldest of those failures ages out.
import { and, desc, eq, gt, lte, sql } from 'drizzle-orm';
import { newId } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { signInAttempts } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export const MAX_FAILED_SIGN_INS = 5;
export const LOCKOUT_WINDOW_MS = 15 * 60_000;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * When the lock on `email` lifts, or null when it is not locked. Failures before the latest
 * successful sign-in do not count: the person got in, so those were typos, not an attack.
 */
export async function lockedUntil(db: Db, email: string, now: Date): Promise<Date | null> {
  const sameEmail = sql`lower(${signInAttempts.email}) = ${email}`;
  const lastSuccess = sql`coalesce((select max(s.at) from ${signInAttempts} s
    where lower(s.email) = ${email} and s.succeeded and s.at <= ${now.toISOString()}), '-infinity'::timestamptz)`;
  const [fifthLatest] = await db
    .select({ at: signInAttempts.at })
    .from(signInAttempts)
    .where(
      and(
        sameEmail,
        eq(signInAttempts.succeeded, false),
        gt(signInAttempts.at, new Date(now.getTime() - LOCKOUT_WINDOW_MS).toISOString()),
        lte(signInAttempts.at, now.toISOString()),
        sql`${signInAttempts.at} > ${lastSuccess}`,
      ),
    )
    .orderBy(desc(signInAttempts.at))
    .limit(1)
    .offset(MAX_FAILED_SIGN_INS - 1);
  return fifthLatest ? new Date(new Date(fifthLatest.at).getTime() + LOCKOUT_WINDOW_MS) : null;
}

export async function recordSignInAttempt(tx: Db, attempt: { email: string; ip: string | null; succeeded: boolean }, now: Date): Promise<void> {
  await tx.insert(signInAttempts).values({ id: newId(), email: attempt.email, ip: attempt.ip, succeeded: attempt.succeeded, at: now.toISOString() });
}

/**
 * Lifts a lock after an admin set a new password. The table is only the lockout's working set;
 * every failure stays in the audit trail.
 */
export async function clearFailedSignIns(tx: Db, email: string): Promise<void> {
  await tx.delete(signInAttempts).where(and(sql`lower(${signInAttempts.email}) = ${email}`, eq(signInAttempts.succeeded, false)));
}

export function accountLockedError(until: Date, now: Date): AppError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return new AppError(
    429,
    'account-locked',
    `Too many failed sign-ins; try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} or ask an admin to reset your password.`,
  );
}
