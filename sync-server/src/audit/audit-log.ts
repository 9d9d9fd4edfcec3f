// Appends to the hash-chained audit trail. One chain per school ('system' for events of no
// school); the chain's head row is locked for the append, so concurrent writers link in order.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { canonicalJson } from '@feemaster/core';
import { COPY_NULL, copyCell, copyRows, copyText, expectColumns } from '../db/copy-rows.ts';
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
  /**
   * `after` is the data of an immutable document stored as sync_documents row (entityType,
   * entityId), exactly as given here: the entry keeps it there instead of a second copy.
   */
  afterInDocument?: boolean;
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

/**
 * The hashed record of a stored row: its columns but the links, the offline session only when
 * set. Where the row keeps its `after` in a document (afterInDocument), `after` must be that
 * document's data.
 */
export function auditRecordOf(row: Omit<AuditRecord, 'offlineSessionId'> & { offlineSessionId?: string | null; afterInDocument?: boolean }): AuditRecord {
  const { offlineSessionId, afterInDocument: _where, ...record } = row;
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

// prepareAuditEvent writes the record's members in canonical order (plain code-unit order: no key
// looks like an array index) and the row's cells in the table's column order, as literal templates.
expectColumns(auditLog, ['chain', 'seq', 'at', 'schoolId', 'actorUserId', 'actorRole', 'deviceId', 'officeId', 'deviceTime', 'action', 'entityType', 'entityId', 'before', 'after', 'ip', 'userAgent', 'offlineSessionId', 'prevHash', 'hash', 'afterInDocument']);

const nullable = (text: string | null | undefined): string => (text == null ? 'null' : JSON.stringify(text));
/** A json cell: SQL NULL for JSON null, as the column has always held it. */
const jsonCell = (json: string): string => (json === 'null' ? COPY_NULL : copyText(json));

export function prepareAuditEvent(event: AuditEvent): PreparedAuditEvent {
  const chain = chainOf(event.schoolId);
  const before = canonicalJson(redact(event.before ?? null));
  const afterValue = event.after ?? null;
  const redactedAfter = redact(afterValue);
  const after = canonicalJson(redactedAfter);
  // The record as canonical JSON (a string member's JSON is JSON.stringify's), its members in
  // code-unit order, cut where the entry's time and number go; the offline session only when set.
  const offline = event.offlineSessionId ? `,"offlineSessionId":${JSON.stringify(event.offlineSessionId)}` : '';
  const record: PreparedAuditEvent['record'] = [
    `{"action":${JSON.stringify(event.action)},"actorRole":${nullable(event.actorRole)},"actorUserId":${nullable(event.actorUserId)},"after":${after},"at":`,
    `,"before":${before},"chain":${JSON.stringify(chain)},"deviceId":${nullable(event.deviceId)},"deviceTime":${nullable(event.deviceTime)},"entityId":${nullable(event.entityId)},"entityType":${nullable(event.entityType)},"ip":${nullable(event.ip)},"officeId":${nullable(event.officeId)}${offline},"schoolId":${nullable(event.schoolId)},"seq":`,
    `,"userAgent":${nullable(event.userAgent)}}`,
  ];
  // The row as a COPY line in column order (the values themselves, not their JSON), cut
  // where the number, time and the two hashes go. An immutable document's data is not kept twice:
  // the entry points at its row (unless redaction changed what the entry holds).
  const afterInDocument = event.afterInDocument === true && redactedAfter === afterValue && event.entityType != null && event.entityId != null;
  const row = [
    `${copyText(chain)}\t`,
    '\t',
    `\t${copyCell(event.schoolId)}\t${copyCell(event.actorUserId)}\t${copyCell(event.actorRole)}\t${copyCell(event.deviceId)}\t${copyCell(event.officeId)}\t${copyCell(event.deviceTime)}\t${copyText(event.action)}\t${copyCell(event.entityType)}\t${copyCell(event.entityId)}\t${jsonCell(before)}\t${afterInDocument ? COPY_NULL : jsonCell(after)}\t${copyCell(event.ip)}\t${copyCell(event.userAgent)}\t${copyCell(event.offlineSessionId || null)}\t`,
    '\t',
    afterInDocument ? '\tt' : '\tf',
  ];
  return { chain, record, row, ...(redactedAfter === afterValue ? { afterAsGiven: after } : {}) };
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
