// The change feed: transactional push with conflict detection, and checkpointed pull.
// Sequences are handed out under a per-school row lock held to commit, so commit order equals
// sequence order and a concurrent pull can never skip a document.
import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import {
  MAX_BATCH_BYTES,
  canonicalJson,
  describeDocument,
  formatProblems,
  isUuid,
  newId,
  replicatedCollections,
  threeWayMerge,
  valueAtPointer,
  refusalToWrite,
  withoutReplicationFields,
  SYNC_CLIENT_HEADER,
  SYNC_CLIENT_PATTERN,
  type ErrorBody,
  type FieldConflict,
  type PullResponse,
  type PushRow,
  type ReplicatedCollection,
  type Role,
  type SessionKind,
  type SyncCheckpoint,
  type SyncSummary,
  type WithDeleted,
} from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { schoolChangeCounters, syncConflicts, syncDocuments } from '../db/schema.ts';
import { appendAudit, prepareAuditEvent, type AuditEvent, type PreparedAuditEvent } from '../audit/audit-log.ts';
import { documentChangeEvent } from '../audit/document-events.ts';
import { AppError } from '../errors.ts';
import { announceChange } from './change-feed.ts';
import { bulkInsertSql } from '../db/bulk-insert.ts';
import { copyRows, copyText, expectColumns } from '../db/copy-rows.ts';
import { uniqueViolationOf } from '../db/pg-errors.ts';
import { inSlices, takeTurn } from './slices.ts';
import { checkLedgerPush, recordCharges } from './ledger-checks.ts';
import { ledgerWindow } from './ledger-scope.ts';
import { checkStudentPush } from './student-checks.ts';
import { applySchoolSettings } from './school-settings.ts';
import { approvalMayStandIn, checkRefundApprovals, claimsRefundApproval } from './refund-approvals.ts';
import { checkCardPayments, mayConcernCard } from './card-payment-checks.ts';
import type { ApprovalKeys } from '../auth/approval-keys.ts';

type Doc = WithDeleted<Record<string, unknown>>;

export interface PushResult {
  /** What the desk must adopt: the master of each row it pushed against an older version (merged when the merge wrote). */
  conflicts: Doc[];
  /** Same-field conflicts recorded by this push, for the admins' list and alerts. */
  recorded: { id: string; documentId: string; label: string }[];
  written: Doc[];
  checkpoint: SyncCheckpoint;
}

export interface PushContext {
  schoolId: string;
  userId: string;
  role: Role;
  /** An offline session's writes are capped at a cashier's permissions. */
  session?: SessionKind;
  offlineSessionId?: string | null;
  collection: ReplicatedCollection;
  /** The server instance handling the push (it tells its own streams; others learn by NOTIFY). */
  origin?: string | null;
  /** The uploading desk's own stream skips this batch (immutable documents, stored exactly as sent). */
  client?: string | null;
  /** Where the push came from, for the audit trail (and the desk a refund's approval must come from). */
  deviceId?: string | null;
  /** Checks managers' approvals on pushed refunds; without it, no approval is accepted. */
  approvalKeys?: ApprovalKeys;
  ip?: string | null;
  userAgent?: string | null;
}

/** The push context of a signed-in caller's request. */
export function pushContextOf(
  principal: { schoolId: string; userId: string; role: Role; session?: SessionKind; offlineSessionId?: string | null; deviceId?: string | null },
  collection: ReplicatedCollection,
  request: { ip: string; headers: Record<string, string | string[] | undefined> },
  origin: string,
  approvalKeys?: ApprovalKeys,
): PushContext {
  const agent = request.headers['user-agent'];
  const client = request.headers[SYNC_CLIENT_HEADER];
  return {
    schoolId: principal.schoolId,
    userId: principal.userId,
    role: principal.role,
    session: principal.session,
    offlineSessionId: principal.offlineSessionId,
    origin,
    client: collection.immutable && typeof client === 'string' && SYNC_CLIENT_PATTERN.test(client) ? client : null,
    collection,
    deviceId: principal.deviceId,
    approvalKeys,
    ip: request.ip,
    userAgent: typeof agent === 'string' ? agent : null,
  };
}

/**
 * Checks an upload before it is stored. Returns the ids the pusher may not write but sent exactly
 * as the server has them (a desk whose replication restarted before it noted what it had pulled
 * sends its copies back): those pass as repeats, and the push must find them still unchanged.
 */
export async function checkPushRows(db: Db, ctx: PushContext, rows: readonly PushRow<Record<string, unknown>>[]): Promise<ReadonlySet<string>> {
  // Refunds a manager approved on the desk: their approval is checked below, once they are known to
  // be well-formed, and for someone at a till it stands in for the right to record a refund.
  const approved = ctx.collection.name === 'ledger' ? rows.flatMap((row, index) => (claimsRefundApproval(row.newDocumentState) ? [{ index, doc: row.newDocumentState }] : [])) : [];
  const approvalStandsIn = approved.length > 0 && approvalMayStandIn(ctx.role, ctx.session);
  // The permission table first: a role that may not write these documents learns that, not their faults.
  const forbidden = rows
    .map((row, index) => ({ index, doc: row.newDocumentState, refusal: refusalToWrite(ctx.role, ctx.collection.name, row.newDocumentState, ctx.session) }))
    .filter((r) => r.refusal !== null && !(approvalStandsIn && claimsRefundApproval(r.doc)));
  const repeats = forbidden.length === 0 ? new Set<string>() : await unchangedOnServer(db, ctx, forbidden.map((r) => r.doc));
  const refused = forbidden.filter((r) => !repeats.has(String(r.doc.id)));
  const [first] = refused;
  if (first?.refusal) {
    throw new AppError(
      403,
      'forbidden',
      `Refused: ${first.refusal}. Nothing from this upload was saved.`,
      refused.map((r) => ({ index: r.index, id: typeof r.doc.id === 'string' ? r.doc.id : undefined, path: '', message: r.refusal ?? '' })),
    );
  }
  const problems: NonNullable<ErrorBody['problems']> = [];
  await inSlices([...rows.entries()], ([index, row]) => {
    const doc = row.newDocumentState;
    const id = typeof doc.id === 'string' ? doc.id : undefined;
    if (typeof doc._deleted !== 'boolean') {
      problems.push({ index, id, path: '/_deleted', message: '_deleted must be true or false' });
    }
    for (const problem of ctx.collection.validate(doc)) problems.push({ index, id, ...problem });
    if (typeof doc.schoolId === 'string' && doc.schoolId !== ctx.schoolId) {
      problems.push({ index, id, path: '/schoolId', message: 'schoolId is not your school' });
    }
  });
  if (problems.length > 0) {
    const first = problems[0];
    const subject = first?.id ? `${ctx.collection.label} ${first.id}` : `${ctx.collection.label} #${first?.index ?? 0}`;
    throw new AppError(
      422,
      problems.some((p) => p.message === 'schoolId is not your school') ? 'wrong-school' : 'invalid-document',
      `${subject} was refused: ${formatProblems(problems.filter((p) => p.index === first?.index))}. Nothing from this upload was saved; correct the record and save it again.`,
      problems,
    );
  }
  // Every approval is checked, whoever pushes it; a refund stored already is not judged again.
  if (approved.length > 0) await checkRefundApprovals(db, ctx, approved, (ids) => storedIdsOf(db, ctx.collection.name, ids));
  // Every card payment names a charge the server saw succeed at Stripe, and goes back to the card only through Stripe.
  const cards = ctx.collection.name === 'ledger' ? rows.flatMap((row, index) => (mayConcernCard(row.newDocumentState) ? [{ index, doc: row.newDocumentState }] : [])) : [];
  if (cards.length > 0) await checkCardPayments(db, ctx.schoolId, cards, (ids) => storedIdsOf(db, ctx.collection.name, ids));
  return repeats;
}

/** The ids of `docs` the server stores for this school exactly as given (read without locking). */
async function unchangedOnServer(db: Db, ctx: PushContext, docs: readonly Record<string, unknown>[]): Promise<Set<string>> {
  const ids = [...new Set(docs.map((doc) => doc.id).filter((id): id is string => typeof id === 'string' && isUuid(id)))];
  if (ids.length === 0) return new Set();
  const stored = await db
    .select({ id: syncDocuments.id, schoolId: syncDocuments.schoolId, data: syncDocuments.data, deleted: syncDocuments.deleted })
    .from(syncDocuments)
    .where(and(eq(syncDocuments.collection, ctx.collection.name), idIn(ids)));
  const storedState = new Map(stored.filter((row) => row.schoolId === ctx.schoolId).map((row) => [row.id, canonicalJson({ ...row.data, _deleted: row.deleted })]));
  return new Set(docs.filter((doc) => storedState.get(String(doc.id)) === canonicalJson(toStoredState(doc))).map((doc) => String(doc.id)));
}

export async function pushDocuments(
  db: Db,
  ctx: PushContext,
  rows: readonly PushRow<Record<string, unknown>>[],
  /** More work that must commit with this push or not at all (an admin's conflict decision). */
  alsoInTransaction?: (tx: Db, result: PushResult) => Promise<void>,
): Promise<PushResult> {
  // One upload of a school is prepared at a time (up to its ledger rules); see takeTurn.
  const endTurn = await takeTurn(ctx.schoolId);
  try {
    return await preparedPush(db, ctx, rows, endTurn, alsoInTransaction);
  } finally {
    endTurn();
  }
}

async function preparedPush(
  db: Db,
  ctx: PushContext,
  rows: readonly PushRow<Record<string, unknown>>[],
  endTurn: () => void,
  alsoInTransaction?: (tx: Db, result: PushResult) => Promise<void>,
): Promise<PushResult> {
  const repeats = await checkPushRows(db, ctx, rows);
  const collection = ctx.collection.name;
  const nextStates = await inSlices(rows, (row) => toStoredState(row.newDocumentState));
  const ids = [...new Set(nextStates.map((state) => String(state.id)))];
  // Each row's audit entry as it will read if the row is new to the server (the usual case),
  // serialized before the school's lock is taken; other outcomes are serialized under it.
  // In slices, letting the event loop run between them: another upload holding the school's lock
  // gets its database answers handled without waiting for all of this one's preparation.
  const entriesIfNew = await inSlices(nextStates, (state) => {
    const { _deleted: deleted, ...data } = state;
    const event = documentChangeEvent(ctx, collection, null, { data, deleted });
    // An immutable document's data is its audit entry's `after` for good: kept once, in its row.
    if (ctx.collection.immutable && !deleted) event.afterInDocument = true;
    return prepareAuditEvent(event);
  });
  // Likewise each row's sync_documents row as a COPY line, but for its number and time (newRowLine);
  // a live document's data is its audit entry's `after`, whose JSON is written once for both.
  const rowsIfNew = ctx.collection.immutable
    ? await inSlices(nextStates, (state, index) => newRow(ctx, collection, state, state._deleted ? undefined : entriesIfNew[index]?.afterAsGiven))
    : [];
  /** One try in one transaction; `readStored`: read the stored versions of the uploaded ids first. */
  const attempt = (readStored: boolean): Promise<PushResult> =>
    db.transaction(async (tx) => {
      // The ledger rules run before the school's lock, so they overlap another push's writes. That
      // is safe: entries are only ever added, so what a check found stays true; an entry the check
      // could not see yet (an upload committing meanwhile) is refused as it would have been had
      // that upload committed second. Rows stored in the meantime are found under the lock below.
      if (collection === 'ledger') await checkLedgerPush(tx, ctx.schoolId, nextStates, () => storedIdsOf(tx, collection, ids));
      endTurn();
      const [counter] = await tx
        .select({ lastSeq: schoolChangeCounters.lastSeq })
        .from(schoolChangeCounters)
        .where(eq(schoolChangeCounters.schoolId, ctx.schoolId))
        .for('update');
      if (!counter) throw new AppError(403, 'wrong-school', 'Your school is not known to this server. Sign in again.');
      let seq = counter.lastSeq;
      const masters = new Map(
        readStored
          ? (
              await tx
                .select()
                .from(syncDocuments)
                .where(and(eq(syncDocuments.collection, collection), idIn(ids)))
                .for('update')
            ).map((row) => [row.id, row])
          : [],
      );
      const stored = new Set(masters.keys());
      if (collection === 'students') await checkStudentPush(tx, ctx.schoolId, rows);
      const conflicts: Doc[] = [];
      const written: Doc[] = [];
      const audits: (AuditEvent | PreparedAuditEvent)[] = [];
      const recorded: ConflictRecord[] = [];
      const writes = new Map<string, typeof syncDocuments.$inferInsert>();
      /** The prepared rows of `writes` that are new as uploaded, by id (see rowsIfNew). */
      const preparedRows = new Map<string, string>();
      const now = new Date().toISOString();
      for (const [index, row] of rows.entries()) {
        const next = nextStates[index] ?? toStoredState(row.newDocumentState);
        const master = masters.get(String(next.id));
        if (master && master.schoolId !== ctx.schoolId) {
          // An id owned by another school: refuse without revealing that school's data.
          throw new AppError(422, 'wrong-school', `${ctx.collection.label} ${String(next.id)} belongs to another school and was refused. Nothing from this upload was saved.`);
        }
        const masterState = master ? { ...master.data, _deleted: master.deleted } : null;
        if (masterState && canonicalJson(masterState) === canonicalJson(next)) continue; // a repeated push: already stored
        if (repeats.has(String(next.id))) {
          // Passed as a repeat of what was stored, which changed since: this pusher may not write it.
          throw new AppError(403, 'forbidden', `Refused: ${refusalToWrite(ctx.role, collection, next, ctx.session) ?? 'you may not change this record'}. Nothing from this upload was saved.`, [
            { id: String(next.id), path: '', message: 'changed on the server meanwhile; this desk may not write it' },
          ]);
        }
        if (masterState && ctx.collection.immutable) {
          throw new AppError(
            422,
            'immutable-document',
            `${ctx.collection.label} ${String(next.id)} is already recorded and cannot be changed. Record a correction (void, reversal, waiver or refund) instead. Nothing from this upload was saved.`,
            [{ id: String(next.id), path: '', message: 'already recorded; ledger entries are immutable', master: masterState }],
          );
        }
        const assumed = row.assumedMasterState ? toStoredState(row.assumedMasterState) : null;
        let state = next;
        if (masterState && (!assumed || canonicalJson(assumed) !== canonicalJson(masterState))) {
          // The desk changed an older version: merge field by field; the desk adopts the result.
          const merge = mergeWithMaster(ctx.collection, assumed, masterState, next);
          state = merge.state;
          conflicts.push(state);
          if (merge.fields.length > 0 && !(await conflictRecorded(tx, ctx.schoolId, String(next.id), next))) {
            const conflict: ConflictRecord = { id: newId(), schoolId: ctx.schoolId, collection, documentId: String(next.id), fields: merge.fields, assumedState: assumed, deskState: next, serverState: masterState, keptState: state, userId: ctx.userId, deviceId: ctx.deviceId ?? null };
            recorded.push(conflict);
            audits.push(conflictEvent(ctx, conflict));
          }
          if (canonicalJson(state) === canonicalJson(masterState)) continue;
        }
        seq += 1;
        const { _deleted: deleted, ...data } = state;
        const values = { collection, id: String(next.id), schoolId: ctx.schoolId, seq, deleted, data, serverUpdatedAt: now, updatedBy: ctx.userId };
        // A document twice in one upload is stored once, as its later version.
        writes.delete(values.id);
        writes.set(values.id, values);
        // New and stored as uploaded: what was prepared before the lock applies.
        const asUploaded = !master && state === next;
        audits.push((asUploaded ? entriesIfNew[index] : undefined) ?? documentChangeEvent(ctx, collection, master ? { data: master.data, deleted: master.deleted } : null, { data, deleted }));
        const prepared = asUploaded ? rowsIfNew[index] : undefined;
        if (prepared === undefined) preparedRows.delete(values.id);
        else preparedRows.set(values.id, newRowLine(prepared, seq, now));
        masters.set(values.id, { ...values });
        written.push(state);
      }
      // One statement for the upload's new documents and one for its changed ones, not a round
      // trip per document. New ones are plainly inserted: a document of this school cannot appear
      // meanwhile (its pushes hold the school's lock), so an id taken at the same moment can only be
      // another school's, which must be refused, never overwritten.
      const inserts = [...writes.values()].filter((values) => !stored.has(values.id));
      const updates = [...writes.values()].filter((values) => stored.has(values.id));
      if (inserts.length > 0) {
        const texts = inserts.map((values) => preparedRows.get(values.id));
        try {
          if (texts.every((text): text is string => text !== undefined)) await copyRows(tx, syncDocuments, texts);
          else await tx.execute(bulkInsertSql(syncDocuments, inserts));
        } catch (error) {
          if (uniqueViolationOf(error) !== 'sync_documents_collection_id_pk') throw error;
          // Not read first (immutable documents): perhaps stored already; undone, and run again
          // reading what is stored. Read first: another school's id.
          if (!readStored) throw new StoredAlready();
          throw new AppError(422, 'wrong-school', `A ${ctx.collection.label.toLowerCase()} of this upload has an id another school saved at the same moment, so it was refused. Nothing from this upload was saved.`);
        }
      }
      if (updates.length > 0) {
        await tx.execute(
          bulkInsertSql(
            syncDocuments,
            updates,
            sql`on conflict (collection, id) do update set seq = excluded.seq, deleted = excluded.deleted, data = excluded.data, server_updated_at = excluded.server_updated_at, updated_by = excluded.updated_by`,
          ),
        );
      }
      if (collection === 'ledger') await recordCharges(tx, ctx.schoolId, written);
      if (collection === 'reference') await applySchoolSettings(tx, ctx.schoolId, written);
      // Same transaction: an accepted change and its audit entry commit together or not at all.
      if (recorded.length > 0) await tx.insert(syncConflicts).values(recorded);
      await appendAudit(tx, audits);
      if (seq !== counter.lastSeq) {
        await tx.update(schoolChangeCounters).set({ lastSeq: seq }).where(eq(schoolChangeCounters.schoolId, ctx.schoolId));
        await announceChange(tx, { origin: ctx.origin ?? null, client: ctx.client ?? null, schoolId: ctx.schoolId, collection, fromSeq: counter.lastSeq + 1, toSeq: seq });
      }
      const result: PushResult = { conflicts, written, checkpoint: { seq }, recorded: recorded.map((c) => ({ id: c.id, documentId: c.documentId, label: describeDocument(ctx.collection, c.keptState) })) };
      if (alsoInTransaction) await alsoInTransaction(tx, result);
      return result;
    });
  // Immutable documents are almost always new: they are inserted without first reading, under
  // the lock, whether any is stored; should one be (a repeated upload, an id taken), the whole
  // transaction is undone and run again the careful way, reading what is stored first. Repeats
  // let through the permission table are known to be stored: such an upload goes the careful way.
  if (ctx.collection.immutable && repeats.size === 0) {
    try {
      return await attempt(false);
    } catch (error) {
      if (!(error instanceof StoredAlready)) throw error;
    }
  }
  return attempt(true);
}

/** An upload of immutable documents found one of them stored already (see pushDocuments). */
class StoredAlready extends Error {}

export async function pullDocuments(
  db: Db,
  query: { schoolId: string; collection: string; afterSeq: number; limit: number; maxBytes?: number; where?: SQL | null },
): Promise<PullResponse<Record<string, unknown>>> {
  const rows = await db
    .select({ seq: syncDocuments.seq, deleted: syncDocuments.deleted, data: syncDocuments.data, bytes: sql<number>`octet_length(${syncDocuments.data}::text)` })
    .from(syncDocuments)
    .where(and(eq(syncDocuments.schoolId, query.schoolId), eq(syncDocuments.collection, query.collection), gt(syncDocuments.seq, query.afterSeq), query.where ?? undefined))
    .orderBy(asc(syncDocuments.seq))
    .limit(query.limit);
  // A page ends early rather than grow past the byte limit; the first document always goes.
  const maxBytes = query.maxBytes ?? MAX_BATCH_BYTES;
  let bytes = 0;
  let count = 0;
  for (const row of rows) {
    bytes += Number(row.bytes) + 16;
    if (count > 0 && bytes > maxBytes) break;
    count += 1;
  }
  const page = rows.slice(0, count);
  const last = page.at(-1);
  return {
    documents: page.map((row) => ({ ...row.data, _deleted: row.deleted })),
    checkpoint: last ? { seq: last.seq } : query.afterSeq > 0 ? { seq: query.afterSeq } : null,
    ...(count < rows.length ? { hasMore: true } : {}),
  };
}

/** Live documents and the last sequence per collection of a school. */
export async function summarize(db: Db, schoolId: string): Promise<SyncSummary> {
  const window = await ledgerWindow(db, schoolId);
  const rows = await db
    .select({
      name: syncDocuments.collection,
      documents: window.condition
        ? sql<number>`(count(*) filter (where not ${syncDocuments.deleted} and (${syncDocuments.collection} <> 'ledger' or ${window.condition})))::int`
        : sql<number>`(count(*) filter (where not ${syncDocuments.deleted}))::int`,
      lastSeq: sql<number>`max(${syncDocuments.seq})`,
    })
    .from(syncDocuments)
    .where(eq(syncDocuments.schoolId, schoolId))
    .groupBy(syncDocuments.collection);
  const found = new Map(rows.map((row) => [row.name, row]));
  return {
    collections: Object.values(replicatedCollections).map(({ name }) => ({ name, documents: Number(found.get(name)?.documents ?? 0), lastSeq: Number(found.get(name)?.lastSeq ?? 0) })),
    ledgerScope: window.scope,
  };
}

/**
 * Three-way merge of a push against a newer master. A merge that breaks the collection's rules
 * (fields that only make sense together) keeps the master whole, every differing field reported.
 */
export function mergeWithMaster(collection: ReplicatedCollection, assumed: Doc | null, master: Doc, desk: Doc): { state: Doc; fields: FieldConflict[] } {
  const { merged, conflicts } = threeWayMerge(assumed, master, desk);
  const state = { ...merged, _deleted: merged._deleted === true };
  if (collection.validate(state).length === 0) return { state, fields: conflicts };
  return { state: master, fields: threeWayMerge(null, master, desk).conflicts.map((c) => ({ ...c, base: valueAtPointer(assumed, c.path) })) };
}

type ConflictRecord = typeof syncConflicts.$inferInsert & { id: string; assumedState: Doc | null; deskState: Doc; serverState: Doc; keptState: Doc };

/** `id = any($1::uuid[])`: one parameter for a whole upload's ids, not one per id. */
function idIn(ids: readonly string[]): SQL {
  return sql`${syncDocuments.id} = any(${sql.param(ids)}::uuid[])`;
}

/** Which of the pushed ids are stored already (read without locking). */
async function storedIdsOf(tx: Db, collection: string, ids: readonly string[]): Promise<Set<string>> {
  const stored = await tx
    .select({ id: syncDocuments.id })
    .from(syncDocuments)
    .where(and(eq(syncDocuments.collection, collection), idIn(ids)));
  return new Set(stored.map((row) => row.id));
}

/** A repeated push of the same desk state records its conflict once. */
async function conflictRecorded(tx: Db, schoolId: string, documentId: string, deskState: Doc): Promise<boolean> {
  const rows = await tx
    .select({ deskState: syncConflicts.deskState })
    .from(syncConflicts)
    .where(and(eq(syncConflicts.schoolId, schoolId), eq(syncConflicts.documentId, documentId)));
  return rows.some((row) => canonicalJson(row.deskState) === canonicalJson(deskState));
}

function conflictEvent(ctx: PushContext, conflict: ConflictRecord): AuditEvent {
  return {
    schoolId: ctx.schoolId,
    actorUserId: ctx.userId,
    actorRole: ctx.role,
    deviceId: ctx.deviceId ?? null,
    deviceTime: typeof conflict.deskState.updatedAt === 'string' ? conflict.deskState.updatedAt : null,
    action: 'sync.conflict',
    entityType: conflict.collection,
    entityId: conflict.documentId,
    before: { conflictId: conflict.id, assumedMasterState: conflict.assumedState, server: conflict.serverState },
    after: { desk: conflict.deskState, kept: conflict.keptState, fields: conflict.fields },
    ip: ctx.ip ?? null,
    userAgent: ctx.userAgent ?? null,
    offlineSessionId: ctx.offlineSessionId ?? null,
  };
}

/**
 * A new document's sync_documents row as a COPY line (copyRows), but for what only the school's
 * lock holder knows: its number in the feed and the server time (newRowLine adds them). Written
 * before the lock is taken.
 */
type NewRow = readonly [beforeSeq: string, betweenSeqAndTime: string, afterTime: string];

expectColumns(syncDocuments, ['collection', 'id', 'schoolId', 'seq', 'deleted', 'data', 'serverUpdatedAt', 'updatedBy']);

/** `dataJson`: the JSON of the document's data when the caller has it already. */
function newRow(ctx: PushContext, collection: string, state: Doc, dataJson?: string): NewRow {
  const { _deleted: deleted, ...data } = state;
  return [
    `${copyText(collection)}\t${copyText(String(state.id))}\t${copyText(ctx.schoolId)}\t`,
    `\t${deleted ? 't' : 'f'}\t${copyText(dataJson ?? JSON.stringify(data))}\t`,
    `\t${copyText(ctx.userId)}`,
  ];
}

function newRowLine([beforeSeq, betweenSeqAndTime, afterTime]: NewRow, seq: number, at: string): string {
  return `${beforeSeq}${String(seq)}${betweenSeqAndTime}${at}${afterTime}`;
}

function toStoredState(doc: Record<string, unknown>): Doc {
  return { ...withoutReplicationFields(doc), _deleted: doc._deleted === true };
}
