// The server's tables (drizzle). Replicated documents live in one change-feed table keyed by
// collection; each school's feed is ordered by a sequence assigned under a per-school row lock.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const schools = pgTable('schools', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  currency: text('currency').notNull(),
  timezone: text('timezone').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [uniqueIndex('users_email_unique').on(sql`lower(${t.email})`)],
);

/** Server-generated secrets (token signing key) so several instances on one database agree. */
export const serverSecrets = pgTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

/**
 * One row per school: the last sequence number handed out. Pushes lock this row first, so
 * sequences are assigned and committed in the same order and a pull can never skip a row.
 */
export const schoolChangeCounters = pgTable('school_change_counters', {
  schoolId: uuid('school_id')
    .primaryKey()
    .references(() => schools.id),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
});

export const syncDocuments = pgTable(
  'sync_documents',
  {
    collection: text('collection').notNull(),
    id: uuid('id').notNull(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    deleted: boolean('deleted').notNull().default(false),
    data: jsonb('data').notNull().$type<Record<string, unknown>>(),
    serverUpdatedAt: timestamp('server_updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [
    primaryKey({ columns: [t.collection, t.id] }),
    index('sync_documents_feed').on(t.schoolId, t.collection, t.seq),
    // An admission number belongs to one student of a school (rule kept even if a check is bypassed).
    uniqueIndex('students_admission_number_unique')
      .on(t.schoolId, sql`(${t.data}->>'admissionNumber')`)
      .where(sql`${t.collection} = 'students' and ${t.deleted} = false`),
  ],
);
