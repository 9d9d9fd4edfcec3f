// Document ids: UUIDv7 generated on the device that creates the document, so documents made
// offline never collide and sort roughly by when they were made.
import { v5 as uuidv5, v7 } from 'uuid';

// Versions 1-8 with the RFC 9562 variant (10xx); the nil and max UUIDs are not document ids.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Random bytes for ids taken from a pool filled 256 ids at a time: one getRandomValues call per
// id was most of the time an import spends making ids for 10,000 students and their families.
const POOLED_IDS = 256;
let randomPool = new Uint8Array(0);
let poolOffset = 0;

function sixteenRandomBytes(): Uint8Array {
  if (poolOffset + 16 > randomPool.length) {
    randomPool = crypto.getRandomValues(new Uint8Array(16 * POOLED_IDS));
    poolOffset = 0;
  }
  poolOffset += 16;
  return randomPool.subarray(poolOffset - 16, poolOffset);
}

// uuid's v7 keeps this state only when it draws its own random bytes, so it is kept here, by
// uuid's rule (RFC 9562 method 1, a 32-bit counter seeded from random bits each millisecond).
const v7State = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/** A new UUIDv7; ids from one process are strictly increasing, even within one millisecond. */
export function newId(): string {
  const random = sixteenRandomBytes();
  const now = Date.now();
  if (now > v7State.msecs) {
    v7State.seq = (((random[6] ?? 0) & 0x7f) << 24) | ((random[7] ?? 0) << 16) | ((random[8] ?? 0) << 8) | (random[9] ?? 0);
    v7State.msecs = now;
  } else {
    v7State.seq = (v7State.seq + 1) | 0;
    // The counter ran over within one millisecond: borrow the next one, as uuid does.
    if (v7State.seq === 0) v7State.msecs++;
  }
  return v7({ random, msecs: v7State.msecs, seq: v7State.seq });
}

/** True for a UUID of any RFC 9562 version in lowercase canonical 8-4-4-4-12 form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** When a UUIDv7 was generated, read from its 48-bit millisecond prefix. */
export function idTimestamp(id: string): Date {
  const ms = idMillis(id);
  if (ms === null) throw new Error(`'${id}' is not a UUIDv7, so it carries no creation time`);
  return new Date(ms);
}

/** The millisecond a UUIDv7 was generated at, or null for any other id (for reading many ids without a throw). */
export function idMillis(id: string): number | null {
  if (id[14] !== '7' || !isUuid(id)) return null;
  // 48 bits stay well inside Number's exact integer range.
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * A UUIDv7 as a device whose clock read `msecs` would make it: for documents made with their own
 * times (test data, benchmarks), so their ids and createdAt agree as on a desk.
 */
export function idMadeAt(msecs: number): string {
  return v7({ random: sixteenRandomBytes(), msecs });
}

/** Fee Master's UUIDv5 namespace for ids derived from a natural key. */
const KEY_NAMESPACE = '5b0f7f0e-3f0c-4b8e-9a54-0d7e3f6a2c11';

/**
 * A stable id for a document identified by a natural key (e.g. one student's invoice for one
 * term and fee structure), so the same operation run twice, or on two offline desks, yields
 * the same document instead of a duplicate.
 */
export function keyedId(key: string): string {
  return uuidv5(key, KEY_NAMESPACE);
}
