// The audit trail over HTTP for owners, admins and auditors: search, summaries, export and a
// chain check. Every route answers from the caller's own school only.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AUDIT_API_PATH,
  AuditExportQuery,
  AuditLogsPage,
  AuditLogsQuery,
  AuditPeriodQuery,
  AuditSystemSummary,
  AuditUserSummary,
  AuditVerifyReport,
  IdString,
  actionPermissions,
  type Role,
} from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { authenticateToken, bearerToken, requireRole, type Principal } from '../auth/authenticate.ts';
import type { TokenService } from '../auth/tokens.ts';
import { appendAudit, chainOf } from './audit-log.ts';
import { UTF8_BOM, csvHeader, csvRow } from './csv.ts';
import { auditEntryPages, listAuditEntries, resolvePeriod, schoolActivitySummary, userActivitySummary, type AuditEntry as AuditEntryRow, type AuditFilters } from './queries.ts';
import { verifyAuditChains } from './verify.ts';

export interface AuditRoutesOptions {
  db: Db;
  tokens: TokenService;
}

/** From the core permission table: the auditor only reads; bursars and cashiers are the audited. */
export const AUDIT_READERS: readonly Role[] = actionPermissions['audit.read'];

const DEFAULT_SUMMARY_DAYS = 30;

export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (app, { db, tokens }) => {
  const reader = async (request: FastifyRequest): Promise<Principal> => {
    const principal = await authenticateToken(db, tokens, bearerToken(request));
    if (!AUDIT_READERS.includes(principal.role)) {
      throw new AppError(
        403,
        'forbidden',
        `The audit trail is open to the school's ${AUDIT_READERS.join(', ')} accounts; your ${principal.role} account cannot read it. Ask your school owner or an admin.`,
      );
    }
    requireRole(principal, AUDIT_READERS, 'read the audit trail');
    return principal;
  };
  const filtersOf = async (schoolId: string, query: Omit<AuditFilters, 'from' | 'toExclusive'> & { from?: string; to?: string }) => {
    const { from, to, ...match } = query;
    const period = await resolvePeriod(db, schoolId, { from, to });
    const filters: AuditFilters = { ...match, from: period.from, toExclusive: period.toExclusive };
    return { filters, timezone: period.timezone };
  };
  const tags = ['audit'];

  app.get(
    `${AUDIT_API_PATH}/logs`,
    { schema: { tags, summary: 'Search the audit trail, newest first', querystring: AuditLogsQuery, response: { 200: AuditLogsPage } } },
    async (request) => {
      const principal = await reader(request);
      const { limit, cursor, ...query } = request.query;
      const { filters } = await filtersOf(principal.schoolId, query);
      return listAuditEntries(db, principal.schoolId, filters, { limit: limit ?? 100, beforeSeq: cursor === undefined ? undefined : Number(cursor) });
    },
  );

  app.get(
    `${AUDIT_API_PATH}/user-summary/:userId`,
    {
      schema: {
        tags,
        summary: "One user's activity: counts by action, first and last activity",
        params: Type.Object({ userId: IdString }),
        querystring: AuditPeriodQuery,
        response: { 200: AuditUserSummary },
      },
    },
    async (request) => {
      const principal = await reader(request);
      const { filters } = await filtersOf(principal.schoolId, request.query);
      return userActivitySummary(db, principal.schoolId, request.params.userId, filters);
    },
  );

  app.get(
    `${AUDIT_API_PATH}/system-summary`,
    {
      schema: {
        tags,
        summary: `The school's activity by action and by day (default: the last ${DEFAULT_SUMMARY_DAYS} days) and failed sign-ins`,
        querystring: AuditPeriodQuery,
        response: { 200: AuditSystemSummary },
      },
    },
    async (request) => {
      const principal = await reader(request);
      const from = request.query.from ?? new Date(Date.now() - DEFAULT_SUMMARY_DAYS * 86_400_000).toISOString();
      const { filters, timezone } = await filtersOf(principal.schoolId, { ...request.query, from });
      const summary = await schoolActivitySummary(db, principal.schoolId, timezone, filters);
      return { from: filters.from ?? null, to: filters.toExclusive ?? null, timezone, ...summary };
    },
  );

  app.get(
    `${AUDIT_API_PATH}/export`,
    { schema: { tags, summary: 'Download the (filtered) audit trail as CSV or JSON, oldest first; the export is itself audited', querystring: AuditExportQuery } },
    async (request, reply) => {
      const principal = await reader(request);
      const { format = 'csv', ...query } = request.query;
      const { filters } = await filtersOf(principal.schoolId, query);
      await db.transaction((tx) =>
        appendAudit(tx, [
          {
            schoolId: principal.schoolId,
            actorUserId: principal.userId,
            actorRole: principal.role,
            action: 'audit.export',
            entityType: 'audit_log',
            after: { format, filters: query },
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
          },
        ]),
      );
      const pages = auditEntryPages(db, principal.schoolId, filters);
      const stamp = new Date().toISOString().slice(0, 10);
      reply.header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`).header('cache-control', 'no-store');
      if (format === 'csv') {
        reply.type('text/csv; charset=utf-8');
        return reply.send(Readable.from(csvChunks(pages)));
      }
      reply.type('application/json; charset=utf-8');
      return reply.send(Readable.from(jsonChunks(pages, { schoolId: principal.schoolId, exportedAt: new Date().toISOString(), filters: query })));
    },
  );

  app.get(
    `${AUDIT_API_PATH}/verify`,
    { schema: { tags, summary: "Recompute the school's audit chain and report the first tampered entry", response: { 200: AuditVerifyReport } } },
    async (request) => {
      const principal = await reader(request);
      const [report] = await verifyAuditChains(db, { chain: chainOf(principal.schoolId) });
      if (!report) throw new Error('verification returned no report for the school chain');
      const { chain: _chain, ...rest } = report;
      return rest;
    },
  );
};

async function* csvChunks(pages: AsyncIterable<AuditEntryRow[]>): AsyncGenerator<string> {
  yield UTF8_BOM + csvHeader();
  for await (const page of pages) yield page.map(csvRow).join('');
}

async function* jsonChunks(pages: AsyncIterable<AuditEntryRow[]>, meta: Record<string, unknown>): AsyncGenerator<string> {
  const head = JSON.stringify({ ...meta, entries: [] });
  // Stream the entries array in place of the empty one, so a large export never sits in memory.
  yield head.slice(0, -2);
  let first = true;
  for await (const page of pages) {
    for (const entry of page) {
      yield (first ? '' : ',') + JSON.stringify(entry);
      first = false;
    }
  }
  yield ']}';
}
