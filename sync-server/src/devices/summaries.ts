// A desk as admins see it: its codes, its office's receipt series and where its enrolment stands.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DeviceSummary } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { syncDocuments, type devices } from '../db/schema.ts';

type DeviceRow = typeof devices.$inferSelect;

const iso = (value: string | null): string | null => (value ? new Date(value).toISOString() : null);

/** Office codes by office id, read from the school's replicated office documents. */
export async function officeCodes(db: Db, schoolId: string, officeIds: readonly string[]): Promise<Map<string, string>> {
  if (officeIds.length === 0) return new Map();
  const rows = await db
    .select({ id: syncDocuments.id, code: sql<string | null>`${syncDocuments.data}->'data'->>'code'` })
    .from(syncDocuments)
    .where(
      and(
        eq(syncDocuments.collection, 'reference'),
        eq(syncDocuments.schoolId, schoolId),
        inArray(syncDocuments.id, [...officeIds]),
        sql`${syncDocuments.data}->>'kind' = 'office'`,
      ),
    );
  return new Map(rows.flatMap((row) => (row.code ? [[row.id, row.code] as const] : [])));
}

export async function deviceSummaries(db: Db, rows: readonly DeviceRow[]): Promise<DeviceSummary[]> {
  const bySchool = new Map<string, Map<string, string>>();
  for (const schoolId of new Set(rows.map((row) => row.schoolId))) {
    const officeIds = rows.filter((row) => row.schoolId === schoolId && row.officeId).map((row) => row.officeId ?? '');
    bySchool.set(schoolId, await officeCodes(db, schoolId, officeIds));
  }
  return rows.map((row) => {
    const officeCode = row.officeId ? bySchool.get(row.schoolId)?.get(row.officeId) : undefined;
    return {
      id: row.id,
      code: row.code,
      name: row.name,
      officeId: row.officeId,
      registeredAt: new Date(row.registeredAt).toISOString(),
      registeredBy: row.registeredBy,
      revokedAt: iso(row.revokedAt),
      revokedReason: row.revokedReason,
      receiptSeries: officeCode ? `${officeCode}-${row.code}` : null,
      enrolledAt: iso(row.enrolledAt),
      approvalCodeExpiresAt: row.approvalCodeHash ? iso(row.approvalCodeExpiresAt) : null,
    };
  });
}
