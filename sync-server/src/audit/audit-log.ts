// Appends to the hash-chained audit trail. One chain per school ('system' for events of no
// school); the chain's head row is locked for the append, so concurrent writers link in order.
import { createHash } from 'node:crypto';
import { eq, getTableColumns } from 'drizzle-orm';
import { canonicalJson } from '@feemaster/core';
import { COPY_NULL, copyCell, copyRows, copyText } from '../db/copy-rows.ts';
import type { Db } from '../db/client.ts';
import { auditChains, auditLog } from '../db/schema.ts';

export const SYSTEM_CHAIN = 'system';
/** The hash a chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  schoolId: string | null;
  actorUserId?: string | null;
  actorRole?: string | null;
  deviceId?: string | null;
  officeId?: string | null;
  deviceTime?: string | null;
  /** e.g. 'students.create', 'ledger.payment', 'auth.sign-in', 'auth.sign-in-failed'. */
  action: string;
  entityType?: string | null;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  userAgent?: string | null;
  /** The change was made in a session the desk opened offline (verified on the desk). */
  offlineSessionId?: string | null;
}

/** The stored fields of one entry, exactly as hashed. */
export interface AuditRecord {
  chain: string;
  seq: number;
  at: string;
  schoolId: string | null;
  actorUserId: string | null;
  actorRole: string | null;
  deviceId: string | null;
  officeId: string | null;
  deviceTime: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
  /** Hashed only when set, so entries written before the column existed verify unchanged. */
  offlineSessionId?: string;
}

/** The hashed record of a stored row: its columns but the links, the offline session only when set. */
export function auditRecordOf(row: Omit<AuditRecord, 'offlineSessionId'> & { offlineSessionId?: string | null }): AuditRecord {
  const { offlineSessionId, ...record } = row;
  return offlineSessionId ? { ...record, offlineSessionId } : record;
}

const SENSITIVE_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|hash$/i;

/** Replaces values of sensitive-looking keys, at any depth, before anything reaches the trail. */
export function redact(value: unknown): unknown {
  return needsRedaction(value) ? redacted(value) : value;
}

function redacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redacted);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SENSITIVE_KEY.test(key) ? '[redacted]' : redacted(v)]));
  }
  return value;
}

/** Whether any key at any depth looks sensitive (most documents have none, and are kept as they are). */
function needsRedaction(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(needsRedaction);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) if (sensitiveKey(key) || needsRedaction(object[key])) return true;
  }
  return false;
}

/** What SENSITIVE_KEY says of each key seen (documents of a collection share their keys), up to a bound. */
const sensitiveKeys = new Map<string, boolean>();
function sensitiveKey(key: string): boolean {
  const known = sensitiveKeys.get(key);
  if (known !== undefined) return known;
  const sensitive = SENSITIVE_KEY.test(key);
  if (sensitiveKeys.size < 10_000) sensitiveKeys.set(key, sensitive);
  return sensitive;
}

export function hashAuditRecord(prevHash: string, record: AuditRecord): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalJson(record)}`).digest('hex');
}

export function chainOf(schoolId: string | null): string {
  return schoolId ?? SYSTEM_CHAIN;
}

/**
 * An event with everything but its place in the chain serialized: its hashed record as canonical
 * JSON and its stored row as a COPY line, both with holes for what only the append knows (the
 * entry's number and time, and the hashes linking it). Preparing a large upload's events before
 * taking a lock keeps that work out of the time the lock is held: the append only joins text and
 * hashes it.
 */
export interface PreparedAuditEvent {
  chain: string;
  /** The record as hashed (hashAuditRecord): text, at, text, seq, text. */
  record: readonly [string, string, string];
  /** The audit_log row as a COPY line (copyRows): text, seq, text, at, text, prev_hash, text, hash, text (in column order). */
  row: readonly string[];
  /** The canonical JSON of the event's `after` when nothing in it needed redacting (for reuse: it is that value's JSON). */
  afterAsGiven?: string;
}

/** Marks where a value goes in a template: neither JSON text nor a COPY line's cells hold a raw newline. */
const HOLE_MARK = '\n';
const HOLE = { seq: HOLE_MARK, at: HOLE_MARK, prevHash: HOLE_MARK, hash: HOLE_MARK } as const;

const auditColumnKeys = Object.keys(getTableColumns(auditLog));
const holeOrder = auditColumnKeys.filter((key) => Object.hasOwn(HOLE, key));
if (holeOrder.join() !== 'seq,at,prevHash,hash') throw new Error(`audit_log columns are in an unexpected order (${holeOrder.join()}): update appendAudit`);

/** The hashed record's members in canonical order (none looks like an array index: plain code-unit order). */
const RECORD_KEYS: readonly (keyof AuditRecord)[] = (
  ['chain', 'seq', 'at', 'schoolId', 'actorUserId', 'actorRole', 'deviceId', 'officeId', 'deviceTime', 'action', 'entityType', 'entityId', 'before', 'after', 'ip', 'userAgent', 'offlineSessionId'] as const
).toSorted((a, b) => (a < b ? -1 : a > b ? 1 : 0));

const nullable = (text: string | null | undefined): string => (text == null ? 'null' : JSON.stringify(text));
/** A jsonb cell: SQL NULL for JSON null, as the column has always held it. */
const jsonCell = (json: string): string => (json === 'null' ? COPY_NULL : copyText(json));

export function prepareAuditEvent(event: AuditEvent): PreparedAuditEvent {
  const chain = chainOf(event.schoolId);
  const before = canonicalJson(redact(event.before ?? null));
  const afterValue = event.after ?? null;
  const redactedAfter = redact(afterValue);
  const after = canonicalJson(redactedAfter);
  // Each member's canonical JSON (a string's is JSON.stringify's), the entry's number and time as holes.
  const texts: Record<keyof AuditRecord, string | undefined> = {
    chain: JSON.stringify(chain),
    seq: HOLE.seq,
    at: HOLE.at,
    schoolId: nullable(event.schoolId),
    actorUserId: nullable(event.actorUserId),
    actorRole: nullable(event.actorRole),
    deviceId: nullable(event.deviceId),
    officeId: nullable(event.officeId),
    deviceTime: nullable(event.deviceTime),
    action: JSON.stringify(event.action),
    entityType: nullable(event.entityType),
    entityId: nullable(event.entityId),
    before,
    after,
    ip: nullable(event.ip),
    userAgent: nullable(event.userAgent),
    // Hashed only when set (see AuditRecord).
    offlineSessionId: event.offlineSessionId ? JSON.stringify(event.offlineSessionId) : undefined,
  };
  let record = '';
  for (const key of RECORD_KEYS) {
    const text = texts[key];
    if (text !== undefined) record += `${record === '' ? '{' : ','}"${key}":${text}`;
  }
  const [beforeAt = '', betweenAtAndSeq = '', afterSeq = ''] = `${record}}`.split(HOLE_MARK);
  // The row's cells as COPY reads them: the values themselves, not their JSON.
  const cells: Record<string, string> = {
    ...HOLE,
    chain: copyText(chain),
    schoolId: copyCell(event.schoolId),
    actorUserId: copyCell(event.actorUserId),
    actorRole: copyCell(event.actorRole),
    deviceId: copyCell(event.deviceId),
    officeId: copyCell(event.officeId),
    deviceTime: copyCell(event.deviceTime),
    action: copyText(event.action),
    entityType: copyCell(event.entityType),
    entityId: copyCell(event.entityId),
    before: jsonCell(before),
    after: jsonCell(after),
    ip: copyCell(event.ip),
    userAgent: copyCell(event.userAgent),
    offlineSessionId: copyCell(event.offlineSessionId || null),
  };
  const row = auditColumnKeys.map((key) => cells[key] ?? COPY_NULL).join('\t');
  return { chain, record: [beforeAt, betweenAtAndSeq, afterSeq], row: row.split(HOLE_MARK), ...(redactedAfter === afterValue ? { afterAsGiven: after } : {}) };
}

/** Appends events in order inside the caller's transaction (they commit or vanish with it). */
export async function appendAudit(tx: Db, events: readonly (AuditEvent | PreparedAuditEvent)[], now = new Date()): Promise<void> {
  const byChain = new Map<string, PreparedAuditEvent[]>();
  for (const event of events) {
    const prepared = 'record' in event ? event : prepareAuditEvent(event);
    const list = byChain.get(prepared.chain);
    if (list) list.push(prepared);
    else byChain.set(prepared.chain, [prepared]);
  }
  const at = now.toISOString();
  const atJson = JSON.stringify(at);
  for (const [chain, chainEvents] of [...byChain].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await tx.insert(auditChains).values({ chain, lastSeq: 0, lastHash: GENESIS_HASH }).onConflictDoNothing();
    const [head] = await tx.select().from(auditChains).where(eq(auditChains.chain, chain)).for('update');
    if (!head) throw new Error(`audit chain ${chain} could not be opened`);
    let { lastSeq: seq, lastHash: prevHash } = head;
    const rows = chainEvents.map((event) => {
      seq += 1;
      const [beforeAt, betweenAtAndSeq, afterSeq] = event.record;
      const hash = createHash('sha256').update(`${prevHash}\n${beforeAt}${atJson}${betweenAtAndSeq}${String(seq)}${afterSeq}`).digest('hex');
      const [a = '', b = '', c = '', d = '', e = ''] = event.row;
      const row = `${a}${String(seq)}${b}${at}${c}${prevHash}${d}${hash}${e}`;
      prevHash = hash;
      return row;
    });
    await copyRows(tx, auditLog, rows);
    await tx.update(auditChains).set({ lastSeq: seq, lastHash: prevHash }).where(eq(auditChains.chain, chain));
  }
}

/** Runs `work` and its audit entries in one transaction. */
export async function withAudit<T>(db: Db, work: (tx: Db) => Promise<{ result: T; events: AuditEvent[] }>): Promise<T> {
  return db.transaction(async (tx) => {
    const { result, events } = await work(tx);
    if (events.length > 0) await appendAudit(tx, events);
    return result;
  });
}
