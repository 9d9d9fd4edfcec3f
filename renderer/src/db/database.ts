// The desk's local replica: an RxDB database on Dexie (IndexedDB), one per school, with the
// collections and schemas from @feemaster/core. Validation uses core's CSP-safe validator.
import { addRxPlugin, createRxDatabase, getPrimaryFieldOfPrimaryKey, type RxCollection, type RxDatabase, type RxJsonSchema, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';

import { findCollection, replicatedCollections, type CollectionName, type FeeStructure, type LedgerEntry, type Payer, type ReferenceDoc, type Student } from '@feemaster/core';
import { deskLedgerSchema, withLedgerKeys, withoutLedgerKeys, type StoredLedgerEntry } from './ledger-keys.ts';
import { CHECKED_INSERT_CONTEXT, wrappedCheckedInsertStorage } from './checked-insert.ts';
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

/**
 * Validates writes to our collections against core's schemas (RxDB's own internal stores pass
 * through), as RxDB's validate plugins do: a document that fails is refused with a 422 naming its
 * problems, and the rest are written. Documents written with CHECKED_INSERT_CONTEXT were checked by
 * the same validators in the import worker, and are not checked twice.
 */
export function wrappedValidateCoreStorage(args: { storage: RxStorage<unknown, unknown> }): RxStorage<unknown, unknown> {
  return {
    ...args.storage,
    name: `validate-feemaster-core-${args.storage.name}`,
    async createStorageInstance(params) {
      const instance = await args.storage.createStorageInstance(params);
      const collection = params.schema.title ? findCollection(params.schema.title) : undefined;
      if (!collection) return instance;
      // A ledger entry is checked as the server will see it, without the desk's lookup keys.
      const shape = collection.name === 'ledger' ? (doc: Record<string, unknown>) => withoutLedgerKeys(doc) : (doc: Record<string, unknown>) => doc;
      const primaryPath = getPrimaryFieldOfPrimaryKey(params.schema.primaryKey);
      const write = instance.bulkWrite.bind(instance);
      instance.bulkWrite = async (rows, context) => {
        if (context === CHECKED_INSERT_CONTEXT) return write(rows, context);
        const refused: Awaited<ReturnType<typeof write>>['error'] = [];
        const valid = rows.filter((row) => {
          const problems = collection.validate(shape(row.document));
          if (problems.length === 0) return true;
          const validationErrors = problems.map((p) => ({ field: p.path, message: p.message }));
          refused.push({ status: 422, isError: true, documentId: String(row.document[primaryPath]), validationErrors, schema: instance.schema, writeRow: row, context });
          return false;
        });
        const result = valid.length > 0 ? await write(valid, context) : { error: [] };
        result.error.push(...refused);
        return result;
      };
      return instance;
    },
  };
}

/** The desk's storage: RxDB's Dexie storage (IndexedDB; another `dexie` in tests), validated, with the import's checked inserts (checked-insert.ts). */
export function createStorage(dexie: RxStorage<unknown, unknown> = getRxStorageDexie(deskDexieSettings)): RxStorage<unknown, unknown> {
  return wrappedValidateCoreStorage({ storage: wrappedCheckedInsertStorage({ storage: dexie }) });
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
      // v1 added entry types, optional payment fields and the desk's lookup keys; v2 optional refund fields; v3 the card charged.
      migrationStrategies: { 1: (doc: LedgerEntry) => withLedgerKeys(doc), 2: (doc: StoredLedgerEntry) => doc, 3: (doc: StoredLedgerEntry) => doc },
    },
  } satisfies Record<CollectionName, unknown>);
  return db;
}
