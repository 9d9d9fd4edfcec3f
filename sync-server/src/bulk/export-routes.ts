// GET /api/v1/bulk/export-{students,payers,invoices,payments,statements}: the school's records as
// CSV (default), XLSX or JSON for scripts and integrations, built by the same core code as the
// desk's export screen and streamed as they are written. `?format=` picks the file; the other
// query parameters are the filters. A filter the server cannot use is answered 400 with what to
// write instead; every export is audited.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { and, eq, sql } from 'drizzle-orm';
import { actionPermissions, addDays, localDate, type LedgerEntry, type Payer, type ReferenceDoc, type Student } from '@feemaster/core';
// Until core's index exports the bulk export modules (then: from '@feemaster/core').
import {
  ExportError,
  exportFileName,
  exportFormats,
  exportMimeTypes,
  exportRows,
  type ExportColumn,
  type ExportFormat,
  type ExportKind,
} from '@feemaster/core';
import {
  checkPaymentFilters,
  exportSheetNames,
  invoiceExportColumns,
  invoiceExportRows,
  payerExportColumns,
  payerExportRows,
  paymentExportColumns,
  paymentExportEntryTypes,
  paymentExportRows,
  statementExportColumns,
  statementExportRows,
  studentExportColumns,
  studentExportRows,
} from '@feemaster/core';
import { appendAudit } from '../audit/audit-log.ts';
import { authenticateToken, bearerToken, requireRole, type Principal } from '../auth/authenticate.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Db } from '../db/client.ts';
import { memberships, schools, syncDocuments, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { schoolDocuments } from './school-documents.ts';

export interface ExportRouteOptions {
  db: Db;
  tokens: TokenService;
}

export const EXPORT_API_PATH = '/api/v1/bulk';

type Query = Record<string, unknown>;

interface School {
  id: string;
  currency: string;
  timezone: string;
}

/** The rows of one export with their columns: what every kind hands to the writer. */
interface Built {
  columns: readonly ExportColumn<object>[];
  rows: readonly object[];
  /** The filters as understood, for the audit trail. */
  filters: Record<string, unknown>;
}

interface ExportRoute {
  summary: string;
  /** Each filter's name and what it means (listed in the OpenAPI document and in errors). */
  filters: Readonly<Record<string, string>>;
  build(db: Db, school: School, query: FilterReader): Promise<Built>;
}

const FORMAT_HELP = 'csv (default), xlsx or json';

/** Reads the query's filters: one text each, or a list given comma-separated or repeated. */
interface FilterReader {
  text(name: string): string | undefined;
  list(name: string): string[] | undefined;
  yesNo(name: string): boolean | undefined;
}

function filterReader(query: Query): FilterReader {
  const values = (name: string): string[] => {
    const value = query[name];
    const given = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return given.map((item) => String(item).trim()).filter((item) => item !== '');
  };
  return {
    text(name) {
      const [first, second] = values(name);
      if (second !== undefined) throw new AppError(400, 'bad-request', `${name} was given more than once: give one ${name}`);
      return first;
    },
    list(name) {
      const items = values(name).flatMap((item) => item.split(',').map((part) => part.trim()).filter(Boolean));
      return items.length === 0 ? undefined : items;
    },
    yesNo(name) {
      const value = this.text(name);
      if (value === undefined) return undefined;
      if (value === 'true' || value === '1' || value === 'yes') return true;
      if (value === 'false' || value === '0' || value === 'no') return false;
      throw new AppError(400, 'bad-request', `${name}=${value} is not understood: write ${name}=true or ${name}=false`);
    },
  };
}

/** Drops filters left out, so the audit trail and the rows see only what was asked. */
function given<T extends Record<string, unknown>>(filters: T): T {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as T;
}

const built = <Row extends object>(columns: readonly ExportColumn<Row>[], rows: readonly Row[], filters: Record<string, unknown>): Built => ({
  // The writers read a row's columns by key; the row type is the columns' own.
  columns: columns as unknown as readonly ExportColumn<object>[],
  rows,
  filters,
});

const references = <T extends ReferenceDoc>(db: Db, schoolId: string, kinds: readonly T['kind'][]): Promise<T[]> => schoolDocuments<T>(db, schoolId, 'reference', kinds);

/** Ledger entries of the given types; payments only around [from, to] when given (a day's margin covers any time zone). */
async function ledgerEntries(db: Db, schoolId: string, types?: readonly string[], paymentsAround?: { from?: string; to?: string }): Promise<LedgerEntry[]> {
  const from = paymentsAround?.from === undefined ? undefined : addDays(paymentsAround.from, -1);
  const until = paymentsAround?.to === undefined ? undefined : addDays(paymentsAround.to, 2);
  const rows = await db
    .select({ data: syncDocuments.data })
    .from(syncDocuments)
    .where(
      and(
        eq(syncDocuments.schoolId, schoolId),
        eq(syncDocuments.collection, 'ledger'),
        eq(syncDocuments.deleted, false),
        types ? sql`${syncDocuments.data}->>'type' = any(${sql.param([...types])}::text[])` : undefined,
        from ? sql`(${syncDocuments.data}->>'type' <> 'payment' or ${syncDocuments.data}->>'createdAt' >= ${from})` : undefined,
        until ? sql`(${syncDocuments.data}->>'type' <> 'payment' or ${syncDocuments.data}->>'createdAt' < ${until})` : undefined,
      ),
    );
  return rows.map((row) => row.data as LedgerEntry);
}

/** Display names of the school's staff, for who took each payment. */
async function staffNames(db: Db, schoolId: string): Promise<Map<string, string>> {
  const rows = await db.select({ id: users.id, name: users.displayName }).from(users).innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.schoolId, schoolId)));
  return new Map(rows.map((row) => [row.id, row.name]));
}

const today = (school: School): string => localDate(new Date().toISOString(), school.timezone);

/** Every export, by kind: its filters, and how its rows are loaded and built. */
const exportRoutes: Readonly<Record<ExportKind, ExportRoute>> = {
  students: {
    summary: 'Export students with their class, category and payers',
    filters: {
      classId: 'Only this class (id)',
      categoryId: 'Only this student category (id)',
      status: 'active, left or graduated',
      search: "As typed in the desk's search box: part of a name, an admission number or a payer's phone",
    },
    async build(db, school, query) {
      const filters = given({ classId: query.text('classId'), categoryId: query.text('categoryId'), status: query.text('status'), search: query.text('search') });
      const [students, payers, reference] = await Promise.all([
        schoolDocuments<Student>(db, school.id, 'students'),
        schoolDocuments<Payer>(db, school.id, 'payers'),
        references(db, school.id, ['class', 'studentCategory']),
      ]);
      return built(studentExportColumns, studentExportRows({ students, payers, reference }, filters), filters);
    },
  },
  payers: {
    summary: 'Export payers with their contacts, students, what they still owe and their credit',
    filters: { kind: 'guardian, family or sponsor', search: 'Part of a name or a phone number', includeArchived: 'true to list archived payers too' },
    async build(db, school, query) {
      const filters = given({ kind: query.text('kind'), search: query.text('search'), includeArchived: query.yesNo('includeArchived') });
      const [students, payers, ledger] = await Promise.all([schoolDocuments<Student>(db, school.id, 'students'), schoolDocuments<Payer>(db, school.id, 'payers'), ledgerEntries(db, school.id)]);
      return built(payerExportColumns, payerExportRows({ students, payers, ledger }, filters, { timeZone: school.timezone }), filters);
    },
  },
  invoices: {
    summary: 'Export invoice lines with what was paid and is still owed on each',
    filters: { termId: 'Only this term (id)', classId: 'Only invoices of this class (id)', from: 'Issued on or after (YYYY-MM-DD)', to: 'Issued on or before (YYYY-MM-DD)' },
    async build(db, school, query) {
      const filters = given({ termId: query.text('termId'), classId: query.text('classId'), from: query.text('from'), to: query.text('to') });
      const [students, payers, reference, ledger] = await Promise.all([
        schoolDocuments<Student>(db, school.id, 'students'),
        schoolDocuments<Payer>(db, school.id, 'payers'),
        references(db, school.id, ['class', 'term', 'feeCategory']),
        ledgerEntries(db, school.id),
      ]);
      return built(invoiceExportColumns, invoiceExportRows({ students, payers, reference, ledger }, filters, { timeZone: school.timezone }), filters);
    },
  },
  payments: {
    summary: 'Export payments with payer, students, method, desk and status, oldest first',
    filters: {
      from: "First day, in the school's time zone (YYYY-MM-DD)",
      to: 'Last day, inclusive (YYYY-MM-DD)',
      method: 'cash, cheque, bankTransfer, mobileMoney, card or paypal; several comma-separated',
      officeId: 'Only payments taken at this office (id)',
      deviceId: 'Only payments taken at this desk (id)',
      payerId: 'Only this payer’s payments (id)',
      includeVoided: 'true to list voided, refunded and returned-cheque payments too, marked in Status',
    },
    async build(db, school, query) {
      const filters = given({
        from: query.text('from'),
        to: query.text('to'),
        methods: query.list('method'),
        officeId: query.text('officeId'),
        deviceId: query.text('deviceId'),
        payerId: query.text('payerId'),
        includeVoided: query.yesNo('includeVoided'),
      });
      // Checked before the dates narrow the query.
      checkPaymentFilters(filters);
      const [students, payers, reference, ledger, names] = await Promise.all([
        schoolDocuments<Student>(db, school.id, 'students'),
        schoolDocuments<Payer>(db, school.id, 'payers'),
        references(db, school.id, ['office', 'device']),
        ledgerEntries(db, school.id, paymentExportEntryTypes, filters),
        staffNames(db, school.id),
      ]);
      return built(paymentExportColumns, paymentExportRows({ students, payers, reference, ledger, staffNames: names }, filters, { timeZone: school.timezone }), filters);
    },
  },
  statements: {
    summary: "Export payers' statements: dated lines with debit, credit and running balance",
    filters: {
      asOf: "The statement date (YYYY-MM-DD); today in the school's time zone by default",
      from: 'Earlier lines are summed into an opening balance on this day (YYYY-MM-DD)',
      payerId: 'Only these payers (ids, comma-separated); every current payer by default',
    },
    async build(db, school, query) {
      const payerIds = query.list('payerId');
      const filters = given({ asOf: query.text('asOf') ?? today(school), from: query.text('from'), payerIds });
      const [payers, ledger] = await Promise.all([schoolDocuments<Payer>(db, school.id, 'payers'), ledgerEntries(db, school.id)]);
      return built(statementExportColumns, statementExportRows({ payers, ledger }, filters, { timeZone: school.timezone }), filters);
    },
  },
};

function querySchema(route: ExportRoute): TSchema {
  const properties: Record<string, TSchema> = { format: Type.Optional(Type.String({ description: FORMAT_HELP })) };
  for (const [name, description] of Object.entries(route.filters)) {
    // A list may be repeated (?method=cash&method=cheque) as well as comma-separated.
    properties[name] = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description }));
  }
  return Type.Object(properties);
}

function formatOf(query: FilterReader): ExportFormat {
  const format = query.text('format') ?? 'csv';
  const known = exportFormats.find((f) => f === format.toLowerCase());
  if (!known) throw new AppError(400, 'bad-request', `format '${format}' is not one of ${exportFormats.join(', ')}: write format=xlsx for Excel, format=csv or format=json`);
  return known;
}

function refuseUnknownFilters(kind: ExportKind, route: ExportRoute, query: Query): void {
  const known = ['format', ...Object.keys(route.filters)];
  const unknown = Object.keys(query).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new AppError(400, 'bad-request', `export-${kind} has no filter ${unknown.map((name) => `'${name}'`).join(', ')}: its query parameters are ${known.join(', ')}`);
  }
}

export const bulkExportRoutes: FastifyPluginAsyncTypebox<ExportRouteOptions> = async (app, { db, tokens }) => {
  const exporter = async (request: FastifyRequest): Promise<Principal> => {
    const principal = await authenticateToken(db, tokens, bearerToken(request));
    requireRole(principal, actionPermissions['bulk.export'], "export the school's records");
    return principal;
  };

  for (const kind of Object.keys(exportRoutes) as ExportKind[]) {
    const route = exportRoutes[kind];
    app.get(
      `${EXPORT_API_PATH}/export-${kind}`,
      // No HEAD twin: it would build and audit an export that is never sent.
      { exposeHeadRoute: false, schema: { tags: ['bulk'], summary: `${route.summary} (${FORMAT_HELP}); the export is audited`, querystring: querySchema(route) } },
      async (request, reply) => {
        const principal = await exporter(request);
        const query = request.query as Query;
        refuseUnknownFilters(kind, route, query);
        const reader = filterReader(query);
        const format = formatOf(reader);
        const [school] = await db.select({ id: schools.id, currency: schools.currency, timezone: schools.timezone }).from(schools).where(eq(schools.id, principal.schoolId));
        if (!school) throw new AppError(404, 'not-found', 'Your school is not on this server any more. Sign in again.');
        let selected: Built;
        try {
          selected = await route.build(db, school, reader);
        } catch (error) {
          if (error instanceof ExportError && error.code === 'bad-option') throw new AppError(400, 'bad-request', error.message);
          throw error;
        }
        await db.transaction((tx) =>
          appendAudit(tx, [
            {
              schoolId: principal.schoolId,
              actorUserId: principal.userId,
              actorRole: principal.role,
              deviceId: principal.deviceId,
              action: 'bulk.export',
              entityType: kind,
              after: { format, filters: selected.filters, rows: selected.rows.length },
              ip: request.ip,
              userAgent: request.headers['user-agent'] ?? null,
              offlineSessionId: principal.offlineSessionId,
            },
          ]),
        );
        return sendExport(reply, exportFileName(kind, format, today(school)), format, exportRows(format, selected.columns, selected.rows, { currency: school.currency, timeZone: school.timezone, sheetName: exportSheetNames[kind] }));
      },
    );
  }
};

function sendExport(reply: FastifyReply, fileName: string, format: ExportFormat, chunks: AsyncGenerator<Uint8Array>): FastifyReply {
  reply.header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'no-store').type(exportMimeTypes[format]);
  return reply.send(Readable.from(chunks, { objectMode: false }));
}
