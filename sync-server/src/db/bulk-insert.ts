// Many rows in one statement with one parameter: the rows travel as a JSON array that
// jsonb_populate_recordset turns into the table's row type (jsonb, not json: the text is parsed
// once, and a jsonb column's value is taken from it as it is instead of being parsed again).
// A multi-row VALUES list with a parameter per cell costs far more to send, parse and bind at a
// thousand rows (measured on PGlite and PostgreSQL 15). Every column must be given (missing keys
// become NULL, not defaults).
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** `insert into <table> select * from jsonb_populate_recordset(...)`, with `tail` (ON CONFLICT …) after it. */
export function bulkInsertSql<T extends PgTable>(table: T, rows: readonly T['$inferInsert'][], tail: SQL = sql``): SQL {
  const columns = getTableColumns(table);
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [key, column] of Object.entries(columns)) {
      const value: unknown = (row as Record<string, unknown>)[key];
      record[column.name] = value === undefined ? null : value;
    }
    return record;
  });
  return sql`insert into ${table} select * from jsonb_populate_recordset(null::${table}, ${JSON.stringify(records)}::jsonb) ${tail}`;
}
