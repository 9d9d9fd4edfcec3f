// The server's tables (drizzle). Replicated documents live in one change-feed table keyed by
// collection; each school's feed is ordered by a sequence assigned under a per-school row lock.
import { sql } from 'drizzle-orm';
import type { FieldConflict } from '@feemaster/core';
import { bigint, boolean, index, json, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const schools = pgTable('schools', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  currency: text('currency').notNull(),
  timezone: text('timezone').notNull(),
  /** What desks download of the ledger: 'all' years, or 'recent-years' (the active and previous academic years). */
  ledgerScope: text('ledger_scope').notNull().default('all'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});

/**
 * A person's account, one per email across the server. What they may do lives in memberships:
 * one role in each school they work for (a bursar of two sister schools signs in once).
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** The whole account is off (every school). */
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'string' }),
    /** Offline sign-in grants issued before this no longer open a session (the password changed). */
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [uniqueIndex('users_email_unique').on(sql`lower(${t.email})`)],
);

/** A user's role in one school; disabling it ends their access to that school only. */
export const memberships = pgTable(
  'memberships',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    role: text('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    createdBy: uuid('created_by'),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.schoolId] }), index('memberships_school').on(t.schoolId)],
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
    // No foreign key to schools: its check ran once per row, about a third of the time of
    // inserting an upload's thousand documents. Every push writes under its school's row in
    // school_change_counters (which has the foreign key), so no row can name a missing school.
    schoolId: uuid('school_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    deleted: boolean('deleted').notNull().default(false),
    // json, not jsonb: kept as the text the server wrote (from the checked document) and read back
    // as that text, where jsonb parsed every document into its binary form on write and printed it
    // again on every pull, about a third of PostgreSQL's time per pushed payment. Nothing compares
    // whole documents in SQL; the few lookups inside one (admission number, ledger scope) use ->>.
    data: json('data').notNull().$type<Record<string, unknown>>(),
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

/** Registered desks: one school and office each; a revoked desk is refused at its next contact. */
export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** The office (a `reference` document of kind office) whose code prefixes this desk's receipts. */
    officeId: uuid('office_id'),
    code: text('code').notNull(),
    name: text('name').notNull(),
    registeredBy: uuid('registered_by'),
    registeredAt: timestamp('registered_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'string' }),
    revokedReason: text('revoked_reason'),
    /** SHA-256 of the one-time approval code an admin reads out to enrol the desk; null once used. */
    approvalCodeHash: text('approval_code_hash'),
    approvalCodeExpiresAt: timestamp('approval_code_expires_at', { withTimezone: true, mode: 'string' }),
    /** SHA-256 of the secret the enrolled desk proves itself with at every sign-in. */
    secretHash: text('secret_hash'),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [uniqueIndex('devices_school_code_unique').on(t.schoolId, t.code), uniqueIndex('devices_approval_code_unique').on(t.approvalCodeHash)],
);

/**
 * Rotating refresh tokens. Each use issues a successor in the same family and marks the old one
 * used; presenting a used token again means it leaked, and the whole family is revoked.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey(),
    familyId: uuid('family_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    deviceId: uuid('device_id').references(() => devices.id),
    /** SHA-256 of the token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'string' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'string' }),
    revokedReason: text('revoked_reason'),
    /** Set when the sign-in began offline on the desk (verified there) and was vouched for by it. */
    offlineSessionId: uuid('offline_session_id'),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_unique').on(t.tokenHash), index('refresh_tokens_family').on(t.familyId)],
);

/** Every sign-in attempt, for rate limiting, temporary lockout and the audit screen. */
export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    ip: text('ip'),
    at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    succeeded: boolean('succeeded').notNull(),
  },
  (t) => [index('sign_in_attempts_email_at').on(sql`lower(${t.email})`, t.at)],
);

/** One row per audit chain (a school, or 'system'): the head that the next entry links to. */
export const auditChains = pgTable('audit_chains', {
  chain: text('chain').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
  lastHash: text('last_hash').notNull(),
});

/**
 * The append-only audit trail. Each entry's hash covers its content and the previous entry's
 * hash, so an edited, deleted or inserted row breaks the chain and `audit:verify` finds it.
 * `at` is kept as the exact ISO string that was hashed.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    chain: text('chain').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: text('at').notNull(),
    schoolId: uuid('school_id'),
    actorUserId: uuid('actor_user_id'),
    actorRole: text('actor_role'),
    deviceId: uuid('device_id'),
    officeId: uuid('office_id'),
    /** The desk's clock when the change was made (offline changes sync later). */
    deviceTime: text('device_time'),
    action: text('action').notNull(),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    // json, not jsonb, as sync_documents.data: the canonical text the entry was hashed over.
    before: json('before'),
    after: json('after'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** The offline session (signed in on the desk without the server) the change was made in. */
    offlineSessionId: uuid('offline_session_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /**
     * `after` is the stored data of an immutable document (sync_documents row `entity_type`,
     * `entity_id`: a ledger entry), kept there only: the hash covers it all the same, so
     * `audit:verify` also finds that document edited or deleted.
     */
    afterInDocument: boolean('after_in_document').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.chain, t.seq] }),
    index('audit_log_school_at').on(t.schoolId, t.at),
    index('audit_log_actor').on(t.actorUserId, t.at),
    index('audit_log_entity').on(t.entityType, t.entityId),
  ],
);

/** Retention: entries up to `upToSeq` were pruned; verification resumes from this signed head. */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    chain: text('chain').notNull(),
    upToSeq: bigint('up_to_seq', { mode: 'number' }).notNull(),
    hashAtSeq: text('hash_at_seq').notNull(),
    createdAt: text('created_at').notNull(),
    /** HMAC-SHA-256 over chain, upToSeq, hashAtSeq and createdAt with the server's audit key. */
    signature: text('signature').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chain, t.upToSeq] })],
);

/**
 * Same-field conflicts the push merge resolved (the server's value kept), for admins to see and
 * decide again. `fields` holds each conflicting field with both sides; the states are whole
 * documents (with `_deleted`) as the desk assumed, as the desk wanted, and as the server had.
 */
export const syncConflicts = pgTable(
  'sync_conflicts',
  {
    id: uuid('id').primaryKey(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    collection: text('collection').notNull(),
    documentId: uuid('document_id').notNull(),
    fields: jsonb('fields').notNull().$type<FieldConflict[]>(),
    assumedState: jsonb('assumed_state').$type<Record<string, unknown>>(),
    deskState: jsonb('desk_state').notNull().$type<Record<string, unknown>>(),
    serverState: jsonb('server_state').notNull().$type<Record<string, unknown>>(),
    keptState: jsonb('kept_state').notNull().$type<Record<string, unknown>>(),
    userId: uuid('user_id').notNull(),
    deviceId: uuid('device_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** 'server' (kept as merged) or 'desk' (the desk's values applied), once an admin decided. */
    decision: text('decision'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [index('sync_conflicts_open').on(t.schoolId, t.decidedAt, t.createdAt)],
);

/**
 * Which invoice holds each charge, written with the invoice, so the ledger checks find the
 * invoices a push's allocations refer to by index instead of unnesting every invoice.
 */
export const ledgerCharges = pgTable(
  'ledger_charges',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    chargeId: uuid('charge_id').notNull(),
    invoiceId: uuid('invoice_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.schoolId, t.chargeId] })],
);

/**
 * Card payments charged on the school's Stripe card readers, one per payment id (the ledger
 * payment it becomes, and Stripe's idempotency key). The server writes what it saw at Stripe;
 * a card payment pushed to the ledger must match a row here that succeeded.
 */
export const cardPayments = pgTable(
  'card_payments',
  {
    paymentId: uuid('payment_id').primaryKey(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    deviceId: uuid('device_id').notNull(),
    userId: uuid('user_id').notNull(),
    payerId: uuid('payer_id').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    intentId: text('intent_id').notNull(),
    readerId: text('reader_id').notNull(),
    /** waiting, declined, succeeded or canceled (core's cardPaymentStatuses). */
    status: text('status').notNull(),
    message: text('message'),
    cardBrand: text('card_brand'),
    cardLast4: text('card_last4'),
    /** The void or refund on the ledger that gave the charge back, and Stripe's refund (re_…). */
    refundEntryId: uuid('refund_entry_id'),
    refundKind: text('refund_kind'),
    stripeRefundId: text('stripe_refund_id'),
    refundedAt: timestamp('refunded_at', { withTimezone: true, mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('card_payments_intent').on(t.intentId), index('card_payments_school').on(t.schoolId, t.createdAt)],
);
