// The audit entry for one document a sync push wrote: who, from which desk and office, the
// desk's clock when the change was made (offline changes arrive later), and before/after.
import type { AuditEvent } from './audit-log.ts';

/** A stored document as the change feed keeps it: its data and whether it is soft-deleted. */
export interface StoredState {
  data: Record<string, unknown>;
  deleted: boolean;
}

/** Who pushed, and from where (the sync push context satisfies this). */
export interface PushActor {
  schoolId: string;
  userId: string;
  role: string;
  /** The desk the sign-in is bound to, when it is. */
  deviceId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  offlineSessionId?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `before` is the stored state before this push, null when the document is new to the server. */
export function documentChangeEvent(actor: PushActor, collection: string, before: StoredState | null, after: StoredState): AuditEvent {
  const doc = after.data;
  return {
    schoolId: actor.schoolId,
    actorUserId: actor.userId,
    actorRole: actor.role,
    // A payment names the desk that took it (perhaps offline, long before this push); other
    // documents fall back to the desk the push came from. The columns are uuids.
    deviceId: uuidOrNull(doc.deviceId) ?? actor.deviceId ?? null,
    officeId: uuidOrNull(doc.officeId),
    deviceTime: stringOrNull(doc.updatedAt) ?? stringOrNull(doc.createdAt),
    action: actionOf(collection, before, after),
    entityType: collection,
    entityId: String(doc.id),
    before: before ? snapshot(before) : null,
    after: snapshot(after),
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ?? null,
    offlineSessionId: actor.offlineSessionId ?? null,
  };
}

/** `ledger.payment`, `ledger.void`, …; master data as `students.create` / `.update` / `.delete`. */
function actionOf(collection: string, before: StoredState | null, after: StoredState): string {
  if (collection === 'ledger') return `ledger.${typeof after.data.type === 'string' ? after.data.type : 'entry'}`;
  if (after.deleted && !before?.deleted) return `${collection}.delete`;
  return `${collection}.${before ? 'update' : 'create'}`;
}

/** A soft delete is part of the state a reader must see, so it is kept in the snapshot. */
function snapshot(state: StoredState): Record<string, unknown> {
  return state.deleted ? { ...state.data, _deleted: true } : state.data;
}

function uuidOrNull(value: unknown): string | null {
  return typeof value === 'string' && UUID.test(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
