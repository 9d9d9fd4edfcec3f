// The school's settings document is also what the server keeps in `schools` (its currency and
// time zone: sessions, receipts, the ledger's currency check and exports read them there). When
// an upload changes the settings, the school row follows in the same transaction. The currency
// may change only while no money is recorded: every amount in the ledger is in minor units of it.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { schools, syncDocuments } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export async function applySchoolSettings(tx: Db, schoolId: string, written: readonly Record<string, unknown>[]): Promise<void> {
  const settings = written.filter((doc) => doc.kind === 'settings' && doc._deleted !== true).at(-1);
  if (!settings) return;
  const data = settings.data as { currency?: unknown; timezone?: unknown } | undefined;
  const currency = typeof data?.currency === 'string' ? data.currency : null;
  const timezone = typeof data?.timezone === 'string' ? data.timezone : null;
  if (!currency || !timezone) return;
  const [school] = await tx.select({ currency: schools.currency, timezone: schools.timezone }).from(schools).where(eq(schools.id, schoolId));
  if (!school || (school.currency === currency && school.timezone === timezone)) return;
  if (school.currency !== currency) {
    const [recorded] = await tx
      .select({ entries: sql<number>`count(*)::int` })
      .from(syncDocuments)
      .where(and(eq(syncDocuments.schoolId, schoolId), eq(syncDocuments.collection, 'ledger')));
    const entries = recorded?.entries ?? 0;
    if (entries > 0) {
      throw new AppError(
        422,
        'invalid-document',
        `The school's currency cannot change from ${school.currency} to ${currency}: ${String(entries)} ledger entr${entries === 1 ? 'y is' : 'ies are'} recorded in ${school.currency}, and every amount would change meaning. Nothing from this upload was saved; keep ${school.currency}.`,
        [{ id: String(settings.id), path: '/data/currency', message: `money is recorded in ${school.currency}` }],
      );
    }
  }
  await tx.update(schools).set({ currency, timezone }).where(eq(schools.id, schoolId));
}
