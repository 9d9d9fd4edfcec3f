// The push refuses an id another school took at the same moment by the unique violation of the
// documents' primary key; both drivers must report it the same way through drizzle.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@feemaster/core';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../test/database.ts';
import { bulkInsertSql } from './bulk-insert.ts';
import { uniqueViolationOf } from './pg-errors.ts';
import { syncDocuments } from './schema.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});

afterAll(async () => {
  await database.close();
});

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('the statement was expected to fail');
}

describe(`uniqueViolationOf on ${testDatabaseKind}`, () => {
  it('names the constraint when a bulk insert meets a row already stored', async () => {
    const row = { collection: 'ledger', id: newId(), schoolId: newId(), seq: 1, deleted: false, data: { id: 'x' }, serverUpdatedAt: new Date().toISOString(), updatedBy: null };
    await database.db.execute(bulkInsertSql(syncDocuments, [row]));
    const error = await failure(() => database.db.execute(bulkInsertSql(syncDocuments, [{ ...row, seq: 2 }])));
    expect(uniqueViolationOf(error)).toBe('sync_documents_collection_id_pk');
  });

  it('is null for any other error', async () => {
    const error = await failure(() => database.db.execute(sql`select * from no_such_table`));
    expect(uniqueViolationOf(error)).toBeNull();
    expect(uniqueViolationOf(new Error('not from the database'))).toBeNull();
  });
});
