// The documents an export needs, read from the desk's replica for the export worker. The screen's
// thread, where RxDB lives, only says which queries (RxDB plans them); the worker runs them on
// IndexedDB itself (db/replica-read.ts), so 150,000 documents are neither walked one cursor step
// at a time nor copied from one thread to the other.
import { type ExportKind, type ExportSource, type LedgerEntry, type Payer, type ReferenceDoc, type Student } from '@feemaster/core';
import type { DexieSettings } from 'rxdb';
import type { FeeMasterDatabase } from '../db/database.ts';
import { withoutLedgerKeys } from '../db/ledger-keys.ts';
import { deskDexieSettings, readReplica, replicaQueryOf, type ReplicaQuery } from '../db/replica-read.ts';
import { exportNeeds } from './export-build.ts';

/** The replica queries one kind of export reads (what exportNeeds names), as data for the worker. */
export interface ExportQueries {
  students: ReplicaQuery | null;
  payers: ReplicaQuery | null;
  reference: ReplicaQuery | null;
  /** Their documents one after the other, in RxDB's order for the entries the export needs. */
  ledger: readonly ReplicaQuery[];
  /**
   * A payment export's payments: every ledger entry, which the worker reads in the order of their
   * keys and makes rows of as they are read (payments-while-reading.ts); `ledger` then holds only
   * what reverses a payment, read before the rows are made.
   */
  wholeLedger: ReplicaQuery | null;
}

/** Made on the screen's thread: RxDB plans each query (index, range, order) as it would run it. */
export function exportQueries(db: FeeMasterDatabase, kind: ExportKind): ExportQueries {
  const needs = exportNeeds[kind];
  const whileReading = kind === 'payments';
  const ledgerTypes = needs.ledger === 'none' || needs.ledger === 'all' ? [] : needs.ledger.filter((type) => !whileReading || type !== 'payment');
  return {
    students: needs.students ? replicaQueryOf(db.students.find()) : null,
    payers: needs.payers ? replicaQueryOf(db.payers.find()) : null,
    reference: needs.reference.length > 0 ? replicaQueryOf(db.reference.find({ selector: { kind: { $in: [...needs.reference] } } })) : null,
    // Some entry types: one query per type, each reading only its part of the type index, where
    // one `$in` query reads every entry (invoices too) to keep the matching ones. RxDB returns
    // an `$in` query's entries in its type index's order, so the types go in their sorted order.
    ledger: needs.ledger === 'all' ? [replicaQueryOf(db.ledger.find())] : [...ledgerTypes].sort().map((type) => replicaQueryOf(db.ledger.find({ selector: { type } }))),
    wholeLedger: whileReading ? replicaQueryOf(db.ledger.find()) : null,
  };
}

export interface ReplicaRead {
  /** The documents, without the cashiers' names (the screen's thread sends those). */
  source: Omit<ExportSource, 'staffNames'>;
  /** Milliseconds spent reading the replica, and taking the desk's lookup keys off ledger entries (for the benchmark). */
  timings: { queryMs: number; plainMs: number };
}

/** Run in the export worker. `settings`: how the desk's storage opens IndexedDB (another one in tests). */
export async function readExportSource(queries: ExportQueries, settings: DexieSettings = deskDexieSettings): Promise<ReplicaRead> {
  const started = performance.now();
  const read = (query: ReplicaQuery | null) => (query ? readReplica(query, settings) : Promise.resolve([]));
  const [students, payers, reference, ...ledgerParts] = await Promise.all([read(queries.students), read(queries.payers), read(queries.reference), ...queries.ledger.map(read)]);
  const queried = performance.now();
  // The documents are as RxDB stores them, which its schemas (core's) checked on the way in.
  const source = {
    students: students as unknown as Student[],
    payers: payers as unknown as Payer[],
    reference: reference as unknown as ReferenceDoc[],
    ledger: ledgerParts.flatMap((part) => part.map((stored) => withoutLedgerKeys(stored) as unknown as LedgerEntry)),
  };
  return { source, timings: { queryMs: queried - started, plainMs: performance.now() - queried } };
}
