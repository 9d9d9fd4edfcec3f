// The part of the ledger a school's desks download: everything, or (set by an admin) the entries
// created from the start of the previous academic year, in the school's time zone.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { recentYearsCutoff, type LedgerScope } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { schools, syncDocuments } from '../db/schema.ts';

export interface LedgerWindow {
  scope: LedgerScope;
  /** The condition on ledger rows, or null when desks get every entry. */
  condition: SQL | null;
}

export async function ledgerWindow(db: Db, schoolId: string, now = new Date()): Promise<LedgerWindow> {
  const [school] = await db.select({ scope: schools.ledgerScope, timezone: schools.timezone }).from(schools).where(eq(schools.id, schoolId));
  if (!school || school.scope !== 'recent-years') return { scope: 'all', condition: null };
  const years = await db
    .select({ startDate: sql<string>`${syncDocuments.data}->'data'->>'startDate'`, endDate: sql<string>`${syncDocuments.data}->'data'->>'endDate'` })
    .from(syncDocuments)
    .where(and(eq(syncDocuments.schoolId, schoolId), eq(syncDocuments.collection, 'reference'), eq(syncDocuments.deleted, false), sql`${syncDocuments.data}->>'kind' = 'academicYear'`));
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: school.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const cutoff = recentYearsCutoff(years, today);
  if (!cutoff) return { scope: 'recent-years', condition: null };
  return {
    scope: 'recent-years',
    condition: sql`(${syncDocuments.data}->>'createdAt')::timestamptz >= (${cutoff}::timestamp at time zone ${school.timezone})`,
  };
}
