// Field-level three-way merge of mutable master data (students, payers, settings, fee
// structures) when a push's assumedMasterState is not the server's current version.
// Edits to different fields both survive. A true same-field conflict keeps the value already on
// the server (it committed first; desk clocks play no part) and is reported, so an admin can
// see it and decide again. Arrays are one value: a list edited on both sides is a conflict.
import { canonicalJson } from './protocol.ts';

/** One field both sides changed to different values. `path` is a JSON pointer ("/data/code"). */
export interface FieldConflict {
  path: string;
  /** The value both sides started from; absent when the field did not exist there. */
  base?: unknown;
  server?: unknown;
  desk?: unknown;
  /** Whose value the merged document holds. */
  kept: 'server' | 'desk';
}

export interface MergeResult {
  merged: Record<string, unknown>;
  conflicts: FieldConflict[];
}

/** Bookkeeping fields: never a conflict. */
const IDENTITY_FIELDS = new Set(['id', 'schoolId', 'createdAt']);

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  // A field one side does not have (undefined) is the same only as a field also missing.
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function mergeValue(base: unknown, server: unknown, desk: unknown, path: string, conflicts: FieldConflict[]): unknown {
  if (same(server, desk)) return server;
  if (same(base, desk)) return server;
  if (same(base, server)) return desk;
  if (isPlain(server) && isPlain(desk) && (base === undefined || isPlain(base))) {
    const from = base ?? {};
    const out: Plain = {};
    for (const key of new Set([...Object.keys(server), ...Object.keys(desk)])) {
      const value = mergeValue(from[key], server[key], desk[key], `${path}/${escapePointer(key)}`, conflicts);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  conflicts.push({ path, base, server, desk, kept: 'server' });
  return server;
}

/**
 * Merges the desk's new state into the server's, relative to what the desk last saw (`base`,
 * null when the desk never saw the document: every differing field is then a conflict).
 * Documents carry `_deleted`; a delete against an edit on the other side is a conflict on
 * `/_deleted` and the delete wins (an edit to a record someone removed is kept for the admin).
 */
export function threeWayMerge(base: Plain | null, server: Plain, desk: Plain): MergeResult {
  const conflicts: FieldConflict[] = [];
  const merged: Plain = {};
  const from = base ?? {};
  const bodyOf = (doc: Plain): Plain => Object.fromEntries(Object.entries(doc).filter(([key]) => key !== '_deleted' && key !== 'updatedAt' && !IDENTITY_FIELDS.has(key)));
  const serverBody = bodyOf(server);
  const deskBody = bodyOf(desk);
  const baseBody = bodyOf(from);
  for (const key of new Set([...Object.keys(serverBody), ...Object.keys(deskBody)])) {
    const value = mergeValue(base ? baseBody[key] : undefined, serverBody[key], deskBody[key], `/${escapePointer(key)}`, conflicts);
    if (value !== undefined) merged[key] = value;
  }
  for (const key of IDENTITY_FIELDS) if (key in server) merged[key] = server[key];

  const serverDeleted = server._deleted === true;
  const deskDeleted = desk._deleted === true;
  const baseDeleted = from._deleted === true;
  let deleted = serverDeleted;
  if (serverDeleted !== deskDeleted) {
    const deskChangedDelete = deskDeleted !== baseDeleted || !base;
    const serverChangedDelete = serverDeleted !== baseDeleted || !base;
    const otherSideEdited = (side: Plain): boolean => !same(bodyOf(side), baseBody);
    if (deskChangedDelete && !serverChangedDelete) {
      deleted = deskDeleted;
      if (deskDeleted && otherSideEdited(server)) conflicts.push({ path: '/_deleted', base: baseDeleted, server: serverDeleted, desk: deskDeleted, kept: 'desk' });
    } else if (serverChangedDelete && !deskChangedDelete) {
      if (serverDeleted && otherSideEdited(desk)) conflicts.push({ path: '/_deleted', base: baseDeleted, server: serverDeleted, desk: deskDeleted, kept: 'server' });
    } else {
      // Both "changed" it (no common base): the server's state stands.
      conflicts.push({ path: '/_deleted', base: base ? baseDeleted : undefined, server: serverDeleted, desk: deskDeleted, kept: 'server' });
    }
  }
  merged._deleted = deleted;

  // The later of the two edit times, so each side sees the merge as at least as new as its own.
  const times = [server.updatedAt, desk.updatedAt].filter((t): t is string => typeof t === 'string').sort();
  const latest = times.at(-1);
  if (latest !== undefined) merged.updatedAt = latest;
  return { merged, conflicts };
}

/** The value at a JSON pointer made by `threeWayMerge`, or undefined. */
export function valueAtPointer(doc: unknown, pointer: string): unknown {
  let current: unknown = doc;
  for (const part of pointer.split('/').slice(1)) {
    if (!isPlain(current)) return undefined;
    current = current[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return current;
}

/** A copy of `doc` with the value at `pointer` set (undefined removes it). */
export function withValueAtPointer(doc: Plain, pointer: string, value: unknown): Plain {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  const set = (node: Plain, index: number): Plain => {
    const key = parts[index];
    if (key === undefined) return node;
    const copy: Plain = { ...node };
    if (index === parts.length - 1) {
      if (value === undefined) delete copy[key];
      else copy[key] = value;
    } else {
      const child = copy[key];
      copy[key] = set(isPlain(child) ? child : {}, index + 1);
    }
    return copy;
  };
  return set(doc, 0);
}
