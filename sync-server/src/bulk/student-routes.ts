// PUT /api/v1/bulk/update-students: one change (class, category or status) to many students at
// once, previewed with `dryRun`, written in one transaction like any upload (audited, sent to
// every desk). Archiving is setting the status to left or graduated.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BulkStudentChangeSchema, IdString, actionPermissions, planBulkStudentChange, replicatedCollections, type ClassDoc, type Student, type StudentCategoryDoc } from '@feemaster/core';
import { authenticateToken, bearerToken, requireRole } from '../auth/authenticate.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import type { Notifier } from '../realtime/notifier.ts';
import { publishPush } from '../sync/publish.ts';
import { pushContextOf, pushDocuments } from '../sync/repository.ts';
import { documentsById, pushRowsOf, schoolDocuments } from './school-documents.ts';

export interface StudentRouteOptions {
  db: Db;
  tokens: TokenService;
  notifier: Notifier;
  instanceId: string;
}

const UpdateStudentsBody = Type.Object(
  {
    studentIds: Type.Array(IdString, { minItems: 1, maxItems: 20_000, uniqueItems: true }),
    changes: BulkStudentChangeSchema,
    dryRun: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const UpdateStudentsResult = Type.Object({
  dryRun: Type.Boolean(),
  written: Type.Boolean(),
  changed: Type.Array(Type.Object({ id: IdString, admissionNumber: Type.String(), name: Type.String() })),
  unchanged: Type.Integer(),
});

export const studentRoutes: FastifyPluginAsyncTypebox<StudentRouteOptions> = async (app, options) => {
  const { db } = options;
  app.put(
    '/api/v1/bulk/update-students',
    {
      schema: {
        tags: ['bulk'],
        summary: 'Change the class, category or status of many students at once (all or nothing); dryRun previews',
        body: UpdateStudentsBody,
        response: { 200: UpdateStudentsResult },
      },
    },
    async (request) => {
      const principal = await authenticateToken(db, options.tokens, bearerToken(request));
      requireRole(principal, actionPermissions['bulk.update'], 'change students in bulk');
      const { studentIds, changes, dryRun = false } = request.body;
      const [students, references] = await Promise.all([
        documentsById<Student>(db, principal.schoolId, 'students', studentIds),
        schoolDocuments<ClassDoc | StudentCategoryDoc>(db, principal.schoolId, 'reference', ['class', 'studentCategory']),
      ]);
      const byId = new Map(students.map((s) => [s.id, s]));
      const unknown = studentIds.filter((id) => !byId.has(id));
      if (unknown.length > 0) {
        throw new AppError(422, 'bad-request', `${String(unknown.length)} of the students chosen are not in this school (first: ${unknown[0] ?? ''}). Nothing was changed; reload the list and choose again.`);
      }
      const plan = planBulkStudentChange(
        studentIds.map((id) => byId.get(id)).filter((s): s is Student => s !== undefined),
        changes,
        {
          classes: references.filter((doc): doc is ClassDoc => doc.kind === 'class'),
          categories: references.filter((doc): doc is StudentCategoryDoc => doc.kind === 'studentCategory'),
          now: new Date().toISOString(),
        },
      );
      if (plan.problems.length > 0) throw new AppError(422, 'bad-request', `${plan.problems.join(' ')} Nothing was changed.`);
      const changed = plan.changes.map(({ after }) => ({ id: after.id, admissionNumber: after.admissionNumber, name: `${after.firstName} ${after.lastName}` }));
      if (dryRun || plan.changes.length === 0) return { dryRun, written: false, changed, unchanged: plan.unchanged.length };
      const result = await pushDocuments(db, pushContextOf(principal, replicatedCollections.students, request, options.instanceId), pushRowsOf([], plan.changes));
      await publishPush(options.notifier, principal.schoolId, 'students', result);
      return { dryRun, written: true, changed, unchanged: plan.unchanged.length };
    },
  );
};
