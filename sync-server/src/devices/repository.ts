// The school's registered desks: register one (unique code per school), list them, revoke one.
// Revoking also ends every sign-in bound to the desk, in the same transaction.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { newId, type DeviceSummary, type RegisterDeviceRequest } from '@feemaster/core';
import { appendAudit, type AuditEvent } from '../audit/audit-log.ts';
import type { Principal } from '../auth/authenticate.ts';
import { revokeDeviceFamilies } from '../auth/refresh-tokens.ts';
import type { Db } from '../db/client.ts';
import { devices, syncDocuments } from '../db/schema.ts';
import { AppError } from '../errors.ts';

type DeviceRow = typeof devices.$inferSelect;

export interface DeviceAction {
  principal: Principal;
  ip: string | null;
  userAgent: string | null;
  now: Date;
}

export function toDeviceSummary(row: DeviceRow): DeviceSummary {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    officeId: row.officeId,
    registeredAt: new Date(row.registeredAt).toISOString(),
    registeredBy: row.registeredBy,
    revokedAt: row.revokedAt ? new Date(row.revokedAt).toISOString() : null,
    revokedReason: row.revokedReason,
  };
}

function auditEvent(action: DeviceAction, name: string, device: DeviceRow, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    schoolId: action.principal.schoolId,
    actorUserId: action.principal.userId,
    actorRole: action.principal.role,
    deviceId: action.principal.deviceId,
    officeId: device.officeId,
    action: name,
    entityType: 'device',
    entityId: device.id,
    after: toDeviceSummary(device),
    ip: action.ip,
    userAgent: action.userAgent,
    ...extra,
  };
}

export async function registerDevice(db: Db, input: RegisterDeviceRequest, action: DeviceAction): Promise<DeviceSummary> {
  const { schoolId } = action.principal;
  if (input.officeId) {
    const [office] = await db
      .select({ id: syncDocuments.id })
      .from(syncDocuments)
      .where(
        and(
          eq(syncDocuments.collection, 'reference'),
          eq(syncDocuments.id, input.officeId),
          eq(syncDocuments.schoolId, schoolId),
          eq(syncDocuments.deleted, false),
          sql`${syncDocuments.data}->>'kind' = 'office'`,
        ),
      );
    if (!office) throw new AppError(400, 'bad-request', 'That office is not one of your school\'s offices. Choose an office from the list, or leave it empty.');
  }
  return db.transaction(async (tx) => {
    // The unique (school, code) index decides races between two admins; no error sniffing needed.
    const [row] = await tx
      .insert(devices)
      .values({
        id: newId(),
        schoolId,
        officeId: input.officeId ?? null,
        code: input.code,
        name: input.name.trim(),
        registeredBy: action.principal.userId,
        registeredAt: action.now.toISOString(),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [taken] = await tx
        .select()
        .from(devices)
        .where(and(eq(devices.schoolId, schoolId), eq(devices.code, input.code)));
      throw new AppError(409, 'conflict', `Desk code ${input.code} is already used by "${taken?.name ?? 'another desk'}" (revoked desks keep their code). Choose another code.`);
    }
    await appendAudit(tx, [auditEvent(action, 'devices.register', row)]);
    return toDeviceSummary(row);
  });
}

export async function listDevices(db: Db, schoolId: string): Promise<DeviceSummary[]> {
  const rows = await db.select().from(devices).where(eq(devices.schoolId, schoolId)).orderBy(asc(devices.code));
  return rows.map(toDeviceSummary);
}

export async function revokeDevice(db: Db, deviceId: string, reason: string, action: DeviceAction): Promise<DeviceSummary> {
  const { schoolId } = action.principal;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(devices)
      .set({ revokedAt: action.now.toISOString(), revokedReason: reason.trim() })
      .where(and(eq(devices.id, deviceId), eq(devices.schoolId, schoolId), isNull(devices.revokedAt)))
      .returning();
    if (!row) {
      const [existing] = await tx
        .select()
        .from(devices)
        .where(and(eq(devices.id, deviceId), eq(devices.schoolId, schoolId)));
      if (!existing) throw new AppError(404, 'not-found', 'There is no such desk in your school. Refresh the list of desks and try again.');
      throw new AppError(409, 'conflict', `Desk ${existing.code} was already revoked on ${toDeviceSummary(existing).revokedAt ?? 'an earlier date'}.`);
    }
    await revokeDeviceFamilies(tx, row.id, action.now);
    await appendAudit(tx, [auditEvent(action, 'devices.revoke', row)]);
    return toDeviceSummary(row);
  });
}
