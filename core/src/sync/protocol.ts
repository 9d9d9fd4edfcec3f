// The sync wire protocol in one place: RxDB's replication protocol (pull, push, stream) as
// served by the sync server under /api/v1/sync/{collection}/{schemaVersion}/.

/** Bumped when the envelope below changes shape (not when a collection schema changes). */
export const SYNC_PROTOCOL_VERSION = 1;
export const SYNC_BASE_PATH = '/api/v1/sync';
export const DEFAULT_PULL_LIMIT = 200;
export const MAX_PULL_LIMIT = 1000;
export const MAX_PUSH_ROWS = 1000;
/** One push body, or one pull page, holds at most this much JSON (a pull page ends early). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Position in a school's change feed: the server-assigned, commit-ordered sequence. */
export interface SyncCheckpoint {
  seq: number;
}

export type WithDeleted<T> = T & { _deleted: boolean };

export interface PullResponse<T> {
  documents: WithDeleted<T>[];
  checkpoint: SyncCheckpoint | null;
  /** The page ended early at MAX_BATCH_BYTES: more documents follow the checkpoint now. */
  hasMore?: boolean;
}

export interface PushRow<T> {
  /** Absent or null when the desk has never seen this document from the server. */
  assumedMasterState?: WithDeleted<T> | null;
  newDocumentState: WithDeleted<T>;
}

/** The current master state of every row whose assumed master was stale; `[]` when none. */
export type PushResponse<T> = WithDeleted<T>[];

/** Changes committed by one push, as the live stream delivers them. */
export interface StreamBatch<T> {
  documents: WithDeleted<T>[];
  checkpoint: SyncCheckpoint;
}

/** One Server-Sent Event's data: a batch of changes, or RESYNC after a reconnect/missed window. */
export type StreamMessage<T> = StreamBatch<T> | 'RESYNC';

/**
 * One event of the desk's single stream for all its collections (browsers allow six connections
 * per server, so a desk does not open one stream per collection): `GET /api/v1/sync/stream?collections=students:1,ledger:1`.
 */
export interface MultiplexedStreamMessage<T> {
  collection: string;
  message: StreamMessage<T>;
}

/** What the server holds per collection, for a fresh desk's download progress. */
export interface SyncSummary {
  collections: { name: string; documents: number; lastSeq: number }[];
  /** What the desk downloads of the ledger (see ledger-scope.ts); documents counts that part. */
  ledgerScope: 'all' | 'recent-years';
}

export type SyncErrorCode =
  | 'unauthorized'
  /** The desk was revoked by the school; the message says when and why. */
  | 'device-revoked'
  /** Too many failed sign-ins for this account; the message says how long to wait. */
  | 'account-locked'
  /** Too many requests from this address in a short time. */
  | 'rate-limited'
  /** The request clashes with what exists (a device code already in use). */
  | 'conflict'
  | 'forbidden'
  | 'schema-outdated'
  | 'server-outdated'
  | 'unknown-collection'
  | 'invalid-document'
  | 'wrong-school'
  | 'immutable-document'
  | 'ledger-rule'
  | 'bad-request'
  | 'setup-required'
  | 'already-set-up'
  /** The account works for several schools: sign in again naming one of `schools`. */
  | 'choose-school'
  /** The desk approval code is wrong, used or expired. */
  | 'approval-code-invalid'
  | 'not-found'
  /** A payment provider (Stripe) could not be reached or refused the request; the message says what to do. */
  | 'provider-unavailable'
  | 'internal';

/** Every error response body of the server. `message` is written for the person at the desk. */
export interface ErrorBody {
  error: SyncErrorCode;
  message: string;
  problems?: { id?: string; index?: number; path: string; message: string; master?: Record<string, unknown> }[];
  /** With 'choose-school': the schools the account may sign in to. */
  schools?: { id: string; name: string; role: string }[];
}

export const MULTIPLEXED_STREAM_PATH = `${SYNC_BASE_PATH}/stream`;

/**
 * A desk names itself (one id per open app) on its live stream (`?client=`) and on its uploads
 * (this header): the ledger entries it uploaded are stored exactly as sent, so its own stream is
 * not sent them back. Other desks' streams are.
 */
export const SYNC_CLIENT_HEADER = 'x-feemaster-client';
export const SYNC_CLIENT_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const SYNC_SUMMARY_PATH = `${SYNC_BASE_PATH}/summary`;
export const SYNC_SETTINGS_PATH = `${SYNC_BASE_PATH}/settings`;

export function syncPath(collection: string, schemaVersion: number, op: 'pull' | 'push' | 'stream'): string {
  return `${SYNC_BASE_PATH}/${encodeURIComponent(collection)}/${schemaVersion}/${op}`;
}

/** Canonical JSON (sorted keys) so equal documents compare equal regardless of key order. */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(canonicalForm(value, ''));
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON form`);
  return text;
}

/**
 * Equal to JSON.stringify with a key-sorting replacer, which is its definition and its test:
 * toJSON first, non-finite numbers as null, members that are undefined, functions or symbols left
 * out (null in arrays), keys in code-unit order except that keys which look like array indexes
 * come first, in numeric order, as in any JavaScript object. Rather than have the replacer rebuild
 * every object, `canonicalForm` hands JSON.stringify the value itself wherever it is already in
 * that form (plain objects with their keys in order: most nested values), and a copy with the keys
 * in order where not: the engine's own serializer then writes the text.
 */
function canonicalForm(input: unknown, key: string): unknown {
  const value = hasToJson(input) ? input.toJSON(key) : input;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      const form = canonicalForm(item, String(index));
      if (copy === null && form !== item) copy = Array.from({ length: index }, (_, i): unknown => value[i]);
      copy?.push(form);
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  // Only a plain object may be handed over as it is: JSON.stringify writes boxed primitives and
  // raw JSON as what they wrap, where the definition (a rebuilt plain object) writes their keys.
  let ordered = Object.getPrototypeOf(object) === Object.prototype;
  for (let index = 1; ordered && index < keys.length; index += 1) ordered = (keys[index - 1] ?? '') < (keys[index] ?? '');
  if (!ordered) {
    // Sorted by code units (sort's default for strings); array-index-like keys then move to the
    // front in numeric order by themselves, as in any object.
    const copy: Record<string, unknown> = {};
    for (const name of keys.sort()) defineMember(copy, name, canonicalForm(object[name], name));
    return copy;
  }
  let copy: Record<string, unknown> | null = null;
  for (const [index, name] of keys.entries()) {
    const item = object[name];
    const form = canonicalForm(item, name);
    if (copy === null && form !== item) {
      copy = {};
      for (const earlier of keys.slice(0, index)) defineMember(copy, earlier, object[earlier]);
    }
    if (copy) defineMember(copy, name, form);
  }
  return copy ?? object;
}

/** `copy[name] = value`, except that '__proto__' becomes a member too, not the prototype. */
function defineMember(copy: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  else copy[name] = value;
}

function hasToJson(value: unknown): value is { toJSON(key: string): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * Splits `items` into batches of at most `maxItems` whose JSON stays within `maxBytes` (a single
 * item larger than that travels alone), in order.
 */
export function batchesWithin<T>(items: readonly T[], maxItems = MAX_PUSH_ROWS, maxBytes = MAX_BATCH_BYTES): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 2; // the enclosing [ ]
  for (const item of items) {
    const size = utf8Length(JSON.stringify(item)) + 1;
    if (batch.length > 0 && (batch.length >= maxItems || bytes + size > maxBytes)) {
      out.push(batch);
      batch = [];
      bytes = 2;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** Bytes of `text` in UTF-8 (core has no TextEncoder: it runs with neither DOM nor Node types). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
