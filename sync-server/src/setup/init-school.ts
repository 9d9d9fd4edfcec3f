// First-run setup: creates the one school, its owner account, its settings and main office. Refuses once a school exists,
// so there are never default credentials and setup cannot be replayed.
import { sql } from 'drizzle-orm';
import { MIN_PASSWORD_LENGTH, isCurrencyCode, newId, replicatedCollections } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { schoolChangeCounters, schools } from '../db/schema.ts';
import { createAccount } from '../auth/accounts.ts';
import { hashPassword } from '../auth/passwords.ts';
import { pushDocuments } from '../sync/repository.ts';
import { AppError } from '../errors.ts';

export interface InitSchoolInput {
  schoolName: string;
  currency: string;
  timezone: string;
  ownerName: string;
  ownerEmail: string;
  ownerPassword: string;
}

export async function isSetUp(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(schools);
  return (row?.n ?? 0) > 0;
}

export function checkInitInput(input: InitSchoolInput): string[] {
  const problems: string[] = [];
  if (input.schoolName.trim().length < 2) problems.push('School name must have at least 2 characters.');
  if (!isCurrencyCode(input.currency)) problems.push(`'${input.currency}' is not an ISO 4217 currency code (for example KES, UGX, USD).`);
  if (!isTimeZone(input.timezone)) problems.push(`'${input.timezone}' is not an IANA time zone (for example Africa/Nairobi).`);
  if (!/^[^\s@]+@[^\s@]+$/.test(input.ownerEmail)) problems.push(`'${input.ownerEmail}' is not an email address.`);
  if (input.ownerPassword.length < MIN_PASSWORD_LENGTH) problems.push(`The owner password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (!input.ownerName.trim()) problems.push('The owner needs a name.');
  return problems;
}

/** The code of the office every school starts with; it prefixes the first desks' receipts. */
export const DEFAULT_OFFICE_CODE = 'MAIN';

export async function initSchool(db: Db, input: InitSchoolInput): Promise<{ schoolId: string; ownerId: string; officeId: string }> {
  const problems = checkInitInput(input);
  if (problems.length > 0) throw new AppError(400, 'bad-request', problems.join(' '));
  const passwordHash = await hashPassword(input.ownerPassword);
  return db.transaction(async (tx) => {
    // Serialises concurrent setup attempts; the second sees the first school and refuses.
    await tx.execute(sql`lock table ${schools} in exclusive mode`);
    const [existing] = await tx.select({ name: schools.name }).from(schools).limit(1);
    if (existing) {
      throw new AppError(409, 'already-set-up', `Fee Master is already set up for "${existing.name}". Sign in with the owner account instead.`);
    }
    const schoolId = newId();
    await tx.insert(schools).values({ id: schoolId, name: input.schoolName.trim(), currency: input.currency, timezone: input.timezone });
    await tx.insert(schoolChangeCounters).values({ schoolId, lastSeq: 0 });
    const ownerId = await createAccount(tx, { email: input.ownerEmail, displayName: input.ownerName, passwordHash }, { schoolId, role: 'owner', createdBy: null });
    // A school starts with its settings and one office, so a desk can be registered with a
    // receipt series (MAIN-D01-…) straight away; both can be renamed later.
    const now = new Date().toISOString();
    const envelope = { schoolId, createdAt: now, updatedAt: now, _deleted: false };
    const settings = { ...envelope, id: newId(), kind: 'settings', name: 'School settings', data: { currency: input.currency, timezone: input.timezone, receiptHeader: input.schoolName.trim(), receiptFooter: '', siblingOrder: 'eldest-first', voidOnlyInSameSession: true } };
    const office = { ...envelope, id: newId(), kind: 'office', name: 'Main office', data: { code: DEFAULT_OFFICE_CODE } };
    const ctx = { schoolId, userId: ownerId, role: 'owner' as const, collection: replicatedCollections.reference };
    await pushDocuments(tx, ctx, [settings, office].map((doc) => ({ assumedMasterState: null, newDocumentState: doc })));
    return { schoolId, ownerId, officeId: office.id };
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}
