// Document ids: UUIDv7 generated on the device that creates the document, so documents made
// offline never collide and sort roughly by when they were made.
import { v5 as uuidv5, v7 } from 'uuid';

// Versions 1-8 with the RFC 9562 variant (10xx); the nil and max UUIDs are not document ids.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new UUIDv7; ids from one process are strictly increasing, even within one millisecond. */
export function newId(): string {
  return v7();
}

/** True for a UUID of any RFC 9562 version in lowercase canonical 8-4-4-4-12 form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** When a UUIDv7 was generated, read from its 48-bit millisecond prefix. */
export function idTimestamp(id: string): Date {
  if (!isUuid(id) || id[14] !== '7') {
    throw new Error(`'${id}' is not a UUIDv7, so it carries no creation time`);
  }
  // 48 bits stay well inside Number's exact integer range.
  return new Date(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
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
