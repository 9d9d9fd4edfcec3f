// The desk's local replica: an RxDB database on Dexie (IndexedDB), one per school, with the
// collections and schemas from @feemaster/core. Validation uses core's CSP-safe validator.
import { addRxPlugin, createRxDatabase, wrappedValidateStorageFactory, type RxCollection, type RxDatabase, type RxJsonSchema, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';

import { findCollection, replicatedCollections, validateAgainst, type Student } from '@feemaster/core';

addRxPlugin(RxDBLocalDocumentsPlugin);

export type StudentCollection = RxCollection<Student>;

export interface FeeMasterCollections {
  students: StudentCollection;
}

export type FeeMasterDatabase = RxDatabase<FeeMasterCollections>;

/** Validates writes to our collections against core's schemas; RxDB's own internal stores pass through. */
export const wrappedValidateCoreStorage = wrappedValidateStorageFactory((schema: RxJsonSchema<unknown>) => {
  const collection = schema.title ? findCollection(schema.title) : undefined;
  if (!collection) return () => [];
  return (doc: unknown) => validateAgainst(collection.schema, doc).map((p) => ({ field: p.path, message: p.message }));
}, 'feemaster-core');

export function createStorage(): RxStorage<unknown, unknown> {
  return wrappedValidateCoreStorage({ storage: getRxStorageDexie() });
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
    students: { schema: replicatedCollections.students.rxSchema as RxJsonSchema<Student>, localDocuments: true },
  });
  return db;
}
