// Which part of the ledger desks download. A school with many years of history may limit desks
// to the active and previous academic years; the server keeps every year either way.
import { Type, type Static } from '@sinclair/typebox';

export const ledgerScopes = ['all', 'recent-years'] as const;
export type LedgerScope = (typeof ledgerScopes)[number];

export const SyncSettings = Type.Object(
  {
    /** 'recent-years': ledger entries created from the start of the previous academic year on. */
    ledgerScope: Type.Union(ledgerScopes.map((s) => Type.Literal(s))),
  },
  { additionalProperties: false },
);
export type SyncSettings = Static<typeof SyncSettings>;

/**
 * The first day (YYYY-MM-DD) of the ledger desks download under 'recent-years': the start of the
 * academic year before the one `today` falls in (or the latest year begun by then, between
 * years). Null when the school has no academic year begun by `today`: then desks get everything.
 */
export function recentYearsCutoff(years: readonly { startDate: string; endDate: string }[], today: string): string | null {
  const begun = years.filter((y) => y.startDate <= today).sort((a, b) => (a.startDate < b.startDate ? 1 : a.startDate > b.startDate ? -1 : 0));
  const [active, previous] = begun;
  if (!active) return null;
  return (previous ?? active).startDate;
}
