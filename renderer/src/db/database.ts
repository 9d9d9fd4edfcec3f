// The desk's local replica: an RxDB database on Dexie (IndexedDB), one per school, with the
// collections and schemas from @feemaster/core. Validation uses core's CSP-safe validator.
import { addRxPlugin, createRxDatabase, wrappedValidateStorageFactory, type RxCollection, type RxDatabase, type RxJsonSchema, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';

import { findCollection, replicatedCollections, type CollectionName, type FeeStructure, type LedgerEntry, type Payer, type ReferenceDoc, type Student } from '@feemaster/core';
import { deskLedgerSchema, withLedgerKeys, withoutLedgerKeys, type StoredLedgerEntry } from './ledger-keys.ts';
import { deskDexieSettings } from './replica-read.ts';

addRxPlugin(RxDBLocalDocumentsPlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

export type StudentCollection = RxCollection<Student>;

/** One RxDB collection per replicated collection of core's registry. */
export interface FeeMasterCollections {
  students: StudentCollection;
  payers: RxCollection<Payer>;
  reference: RxCollection<ReferenceDoc>;
  feeStructures: RxCollection<FeeStructure>;
  /** Entries with the desk's lookup keys (see ledger-keys.ts). */
  ledger: RxCollection<StoredLedgerEntry>;
}
export type { CollectionName };

export type FeeMasterDatabase = RxDatabase<FeeMasterCollections>;

/** Validates writes to our collections against core's schemas; RxDB's own internal stores pass through. */
export const wrappedValidateCoreStorage = wrappedValidateStorageFactory((schema: RxJsonSchema<unknown>) => {
  const collection = schema.title ? findCollection(schema.title) : undefined;
  if (!collection) return () => [];
  // A ledger entry is checked as the server will see it, without the desk's lookup keys.
  const shape = collection.name === 'ledger' ? (doc: unknown) => (doc && typeof doc === 'object' ? withoutLedgerKeys(doc as Record<string, unknown>) : doc) : (doc: unknown) => doc;
  return (doc: unknown) => collection.validate(shape(doc)).map((p) => ({ field: p.path, message: p.message }));
}, 'feemaster-core');

export function createStorage(): RxStorage<unknown, unknown> {
  return wrappedValidateCoreStorage({ storage: getRxStorageDexie(deskDexieSettings) });
}

export async function openDatabase(schoolId: string, storage: RxStorage<unknown, unknown> = createStorage()): Promise<FeeMasterDatabase> {
  const db = await createRxDatabase<FeeMasterCollections>({
    name: `feemaster-${schoolId}`,
    storage,
    localDocuments: true,
    multiInstance: true,
    eventReduce: true,
  });
  await db.addCollections({
    students: {
      schema: replicatedCollections.students.rxSchema as RxJsonSchema<Student>,
      localDocuments: true,
      // v1 only added optional fields: version-0 documents are valid as they are.
      migrationStrategies: { 1: (doc: Student) => doc },
    },
    payers: { schema: replicatedCollections.payers.rxSchema as RxJsonSchema<Payer>, localDocuments: true },
    reference: {
      schema: replicatedCollections.reference.rxSchema as RxJsonSchema<ReferenceDoc>,
      localDocuments: true,
      // v1 added the optional school logo to the settings: version-0 documents are valid as they are.
      migrationStrategies: { 1: (doc: ReferenceDoc) => doc },
    },
    feeStructures: { schema: replicatedCollections.feeStructures.rxSchema as RxJsonSchema<FeeStructure>, localDocuments: true },
    ledger: {
      schema: deskLedgerSchema,
      localDocuments: true,
      // v1 added entry types, optional payment fields and the desk's lookup keys; v2 optional refund fields.
      migrationStrategies: { 1: (doc: LedgerEntry) => withLedgerKeys(doc), 2: (doc: StoredLedgerEntry) => doc },
    },
  } satisfies Record<CollectionName, unknown>);
  return db;
}
