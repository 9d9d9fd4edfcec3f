// COPY inside a transaction on both drivers: every cell arrives as written (escapes, NULLs, jsonb,
// timestamps), a failure is the database's own error and undoes the transaction, and the
// connection goes on serving queries afterwards.
import { eq, getTableColumns, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@feemaster/core';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../test/database.ts';
import { COPY_NULL, copyCell, copyColumns, copyRows, copyText, expectColumns } from './copy-rows.ts';
import { uniqueViolationOf } from './pg-errors.ts';
import { syncDocuments } from './schema.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});

beforeEach(async () => {
  await database.reset();
});

afterAll(async () => {
  await database.close();
});

const AWKWARD = 'tab\there, new\nline, return\r, back\\slash, \\N, quote " and \u00e9\u20ac\u{1f600}';

function documentLine(id: string, schoolId: string, seq: number, data: Record<string, unknown>, updatedBy: string | null): string {
  const cells: Record<string, string> = {
    collection: copyText('ledger'),
    id,
    schoolId,
    seq: String(seq),
    deleted: 'f',
    data: copyText(JSON.stringify(data)),
    serverUpdatedAt: '2026-01-02T03:04:05.678Z',
    updatedBy: copyCell(updatedBy),
  };
  return Object.keys(getTableColumns(syncDocuments)).map((key) => cells[key] ?? COPY_NULL).join('\t');
}

describe(`copyRows on ${testDatabaseKind}`, () => {
  it('stores every cell as written: escaped text, JSON with escapes, NULL, timestamps', async () => {
    const schoolId = newId();
    const ids = [newId(), newId()];
    const data = { id: ids[0], note: AWKWARD, nested: { list: [1, 'two', null, { deep: AWKWARD }] } };
    await database.db.transaction(async (tx) => {
      await copyRows(tx, syncDocuments, [documentLine(ids[0] ?? '', schoolId, 1, data, null), documentLine(ids[1] ?? '', schoolId, 2, { id: ids[1], note: 'plain' }, schoolId)]);
    });
    const rows = await database.db.select().from(syncDocuments).where(eq(syncDocuments.schoolId, schoolId)).orderBy(syncDocuments.seq);
    expect(rows.map((row) => ({ ...row, serverUpdatedAt: new Date(row.serverUpdatedAt).toISOString() }))).toEqual([
      { collection: 'ledger', id: ids[0], schoolId, seq: 1, deleted: false, data, serverUpdatedAt: '2026-01-02T03:04:05.678Z', updatedBy: null },
      { collection: 'ledger', id: ids[1], schoolId, seq: 2, deleted: false, data: { id: ids[1], note: 'plain' }, serverUpdatedAt: '2026-01-02T03:04:05.678Z', updatedBy: schoolId },
    ]);
  });

  it('fails with the unique violation, undoes the transaction, and leaves the connection usable', async () => {
    const schoolId = newId();
    const taken = newId();
    await database.db.transaction(async (tx) => copyRows(tx, syncDocuments, [documentLine(taken, schoolId, 1, { id: taken }, null)]));
    const fresh = newId();
    let caught: unknown = null;
    try {
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`update ${syncDocuments} set seq = 5 where ${syncDocuments.id} = ${taken}`);
        await copyRows(tx, syncDocuments, [documentLine(fresh, schoolId, 2, { id: fresh }, null), documentLine(taken, schoolId, 3, { id: taken }, null)]);
      });
    } catch (error) {
      caught = error;
    }
    expect(uniqueViolationOf(caught)).toBe('sync_documents_collection_id_pk');
    // Nothing of the failed transaction stayed, and the pool's connections still answer.
    for (let i = 0; i < 12; i += 1) {
      const rows = await database.db.select({ id: syncDocuments.id, seq: syncDocuments.seq }).from(syncDocuments).where(eq(syncDocuments.schoolId, schoolId));
      expect(rows).toEqual([{ id: taken, seq: 1 }]);
    }
  });

  it('refuses a malformed line with the database error and stores nothing', async () => {
    const schoolId = newId();
    await expect(database.db.transaction(async (tx) => copyRows(tx, syncDocuments, [`ledger\t${newId()}\t${schoolId}\tnot-a-number\tf\t{}\t2026-01-02T03:04:05Z\t${COPY_NULL}`]))).rejects.toThrow(/bigint|invalid input/i);
    expect(await database.db.select().from(syncDocuments).where(eq(syncDocuments.schoolId, schoolId))).toEqual([]);
  });

  it('needs a transaction', async () => {
    await expect(copyRows(database.db, syncDocuments, ['x'])).rejects.toThrow(/transaction/);
  });

  it('names the columns in declaration order, as lines give their cells, and refuses a template of another order', () => {
    expect(copyColumns(syncDocuments)).toEqual(['collection', 'id', 'school_id', 'seq', 'deleted', 'data', 'server_updated_at', 'updated_by']);
    expect(() => expectColumns(syncDocuments, ['collection', 'id', 'schoolId', 'seq', 'deleted', 'data', 'serverUpdatedAt', 'updatedBy'])).not.toThrow();
    expect(() => expectColumns(syncDocuments, ['id', 'collection', 'schoolId', 'seq', 'deleted', 'data', 'serverUpdatedAt', 'updatedBy'])).toThrow(/sync_documents has the columns/);
  });

  it('escapes only what COPY gives a meaning', () => {
    expect(copyText('plain "json" {}')).toBe('plain "json" {}');
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyCell(null)).toBe(COPY_NULL);
    expect(copyCell(undefined)).toBe(COPY_NULL);
    expect(copyCell('\\N')).toBe('\\\\N');
  });
});
