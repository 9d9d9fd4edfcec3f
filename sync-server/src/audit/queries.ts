// Reading the audit trail for the audit screen: filtered pages, per-user and per-school
// summaries and export pages. Every query is confined to one school's chain.
import { and, asc, desc, eq, gt, gte, like, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog, schools } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { chainOf } from './audit-log.ts';
import { withDocumentAfters } from './document-afters.ts';

/** What sign-in records when it lets nobody in: a wrong password, a locked account, a revoked desk. */
export const FAILED_SIGN_IN_ACTIONS: readonly string[] = ['auth.sign-in-failed', 'auth.sign-in-locked', 'auth.sign-in-refused-device'];

export interface AuditFilters {
  userId?: string;
  /** Matches actions starting with this text: 'ledger.' finds every ledger entry. */
  action?: string;
  entityType?: string;
  entityId?: string;
  /** Inclusive lower bound, an ISO instant. */
  from?: string | null;
  /** Exclusive upper bound, an ISO instant. */
  toExclusive?: string | null;
}

export type AuditEntry = Omit<typeof auditLog.$inferSelect, 'chain' | 'schoolId' | 'afterInDocument'>;

const entryColumns = {
  seq: auditLog.seq,
  at: auditLog.at,
  actorUserId: auditLog.actorUserId,
  actorRole: auditLog.actorRole,
  deviceId: auditLog.deviceId,
  officeId: auditLog.officeId,
  deviceTime: auditLog.deviceTime,
  action: auditLog.action,
  entityType: auditLog.entityType,
  entityId: auditLog.entityId,
  before: auditLog.before,
  after: auditLog.after,
  ip: auditLog.ip,
  userAgent: auditLog.userAgent,
  offlineSessionId: auditLog.offlineSessionId,
  prevHash: auditLog.prevHash,
  hash: auditLog.hash,
  afterInDocument: auditLog.afterInDocument,
} satisfies Record<keyof AuditEntry | 'afterInDocument', unknown>;

function conditions(schoolId: string, filters: AuditFilters): SQL[] {
  const where: SQL[] = [eq(auditLog.chain, chainOf(schoolId)), eq(auditLog.schoolId, schoolId)];
  if (filters.userId) where.push(eq(auditLog.actorUserId, filters.userId));
  if (filters.action) where.push(like(auditLog.action, `${filters.action.replace(/[\\%_]/g, '\\$&')}%`));
  if (filters.entityType) where.push(eq(auditLog.entityType, filters.entityType));
  if (filters.entityId) where.push(eq(auditLog.entityId, filters.entityId));
  // `at` is stored as toISOString() text, so text order is time order.
  if (filters.from) where.push(gte(auditLog.at, filters.from));
  if (filters.toExclusive) where.push(lt(auditLog.at, filters.toExclusive));
  return where;
}

/** Newest first; `beforeSeq` is the cursor of the previous page. */
export async function listAuditEntries(
  db: Db,
  schoolId: string,
  filters: AuditFilters,
  page: { limit: number; beforeSeq?: number },
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  const where = conditions(schoolId, filters);
  if (page.beforeSeq !== undefined) where.push(lt(auditLog.seq, page.beforeSeq));
  const rows = await db
    .select(entryColumns)
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.seq))
    .limit(page.limit + 1);
  const entries = await withDocumentAfters(db, rows.slice(0, page.limit));
  const last = entries.at(-1);
  return { entries, nextCursor: rows.length > page.limit && last ? String(last.seq) : null };
}

/** Oldest first, page by page, so an export streams and keeps the chain's order for re-checking. */
export async function* auditEntryPages(db: Db, schoolId: string, filters: AuditFilters, pageSize = 1000): AsyncGenerator<AuditEntry[]> {
  let afterSeq = 0;
  for (;;) {
    const rows = await db
      .select(entryColumns)
      .from(auditLog)
      .where(and(...conditions(schoolId, filters), gt(auditLog.seq, afterSeq)))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize);
    if (rows.length > 0) yield await withDocumentAfters(db, rows);
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    afterSeq = last.seq;
  }
}

export interface ActionCount {
  action: string;
  count: number;
}

export interface UserActivity {
  userId: string;
  total: number;
  firstAt: string | null;
  lastAt: string | null;
  byAction: ActionCount[];
}

export async function userActivitySummary(db: Db, schoolId: string, userId: string, filters: AuditFilters): Promise<UserActivity> {
  const rows = await db
    .select({ action: auditLog.action, count: sql<number>`count(*)::int`, firstAt: sql<string>`min(${auditLog.at})`, lastAt: sql<string>`max(${auditLog.at})` })
    .from(auditLog)
    .where(and(...conditions(schoolId, { ...filters, userId })))
    .groupBy(auditLog.action)
    .orderBy(asc(auditLog.action));
  return {
    userId,
    total: rows.reduce((sum, row) => sum + Number(row.count), 0),
    firstAt: rows.reduce<string | null>((first, row) => (first === null || row.firstAt < first ? row.firstAt : first), null),
    lastAt: rows.reduce<string | null>((last, row) => (last === null || row.lastAt > last ? row.lastAt : last), null),
    byAction: rows.map((row) => ({ action: row.action, count: Number(row.count) })),
  };
}

export interface SchoolActivity {
  total: number;
  failedSignIns: number;
  byAction: ActionCount[];
  /** Calendar days in the school's time zone. */
  byDay: { day: string; count: number }[];
}

export async function schoolActivitySummary(db: Db, schoolId: string, timezone: string, filters: AuditFilters): Promise<SchoolActivity> {
  const where = and(...conditions(schoolId, filters));
  const byAction = await db
    .select({ action: auditLog.action, count: sql<number>`count(*)::int` })
    .from(auditLog)
    .where(where)
    .groupBy(auditLog.action)
    .orderBy(asc(auditLog.action));
  const day = sql<string>`to_char((${auditLog.at})::timestamptz at time zone ${timezone}, 'YYYY-MM-DD')`;
  // By position: the time zone is a bound parameter, so a repeated expression would not match the select's.
  const byDay = await db.select({ day, count: sql<number>`count(*)::int` }).from(auditLog).where(where).groupBy(sql`1`).orderBy(sql`1`);
  const counts = byAction.map((row) => ({ action: row.action, count: Number(row.count) }));
  return {
    total: counts.reduce((sum, row) => sum + row.count, 0),
    failedSignIns: counts.filter((row) => FAILED_SIGN_IN_ACTIONS.includes(row.action)).reduce((sum, row) => sum + row.count, 0),
    byAction: counts,
    byDay: byDay.map((row) => ({ day: row.day, count: Number(row.count) })),
  };
}

/**
 * Turns the screen's `from`/`to` into instants. A calendar date means the school's own day
 * (midnight in its time zone), and `to` includes that whole day.
 */
export async function resolvePeriod(
  db: Db,
  schoolId: string,
  range: { from?: string; to?: string },
): Promise<{ timezone: string; from: string | null; toExclusive: string | null }> {
  const localMidnight = (date: string, plusDays: number): SQL<string> =>
    sql<string>`to_char(((${date}::date + ${plusDays}::int)::timestamp at time zone ${schools.timezone}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const asDate = (value: string | undefined): string | null => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null);
  const fromDate = asDate(range.from);
  const toDate = asDate(range.to);
  const [school] = await db
    .select({
      timezone: schools.timezone,
      from: fromDate ? localMidnight(fromDate, 0) : sql<null>`null`,
      toExclusive: toDate ? localMidnight(toDate, 1) : sql<null>`null`,
    })
    .from(schools)
    .where(eq(schools.id, schoolId));
  if (!school) throw new Error(`school ${schoolId} has no record`);
  const instant = (value: string | undefined, plusMs: number): string | null => {
    if (!value) return null;
    const time = new Date(value).getTime();
    if (Number.isNaN(time)) throw new AppError(400, 'bad-request', `'${value}' is not a real date or time. Use a date such as 2025-01-31 or a time such as 2025-01-31T08:00:00Z.`);
    return new Date(time + plusMs).toISOString();
  };
  return {
    timezone: school.timezone,
    from: school.from ?? instant(range.from, 0),
    // An instant `to` is inclusive; stored times have millisecond precision.
    toExclusive: school.toExclusive ?? instant(range.to, 1),
  };
}
