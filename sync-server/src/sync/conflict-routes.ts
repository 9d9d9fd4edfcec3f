// Sync administration. /api/v1/sync/conflicts: the same-field conflicts the push merge resolved,
// for owners and admins to review, and their decision: keep the document as it is, or apply the
// desk's values (written as a new version through the normal push, so desks receive it and it is
// audited). /api/v1/sync/settings: what desks download of the ledger.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import {
  ConflictDecisionRequest,
  IdString,
  SYNC_SETTINGS_PATH,
  SyncConflict,
  SyncSettings,
  SyncConflictList,
  actionPermissions,
  describeDocument,
  findCollection,
  withValueAtPointer,
  type SyncConflict as SyncConflictShape,
  type SyncSettings as SyncSettingsShape,
} from '@feemaster/core';
import { appendAudit } from '../audit/audit-log.ts';
import { authenticateToken, bearerToken, requireRole, type Principal } from '../auth/authenticate.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Db } from '../db/client.ts';
import { schools, syncConflicts, syncDocuments, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Notifier } from '../realtime/notifier.ts';
import type { LiveHub } from './live-hub.ts';
import { publishPush } from './publish.ts';
import { pushContextOf, pushDocuments } from './repository.ts';

export interface ConflictRoutesOptions {
  db: Db;
  tokens: TokenService;
  hub: LiveHub;
  notifier: Notifier;
  instanceId: string;
}

const ListQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')], { description: 'open (default): not yet decided' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

type Row = typeof syncConflicts.$inferSelect & { displayName: string | null };

function toConflict(row: Row): SyncConflictShape {
  const collection = findCollection(row.collection);
  return {
    id: row.id,
    collection: row.collection,
    documentId: row.documentId,
    label: collection ? describeDocument(collection, row.keptState) : row.documentId,
    fields: row.fields,
    user: { id: row.userId, displayName: row.displayName ?? 'A former member' },
    deviceId: row.deviceId,
    createdAt: new Date(row.createdAt).toISOString(),
    decision: row.decision === 'server' || row.decision === 'desk' ? row.decision : null,
    decidedAt: row.decidedAt ? new Date(row.decidedAt).toISOString() : null,
  };
}

export const conflictRoutes: FastifyPluginAsyncTypebox<ConflictRoutesOptions> = async (app, options) => {
  const { db, tokens } = options;
  const tags = ['sync'];
  const reviewer = async (token: string | null): Promise<Principal> => {
    const principal = await authenticateToken(db, tokens, token);
    requireRole(principal, actionPermissions['sync.conflicts'], 'review sync conflicts');
    return principal;
  };
  const load = (schoolId: string, where = sql`true`, limit = 1) =>
    db
      .select({
        id: syncConflicts.id,
        schoolId: syncConflicts.schoolId,
        collection: syncConflicts.collection,
        documentId: syncConflicts.documentId,
        fields: syncConflicts.fields,
        assumedState: syncConflicts.assumedState,
        deskState: syncConflicts.deskState,
        serverState: syncConflicts.serverState,
        keptState: syncConflicts.keptState,
        userId: syncConflicts.userId,
        deviceId: syncConflicts.deviceId,
        createdAt: syncConflicts.createdAt,
        decision: syncConflicts.decision,
        decidedBy: syncConflicts.decidedBy,
        decidedAt: syncConflicts.decidedAt,
        displayName: users.displayName,
      })
      .from(syncConflicts)
      .leftJoin(users, eq(users.id, syncConflicts.userId))
      .where(and(eq(syncConflicts.schoolId, schoolId), where))
      .orderBy(desc(syncConflicts.createdAt))
      .limit(limit);

  app.get(
    '/api/v1/sync/conflicts',
    { schema: { tags, summary: 'Same-field conflicts between desks, newest first, with both sides and what was kept', querystring: ListQuery, response: { 200: SyncConflictList } } },
    async (request) => {
      const principal = await reviewer(bearerToken(request));
      const open = request.query.status !== 'all';
      const rows = await load(principal.schoolId, open ? isNull(syncConflicts.decidedAt) : sql`true`, request.query.limit ?? 200);
      const [count] = await db
        .select({ open: sql<number>`count(*)::int` })
        .from(syncConflicts)
        .where(and(eq(syncConflicts.schoolId, principal.schoolId), isNull(syncConflicts.decidedAt)));
      return { conflicts: rows.map(toConflict), open: count?.open ?? 0 };
    },
  );

  app.post(
    '/api/v1/sync/conflicts/:id/decision',
    {
      schema: {
        tags,
        summary: "Decide a conflict again: keep the document as it is, or apply the desk's values of the conflicting fields",
        params: Type.Object({ id: IdString }),
        body: ConflictDecisionRequest,
        response: { 200: SyncConflict },
      },
    },
    async (request) => {
      const principal = await reviewer(bearerToken(request));
      const [conflict] = await load(principal.schoolId, eq(syncConflicts.id, request.params.id));
      if (!conflict) throw new AppError(404, 'not-found', 'No such conflict in your school. Reload the list.');
      if (conflict.decidedAt) throw new AppError(409, 'conflict', `This conflict was already decided (${conflict.decision === 'desk' ? "the desk's values applied" : 'kept as it was'}). Reload the list.`);
      const collection = findCollection(conflict.collection);
      if (!collection) throw new AppError(404, 'unknown-collection', `This server no longer replicates '${conflict.collection}'.`);
      const decidedAt = new Date().toISOString();
      const markDecided = async (tx: Db): Promise<void> => {
        const updated = await tx
          .update(syncConflicts)
          .set({ decision: request.body.keep, decidedBy: principal.userId, decidedAt })
          .where(and(eq(syncConflicts.id, conflict.id), isNull(syncConflicts.decidedAt)))
          .returning({ id: syncConflicts.id });
        if (updated.length === 0) throw new AppError(409, 'conflict', 'Someone decided this conflict a moment ago. Reload the list.');
        await appendAudit(tx, [
          {
            schoolId: principal.schoolId,
            actorUserId: principal.userId,
            actorRole: principal.role,
            deviceId: principal.deviceId,
            action: 'sync.conflict-decided',
            entityType: conflict.collection,
            entityId: conflict.documentId,
            before: { conflictId: conflict.id, kept: conflict.keptState },
            after: { decision: request.body.keep },
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
          },
        ]);
      };
      if (request.body.keep === 'server') {
        await db.transaction(markDecided);
      } else {
        const [current] = await db
          .select({ data: syncDocuments.data, deleted: syncDocuments.deleted })
          .from(syncDocuments)
          .where(and(eq(syncDocuments.collection, conflict.collection), eq(syncDocuments.id, conflict.documentId), eq(syncDocuments.schoolId, principal.schoolId)));
        if (!current) throw new AppError(404, 'not-found', 'The document of this conflict is no longer on the server.');
        const master = { ...current.data, _deleted: current.deleted };
        let applied: Record<string, unknown> = master;
        for (const field of conflict.fields) applied = withValueAtPointer(applied, field.path, field.desk);
        const next = { ...applied, _deleted: applied._deleted === true, updatedAt: decidedAt };
        const ctx = pushContextOf(principal, collection, request, options.instanceId);
        const result = await pushDocuments(db, ctx, [{ assumedMasterState: master, newDocumentState: next }], (tx) => markDecided(tx));
        await publishPush(options.notifier, principal.schoolId, conflict.collection, result);
      }
      const [decided] = await load(principal.schoolId, eq(syncConflicts.id, conflict.id));
      if (!decided) throw new AppError(404, 'not-found', 'The conflict disappeared while it was decided.');
      return toConflict(decided);
    },
  );

  app.get(
    SYNC_SETTINGS_PATH,
    { schema: { tags, summary: 'What desks download of the ledger', response: { 200: SyncSettings } } },
    async (request): Promise<SyncSettingsShape> => {
      const principal = await authenticateToken(db, tokens, bearerToken(request));
      const [school] = await db.select({ ledgerScope: schools.ledgerScope }).from(schools).where(eq(schools.id, principal.schoolId));
      return { ledgerScope: school?.ledgerScope === 'recent-years' ? 'recent-years' : 'all' };
    },
  );

  app.put(
    SYNC_SETTINGS_PATH,
    {
      schema: {
        tags,
        summary: "Limit desks to the active and previous academic years' ledger, or let them download all; desks download again when it changes",
        body: SyncSettings,
        response: { 200: SyncSettings },
      },
    },
    async (request) => {
      const principal = await authenticateToken(db, tokens, bearerToken(request));
      requireRole(principal, actionPermissions['sync.settings'], 'change what desks download');
      await db.transaction(async (tx) => {
        const [before] = await tx.select({ ledgerScope: schools.ledgerScope }).from(schools).where(eq(schools.id, principal.schoolId)).for('update');
        await tx.update(schools).set({ ledgerScope: request.body.ledgerScope }).where(eq(schools.id, principal.schoolId));
        await appendAudit(tx, [
          {
            schoolId: principal.schoolId,
            actorUserId: principal.userId,
            actorRole: principal.role,
            deviceId: principal.deviceId,
            action: 'sync.settings-changed',
            entityType: 'school',
            entityId: principal.schoolId,
            before: { ledgerScope: before?.ledgerScope ?? 'all' },
            after: request.body,
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
          },
        ]);
      });
      return request.body;
    },
  );
};
