// The school's registered desks: register one (unique code per school) with its approval code,
// list them, issue a new code, revoke one.
// Revoking also ends every sign-in bound to the desk, in the same transaction.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { newId, replicatedCollections, type DeviceApproval, type DeviceSummary, type RegisterDeviceRequest } from '@feemaster/core';
import { appendAudit, type AuditEvent } from '../audit/audit-log.ts';
import type { Principal } from '../auth/authenticate.ts';
import { revokeDeviceFamilies } from '../auth/refresh-tokens.ts';
import type { Db } from '../db/client.ts';
import { devices, syncDocuments } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { pushDocuments, type PushResult } from '../sync/repository.ts';
import { issueApprovalCode, type DeviceRow } from './enrolment.ts';
import { deviceSummaries } from './summaries.ts';


export interface DeviceAction {
  principal: Principal;
  ip: string | null;
  userAgent: string | null;
  now: Date;
  /** The server instance handling the request, for the live fan-out. */
  origin: string | null;
}

function auditEvent(action: DeviceAction, name: string, device: DeviceSummary, officeId: string | null, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    schoolId: action.principal.schoolId,
    actorUserId: action.principal.userId,
    actorRole: action.principal.role,
    deviceId: action.principal.deviceId,
    officeId,
    action: name,
    entityType: 'device',
    entityId: device.id,
    after: device,
    ip: action.ip,
    userAgent: action.userAgent,
    ...extra,
  };
}

async function summaryOf(tx: Db, row: DeviceRow): Promise<DeviceSummary> {
  const [summary] = await deviceSummaries(tx, [row]);
  if (!summary) throw new Error(`desk ${row.id} has no summary`);
  return summary;
}

/**
 * Registers a desk and returns its one-time approval code. With an office, the desk's
 * `reference` document (kind device) is written too, so every desk of the school knows the
 * new receipt series; `written` is what the caller publishes to live streams after commit.
 */
export async function registerDevice(db: Db, input: RegisterDeviceRequest, action: DeviceAction): Promise<DeviceApproval & { written: PushResult | null }> {
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
    const { approvalCode, expiresAt, row: withCode } = await issueApprovalCode(tx, row.id, action.now);
    const written = row.officeId ? await writeDeviceDocument(tx, withCode, action) : null;
    const device = await summaryOf(tx, withCode);
    await appendAudit(tx, [auditEvent(action, 'devices.register', device, row.officeId)]);
    return { device, approvalCode, approvalCodeExpiresAt: expiresAt.toISOString(), written };
  });
}

/** The desk as replicated reference data: its office and code make its receipt series. */
async function writeDeviceDocument(tx: Db, row: DeviceRow, action: DeviceAction): Promise<PushResult> {
  const now = action.now.toISOString();
  const doc = { id: row.id, schoolId: row.schoolId, kind: 'device', name: row.name, data: { officeId: row.officeId, code: row.code }, createdAt: now, updatedAt: now, _deleted: false };
  const { principal } = action;
  const ctx = {
    schoolId: principal.schoolId,
    userId: principal.userId,
    role: principal.role,
    session: principal.session,
    collection: replicatedCollections.reference,
    origin: action.origin,
    deviceId: principal.deviceId,
    ip: action.ip,
    userAgent: action.userAgent,
  };
  return pushDocuments(tx, ctx, [{ assumedMasterState: null, newDocumentState: doc }]);
}

/** A fresh approval code for a desk (first enrolment, or a reinstalled desk); replaces an unused one. */
export async function newApprovalCode(db: Db, deviceId: string, action: DeviceAction): Promise<DeviceApproval> {
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(devices)
      .where(and(eq(devices.id, deviceId), eq(devices.schoolId, action.principal.schoolId)))
      .for('update');
    if (!existing) throw new AppError(404, 'not-found', 'There is no such desk in your school. Refresh the list of desks and try again.');
    if (existing.revokedAt) throw new AppError(409, 'conflict', `Desk ${existing.code} is revoked and cannot be enrolled again. Register a new desk with another code.`);
    const { approvalCode, expiresAt, row } = await issueApprovalCode(tx, existing.id, action.now);
    const device = await summaryOf(tx, row);
    await appendAudit(tx, [auditEvent(action, 'devices.approval-code', device, row.officeId)]);
    return { device, approvalCode, approvalCodeExpiresAt: expiresAt.toISOString() };
  });
}

export async function listDevices(db: Db, schoolId: string): Promise<DeviceSummary[]> {
  const rows = await db.select().from(devices).where(eq(devices.schoolId, schoolId)).orderBy(asc(devices.code));
  return deviceSummaries(db, rows);
}

export async function revokeDevice(db: Db, deviceId: string, reason: string, action: DeviceAction): Promise<DeviceSummary> {
  const { schoolId } = action.principal;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(devices)
      .set({ revokedAt: action.now.toISOString(), revokedReason: reason.trim(), approvalCodeHash: null, approvalCodeExpiresAt: null })
      .where(and(eq(devices.id, deviceId), eq(devices.schoolId, schoolId), isNull(devices.revokedAt)))
      .returning();
    if (!row) {
      const [existing] = await tx
        .select()
        .from(devices)
        .where(and(eq(devices.id, deviceId), eq(devices.schoolId, schoolId)));
      if (!existing) throw new AppError(404, 'not-found', 'There is no such desk in your school. Refresh the list of desks and try again.');
      throw new AppError(409, 'conflict', `Desk ${existing.code} was already revoked on ${existing.revokedAt ? new Date(existing.revokedAt).toISOString() : 'an earlier date'}.`);
    }
    await revokeDeviceFamilies(tx, row.id, action.now);
    const device = await summaryOf(tx, row);
    await appendAudit(tx, [auditEvent(action, 'devices.revoke', device, row.officeId)]);
    return device;
  });
}
