// Runs the core ledger rules on a push inside its transaction: loads, in one query, every stored
// entry of the caller's school that the pushed entries refer to (invoices found through the charge
// index, see recordCharges), then checks each entry in push
// order with the earlier ones visible, so a payment and its void may travel in one upload.
import { and, eq, sql } from 'drizzle-orm';
import {
  acceptedLedgerEntry,
  checkLedgerEntry,
  createLedgerLookup,
  formatProblems,
  ledgerEntryLabels,
  readLedgerEntry,
  type ErrorBody,
  type LedgerEntry,
} from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { ledgerCharges, schools, syncDocuments } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { inSlices } from './slices.ts';
import { bulkInsertSql } from '../db/bulk-insert.ts';

type Problems = NonNullable<ErrorBody['problems']>;

/**
 * Throws AppError 422 'ledger-rule' when any pushed ledger entry breaks a rule. Rows whose id is
 * in `storedIds` are skipped: the push either repeats them unchanged or is refused as a change
 * to an immutable document, which says more than a rule would.
 */
export async function checkLedgerPush(
  tx: Db,
  schoolId: string,
  /** The pushed documents in push order, each accepted by the ledger collection's validator. */
  docs: readonly Record<string, unknown>[],
  /** Which of the pushed ids are stored already (asked only when an entry breaks a rule). */
  storedIds: () => Promise<ReadonlySet<string>>,
): Promise<void> {
  const entries = docs.map(acceptedLedgerEntry);
  const [school] = await tx.select({ currency: schools.currency }).from(schools).where(eq(schools.id, schoolId));
  if (!school) throw new AppError(403, 'wrong-school', 'Your school is not known to this server. Sign in again.');
  const lookup = createLedgerLookup(await loadReferencedEntries(tx, schoolId, entries));

  const found: { entry: LedgerEntry; problems: Problems }[] = [];
  // In order: each entry is checked with the ones before it in the upload visible.
  await inSlices(entries, (entry, index) => {
    const problems = checkLedgerEntry(entry, { schoolCurrency: school.currency, ...lookup });
    if (problems.length > 0) found.push({ entry, problems: problems.map((problem) => ({ index, id: entry.id, ...problem })) });
    lookup.add(entry);
  });
  if (found.length === 0) return;
  // An entry stored already (a repeated upload) is not judged again: only new ones are refused.
  const stored = await storedIds();
  const refusedEntries = found.filter(({ entry }) => !stored.has(entry.id));
  const [first] = refusedEntries;
  if (!first) return;
  const refused = first.entry;
  const problems = refusedEntries.flatMap((r) => r.problems);
  throw new AppError(
    422,
    'ledger-rule',
    `${ledgerEntryLabels[refused.type]} ${refused.id} was refused: ${formatProblems(first.problems)}. ` +
      'Nothing from this upload was saved; correct the entry on this desk (or record a correction) and sync again.',
    problems,
  );
}

/**
 * Stored ledger entries by id, kept between pushes: an entry never changes once recorded and is
 * never deleted, so a kept copy stays right, on every server instance. Bounded; the least
 * recently used go first. (Restoring the database from a backup means restarting the server.)
 */
const MAX_KEPT_ENTRIES = 50_000;
const keptEntries = new Map<string, LedgerEntry>();

function keep(entry: LedgerEntry): void {
  keptEntries.delete(entry.id);
  keptEntries.set(entry.id, entry);
  if (keptEntries.size > MAX_KEPT_ENTRIES) {
    const oldest = keptEntries.keys().next();
    if (!oldest.done) keptEntries.delete(oldest.value);
  }
}

/**
 * The school's stored, live ledger entries that the given entries refer to: by entry id
 * (payments, late fees, invoices, and late fees used as charges), and the invoices holding any
 * referenced charge id (from the charge index). Entries read once are kept (see keptEntries);
 * the rest come in one query, the ids as array parameters, so a push of any size is one statement.
 */
async function loadReferencedEntries(tx: Db, schoolId: string, entries: readonly LedgerEntry[]): Promise<LedgerEntry[]> {
  const entryIds = new Set<string>();
  const chargeIds = new Set<string>();
  for (const entry of entries) {
    for (const id of referencedEntryIds(entry)) entryIds.add(id);
    for (const id of referencedChargeIds(entry)) chargeIds.add(id);
  }
  if (chargeIds.size > 0) {
    const holders = await tx
      .select({ chargeId: ledgerCharges.chargeId, invoiceId: ledgerCharges.invoiceId })
      .from(ledgerCharges)
      .where(and(eq(ledgerCharges.schoolId, schoolId), sql`${ledgerCharges.chargeId} = any(${sql.param([...chargeIds])}::uuid[])`));
    const invoiceCharges = new Set<string>();
    for (const { chargeId, invoiceId } of holders) {
      entryIds.add(invoiceId);
      invoiceCharges.add(chargeId);
    }
    // An allocation's chargeId may be a late fee's id instead: the charge ids no stored invoice
    // holds are looked up as entry ids too (not the rest, which no entry can have).
    for (const id of chargeIds) if (!invoiceCharges.has(id)) entryIds.add(id);
  }
  if (entryIds.size === 0) return [];
  const found: LedgerEntry[] = [];
  const missing: string[] = [];
  for (const id of entryIds) {
    const kept = keptEntries.get(id);
    if (kept && kept.schoolId === schoolId) found.push(kept);
    else if (!kept) missing.push(id);
  }
  if (missing.length === 0) return found;
  const rows = await tx
    .select({ data: syncDocuments.data })
    .from(syncDocuments)
    .where(
      and(
        eq(syncDocuments.collection, 'ledger'),
        sql`${syncDocuments.id} = any(${sql.param(missing)}::uuid[])`,
        eq(syncDocuments.schoolId, schoolId),
        eq(syncDocuments.deleted, false),
      ),
    );
  for (const row of rows) {
    const entry = readLedgerEntry(row.data);
    // Every stored entry passed these schemas when it was pushed; one that no longer does needs
    // a migration, and treating it as unknown would refuse desks with a false reason.
    if (!entry) throw new Error(`stored ledger entry ${String(row.data.id)} no longer matches the ledger schemas`);
    keep(entry);
    found.push(entry);
  }
  return found;
}

function referencedEntryIds(entry: LedgerEntry): string[] {
  switch (entry.type) {
    case 'discount':
      return [entry.invoiceId];
    case 'waiver':
      return [entry.fineId];
    case 'void':
    case 'chequeReturn':
      return [entry.paymentId];
    case 'payment':
      return entry.cashSessionId === undefined ? [] : [entry.cashSessionId];
    case 'cashSessionClose':
      return [entry.cashSessionId];
    case 'refund':
      return [entry.paymentId, entry.cashSessionId].filter((id) => id !== undefined);
    default:
      return [];
  }
}

function referencedChargeIds(entry: LedgerEntry): string[] {
  switch (entry.type) {
    case 'invoice':
      // Another invoice already holding one of these charge ids makes it ambiguous.
      return entry.charges.map((charge) => charge.id);
    case 'fine':
    case 'writeOff':
      return [entry.chargeId];
    case 'payment':
    case 'creditApplication':
      return entry.allocations.map((allocation) => allocation.chargeId);
    default:
      return [];
  }
}

/** Indexes the charges of the invoices a push stored, in the push's transaction. */
export async function recordCharges(tx: Db, schoolId: string, written: readonly Record<string, unknown>[]): Promise<void> {
  const rows = written.flatMap((doc) => {
    const entry = doc.type === 'invoice' ? readLedgerEntry(doc) : undefined;
    return entry?.type === 'invoice' ? entry.charges.map((charge) => ({ schoolId, chargeId: charge.id, invoiceId: entry.id })) : [];
  });
  if (rows.length > 0) await tx.execute(bulkInsertSql(ledgerCharges, rows, sql`on conflict do nothing`));
}
