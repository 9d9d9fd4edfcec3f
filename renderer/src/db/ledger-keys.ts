// The desk's lookup keys on ledger entries. A cashier opens one family's account and the desk
// numbers receipts in its series; with 200,000 entries both need an index. IndexedDB (through
// RxDB's Dexie storage) indexes only fields every document has, and studentId, payerId and
// receiptNumber exist on some entry types only, so each stored entry carries three keys of its
// own, filled in on the way into the replica and taken off on the way to the server.
import type { RxJsonSchema } from 'rxdb';
import { replicatedCollections, type LedgerEntry } from '@feemaster/core';

export interface LedgerKeys {
  /** The payer the entry is about ('' for none): payments, voids, refunds, credit, cheque returns. */
  payerKey: string;
  /** The student the entry is about ('' for none): invoices, discounts, late fees, waivers, write-offs. */
  studentKey: string;
  /** A payment's receipt number ('' for other entries). */
  receiptKey: string;
}

export type StoredLedgerEntry = LedgerEntry & LedgerKeys;

const KEY_NAMES = ['payerKey', 'studentKey', 'receiptKey'] as const;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The entry as the replica keeps it. */
export function withLedgerKeys<T extends object>(doc: T): T & LedgerKeys {
  const fields = new Map(Object.entries(doc));
  return { ...doc, payerKey: text(fields.get('payerId')), studentKey: text(fields.get('studentId')), receiptKey: text(fields.get('receiptNumber')) };
}

/** The entry as the server and every rule know it. */
export function withoutLedgerKeys<T extends object>(doc: T): Omit<T, keyof LedgerKeys> {
  const { payerKey: _p, studentKey: _s, receiptKey: _r, ...entry } = doc as T & Partial<LedgerKeys>;
  return entry;
}

export function isLedgerKeyName(name: string): boolean {
  return (KEY_NAMES as readonly string[]).includes(name);
}

const key = { type: 'string', maxLength: 40 } as const;
const base = replicatedCollections.ledger.rxSchema;

/** The replica's ledger schema: core's, with the three keys required and indexed. */
export const deskLedgerSchema = {
  ...base,
  properties: { ...base.properties, payerKey: key, studentKey: key, receiptKey: key },
  required: [...base.required, ...KEY_NAMES],
  indexes: [...base.indexes, 'payerKey', 'studentKey', 'receiptKey'],
} as unknown as RxJsonSchema<StoredLedgerEntry>;

/** A stored entry as the rules and screens know it (from an RxDB document's toJSON()). */
export function ledgerEntryOf(stored: { toJSON(): unknown }): LedgerEntry {
  return withoutLedgerKeys(stored.toJSON() as StoredLedgerEntry) as LedgerEntry;
}
