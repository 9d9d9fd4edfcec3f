// Enrolling a desk: an admin registers it and gets a one-time approval code; typed on the desk,
// the code is exchanged for the desk's own secret, which every sign-in from the desk presents.
// Only SHA-256 digests of codes and secrets are stored.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { EnrolDeviceResponse } from '@feemaster/core';
import { appendAudit } from '../audit/audit-log.ts';
import type { RequestOrigin } from '../auth/sign-in.ts';
import type { Db } from '../db/client.ts';
import { devices, schools } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { deviceRevokedError } from './revocation.ts';
import { deviceSummaries } from './summaries.ts';

/** Long enough to walk to the desk and type it; short enough that a photo of it goes stale. */
export const APPROVAL_CODE_TTL_SECONDS = 24 * 3600;
/** No 0/O, 1/I/L: the code is read aloud and typed by hand. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12;

export type DeviceRow = typeof devices.$inferSelect;

export function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** `K7QM-4TXP-9BWC`: 12 characters of a 31-letter alphabet, about 59 random bits. */
export function newApprovalCode(): string {
  const chars = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** What the person typed, in the stored form: upper case, separators and spaces dropped. */
export function normaliseApprovalCode(typed: string): string {
  const plain = typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return plain.length === CODE_LENGTH ? `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8)}` : plain;
}

/** Gives the desk a fresh approval code (replacing any unused one) inside the caller's transaction. */
export async function issueApprovalCode(tx: Db, deviceId: string, now: Date): Promise<{ approvalCode: string; expiresAt: Date; row: DeviceRow }> {
  const approvalCode = newApprovalCode();
  const expiresAt = new Date(now.getTime() + APPROVAL_CODE_TTL_SECONDS * 1000);
  const [row] = await tx
    .update(devices)
    .set({ approvalCodeHash: digest(approvalCode), approvalCodeExpiresAt: expiresAt.toISOString() })
    .where(eq(devices.id, deviceId))
    .returning();
  if (!row) throw new AppError(404, 'not-found', 'There is no such desk in your school. Refresh the list of desks and try again.');
  return { approvalCode, expiresAt, row };
}

const INVALID_CODE = 'That approval code is not valid: it may be mistyped, already used or expired. Ask an admin for a new code (Desks → New approval code).';

/** Exchanges an approval code for the desk's secret; the code works once. */
export async function enrolDevice(db: Db, typedCode: string, now: Date, origin: RequestOrigin): Promise<EnrolDeviceResponse> {
  const codeHash = digest(normaliseApprovalCode(typedCode));
  const deviceSecret = randomBytes(32).toString('base64url');
  return db.transaction(async (tx) => {
    const [found] = await tx.select().from(devices).where(eq(devices.approvalCodeHash, codeHash)).for('update');
    if (!found || !found.approvalCodeExpiresAt || new Date(found.approvalCodeExpiresAt).getTime() <= now.getTime()) {
      throw new AppError(401, 'approval-code-invalid', INVALID_CODE);
    }
    const [school] = await tx.select().from(schools).where(eq(schools.id, found.schoolId));
    if (!school) throw new AppError(401, 'approval-code-invalid', INVALID_CODE);
    if (found.revokedAt) throw deviceRevokedError(found.revokedAt, found.revokedReason, school.timezone);
    // A desk enrolled again (reinstalled, replaced) gets a new secret: the old install stops working.
    const [row] = await tx
      .update(devices)
      .set({ approvalCodeHash: null, approvalCodeExpiresAt: null, secretHash: digest(deviceSecret), enrolledAt: now.toISOString() })
      .where(and(eq(devices.id, found.id), isNull(devices.revokedAt)))
      .returning();
    if (!row) throw new AppError(401, 'approval-code-invalid', INVALID_CODE);
    const [device] = await deviceSummaries(tx, [row]);
    if (!device) throw new AppError(401, 'approval-code-invalid', INVALID_CODE);
    await appendAudit(tx, [
      {
        schoolId: row.schoolId,
        deviceId: row.id,
        officeId: row.officeId,
        action: 'devices.enrol',
        entityType: 'device',
        entityId: row.id,
        after: { ...device, reEnrolled: found.enrolledAt !== null },
        ip: origin.ip,
        userAgent: origin.userAgent,
      },
    ]);
    return { device, deviceSecret, school: { id: school.id, name: school.name, currency: school.currency, timezone: school.timezone } };
  });
}

/** Null when the desk may sign in: it exists, is not revoked, is enrolled and proved its secret. */
export function deviceSignInRefusal(device: DeviceRow | undefined, secret: string | undefined, timezone: string): AppError | null {
  if (!device || device.revokedAt) return deviceRevokedError(device?.revokedAt ?? null, device?.revokedReason ?? null, timezone);
  if (!device.secretHash) {
    return new AppError(401, 'unauthorized', `Desk ${device.code} has not been enrolled yet. Enter the approval code an admin gave you for it.`);
  }
  if (!secret || !timingSafeEqual(Buffer.from(digest(secret), 'hex'), Buffer.from(device.secretHash, 'hex'))) {
    return new AppError(401, 'unauthorized', `This computer could not prove it is desk ${device.code}. Ask an admin for a new approval code and enrol this desk again.`);
  }
  return null;
}
