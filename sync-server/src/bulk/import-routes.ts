// POST /api/v1/bulk/import-students and /import-fees: a spreadsheet (multipart field `file`) of
// students with their guardians, or of fee structures, read and checked by the same core code as
// the desk's import screen. Any bad row and nothing is written: the answer lists every row's
// problem as the spreadsheet names it. A good file is written in one transaction (students and
// their families together), audited and sent to every desk like any upload; `?dryRun=true` only
// checks.
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ImportFileError,
  MAX_IMPORT_FILE_BYTES,
  ImportQuerySchema,
  ImportResultSchema,
  actionPermissions,
  countryOfCurrency,
  describeColumn,
  newId,
  planStudentImport,
  readTable,
  replicatedCollections,
  type ClassDoc,
  type CountryCode,
  type ImportResult,
  type Payer,
  type Student,
  type StudentCategoryDoc,
  type StudentImportPlan,
  planFeeImport,
  planBalanceImport,
  openingBalanceInvoiceId,
  type InvoiceDoc,
  type FeeCategoryDoc,
  type FeeStructure,
  type ImportQuery,
  type ReferenceDoc,
  type RowError,
  type SheetTable,
  type TermDoc,
} from '@feemaster/core';
import { eq } from 'drizzle-orm';
import { authenticateToken, bearerToken, requireRole, type Principal } from '../auth/authenticate.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Db } from '../db/client.ts';
import { schools } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Notifier } from '../realtime/notifier.ts';
import { publishPush } from '../sync/publish.ts';
import { pushContextOf, pushDocuments, type PushResult } from '../sync/repository.ts';
import { documentsById, pushRowsOf, schoolDocuments } from './school-documents.ts';

export interface ImportRouteOptions {
  db: Db;
  tokens: TokenService;
  notifier: Notifier;
  instanceId: string;
}


export const importRoutes: FastifyPluginAsyncTypebox<ImportRouteOptions> = async (app, options) => {
  const { db } = options;
  await app.register(multipart, { limits: { fileSize: MAX_IMPORT_FILE_BYTES, files: 1, fields: 10 } });

  /** Reads the uploaded file, plans it with `plan`, answers with every problem or writes it with `write`. */
  const importRoute = <P extends ImportPlanShape>(path: string, summary: string, what: string, plan: (input: PlanInput) => Promise<P>, write: (principal: Principal, request: Parameters<typeof pushContextOf>[2], plan: P) => Promise<void>): void => {
    app.post(
      path,
      {
        schema: {
          tags: ['bulk'],
          summary,
          querystring: ImportQuerySchema,
          // 422 carries the ImportResult with every row's problem; other refusals the usual error body.
          response: { 200: ImportResultSchema, '4xx': Type.Unknown() },
        },
      },
      async (request, reply) => {
        const principal = await authenticateToken(db, options.tokens, bearerToken(request));
        requireRole(principal, actionPermissions['bulk.import'], what);
        const upload = await uploadedFile(request);
        const [school] = await db.select({ currency: schools.currency }).from(schools).where(eq(schools.id, principal.schoolId));
        let planned: P;
        try {
          const table = await readTable(upload.bytes, upload.name, request.query.sheet ? { sheet: request.query.sheet } : undefined);
          planned = await plan({ table, principal, query: request.query, currency: school?.currency ?? '' });
        } catch (error) {
          if (error instanceof ImportFileError) throw new AppError(422, 'bad-request', `${error.message} ${error.fix}`);
          throw error;
        }
        const result = resultOf(planned, request.query.dryRun === true);
        if (planned.errors.length > 0) return reply.code(422).send(result);
        if (request.query.dryRun === true) return result;
        await write(principal, request, planned);
        return { ...result, written: true };
      },
    );
  };

  importRoute(
    '/api/v1/bulk/import-students',
    'Import students with their guardians from XLSX or CSV (multipart field "file"); all or nothing, upsert by admission number',
    'import students',
    async ({ table, principal, query, currency }) => {
      const country = (query.country?.toUpperCase() as CountryCode | undefined) ?? countryOfCurrency(currency);
      if (!country) {
        throw new AppError(400, 'bad-request', `The school's currency (${currency || 'unknown'}) does not tell which country its phone numbers are from. Add ?country=XX (the two-letter ISO code, e.g. KE) to the request.`);
      }
      const [students, payers, references] = await Promise.all([
        schoolDocuments<Student>(db, principal.schoolId, 'students'),
        schoolDocuments<Payer>(db, principal.schoolId, 'payers'),
        schoolDocuments<ClassDoc | StudentCategoryDoc>(db, principal.schoolId, 'reference', ['class', 'studentCategory']),
      ]);
      return planStudentImport(table, {
        schoolId: principal.schoolId,
        defaultCountry: country,
        dateOrder: query.dateOrder ?? 'dmy',
        students,
        payers,
        classes: references.filter((doc): doc is ClassDoc => doc.kind === 'class'),
        categories: references.filter((doc): doc is StudentCategoryDoc => doc.kind === 'studentCategory'),
        now: new Date().toISOString(),
        newId,
      });
    },
    (principal, request, plan) => writeStudents(options, principal, request, plan),
  );

  importRoute(
    '/api/v1/bulk/import-fees',
    'Import fee structures from XLSX or CSV (multipart field "file"): one row per fee line of a term, class and student category; all or nothing',
    'import fee structures',
    async ({ table, principal, query, currency }) => {
      const [structures, references] = await Promise.all([
        schoolDocuments<FeeStructure>(db, principal.schoolId, 'feeStructures'),
        schoolDocuments<ReferenceDoc>(db, principal.schoolId, 'reference', ['term', 'class', 'studentCategory', 'feeCategory']),
      ]);
      return planFeeImport(table, {
        schoolId: principal.schoolId,
        currency,
        dateOrder: query.dateOrder ?? 'dmy',
        terms: references.filter((doc): doc is TermDoc => doc.kind === 'term'),
        classes: references.filter((doc): doc is ClassDoc => doc.kind === 'class'),
        studentCategories: references.filter((doc): doc is StudentCategoryDoc => doc.kind === 'studentCategory'),
        feeCategories: references.filter((doc): doc is FeeCategoryDoc => doc.kind === 'feeCategory'),
        structures,
        now: new Date().toISOString(),
        newId,
      });
    },
    async (principal, request, plan) => {
      const result = await pushDocuments(db, pushContextOf(principal, replicatedCollections.feeStructures, request, options.instanceId), pushRowsOf(plan.structures.create, plan.structures.update));
      await publishPush(options.notifier, principal.schoolId, 'feeStructures', result);
    },
  );

  importRoute(
    '/api/v1/bulk/import-balances',
    'Import opening balances (admission number, balance owed) as one "balance brought forward" bill per student; ?termId= and ?asOf= say where they are booked',
    'import opening balances',
    async ({ table, principal, query, currency }) => {
      if (!query.termId || !query.asOf) {
        throw new AppError(400, 'bad-request', 'Say which term the balances are booked in and the day the old books closed: add ?termId=… (a term set up for the school) and ?asOf=YYYY-MM-DD.');
      }
      const [term] = await schoolDocuments<TermDoc>(db, principal.schoolId, 'reference', ['term']).then((terms) => terms.filter((t) => t.id === query.termId));
      if (!term) throw new AppError(400, 'bad-request', `There is no term ${query.termId} in this school: choose one of the terms set up under Setup.`);
      const [students, payers] = await Promise.all([schoolDocuments<Student>(db, principal.schoolId, 'students'), schoolDocuments<Payer>(db, principal.schoolId, 'payers')]);
      const existing = await documentsById<InvoiceDoc>(db, principal.schoolId, 'ledger', students.map((s) => openingBalanceInvoiceId(s.id)));
      return planBalanceImport(table, {
        schoolId: principal.schoolId,
        currency,
        term,
        asOf: query.asOf,
        students,
        payers,
        existing: new Map(existing.map((inv) => [inv.id, inv])),
        createdBy: principal.userId,
        ...(principal.deviceId ? { deviceId: principal.deviceId } : {}),
        now: new Date().toISOString(),
      });
    },
    async (principal, request, plan) => {
      const result = await pushDocuments(db, pushContextOf(principal, replicatedCollections.ledger, request, options.instanceId), pushRowsOf(plan.invoices, []));
      await publishPush(options.notifier, principal.schoolId, 'ledger', result);
    },
  );
};

/** What every import plan has, whatever it imports. */
interface ImportPlanShape {
  sheetName: string;
  headerRow: number;
  headers: string[];
  mapping: Partial<Record<string, number>>;
  errors: RowError[];
  summary: Record<string, number>;
}

interface PlanInput {
  table: SheetTable;
  principal: Principal;
  query: ImportQuery;
  currency: string;
}

type UploadRequest = Parameters<typeof bearerToken>[0] & { file: (options?: object) => Promise<{ toBuffer(): Promise<Buffer>; filename: string; fieldname: string } | undefined> };

/** The uploaded spreadsheet's bytes and the name it was sent under. */
async function uploadedFile(request: Parameters<typeof bearerToken>[0]): Promise<{ bytes: Uint8Array; name: string }> {
  if (!request.isMultipart()) throw new AppError(400, 'bad-request', 'Send the spreadsheet as multipart/form-data, in a field named "file".');
  const part = await (request as UploadRequest).file();
  if (part?.fieldname !== 'file') throw new AppError(400, 'bad-request', 'Send the spreadsheet in a multipart field named "file".');
  let buffer: Buffer;
  try {
    buffer = await part.toBuffer();
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(413, 'bad-request', `The file is larger than ${String(MAX_IMPORT_FILE_BYTES / 1024 / 1024)} MB. Split it into several files and import them one after another.`);
    }
    throw error;
  }
  return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), name: part.filename };
}


function resultOf(plan: ImportPlanShape, dryRun: boolean): ImportResult {
  const columns: Record<string, string> = {};
  for (const [key, index] of Object.entries(plan.mapping)) {
    if (index !== undefined) columns[key] = describeColumn(index, plan.headers[index] ?? '');
  }
  return { dryRun, written: false, sheet: plan.sheetName, headerRow: plan.headerRow, columns, summary: plan.summary, errors: plan.errors };
}

/** Students and their families in one transaction: both are written or neither. */
async function writeStudents(options: ImportRouteOptions, principal: Principal, request: Parameters<typeof pushContextOf>[2], plan: StudentImportPlan): Promise<void> {
  const studentRows = pushRowsOf(plan.students.create, plan.students.update);
  const payerRows = pushRowsOf(plan.payers.create, plan.payers.update);
  const studentsCtx = pushContextOf(principal, replicatedCollections.students, request, options.instanceId);
  const payersCtx = pushContextOf(principal, replicatedCollections.payers, request, options.instanceId);
  if (studentRows.length === 0) {
    // Nothing new about the students themselves: only their families change (a guardian's e-mail added).
    if (payerRows.length > 0) await publishPush(options.notifier, principal.schoolId, 'payers', await pushDocuments(options.db, payersCtx, payerRows));
    return;
  }
  let payersResult: PushResult | null = null;
  const studentsResult = await pushDocuments(options.db, studentsCtx, studentRows, async (tx) => {
    if (payerRows.length > 0) payersResult = await pushDocuments(tx, payersCtx, payerRows);
  });
  await publishPush(options.notifier, principal.schoolId, 'students', studentsResult);
  if (payersResult) await publishPush(options.notifier, principal.schoolId, 'payers', payersResult);
}
