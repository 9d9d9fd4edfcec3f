// The `students` document: one learner enrolled at a school. This TypeBox schema is the single
// source for the TypeScript type, the RxDB collection schema and the server's push validation.
import { Type, type Static } from '@sinclair/typebox';
import { toRxJsonSchema } from './rx-schema.ts';
import { IdString, IsoDate, IsoInstant } from './primitives.ts';

export const studentStatuses = ['active', 'left', 'graduated'] as const;

export const StudentSchema = Type.Object(
  {
    id: IdString,
    schoolId: IdString,
    admissionNumber: Type.String({
      minLength: 1,
      maxLength: 32,
      pattern: '^[A-Za-z0-9][A-Za-z0-9/._-]*$',
      description: 'Unique per school, as printed on the admission register (letters, digits, / . _ -)',
    }),
    firstName: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }),
    lastName: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' }),
    otherNames: Type.Optional(Type.String({ maxLength: 120 })),
    dateOfBirth: Type.Optional(IsoDate),
    /** The class the student sits in; term invoices are issued per class. */
    classId: Type.Optional(IdString),
    /** Day scholar, boarder…: selects a category-specific fee structure. */
    categoryId: Type.Optional(IdString),
    /** First day at school; a student who joins after a term starts is billed pro rata. */
    joinedOn: Type.Optional(IsoDate),
    /** Child of a staff member: the staff-child discount applies. */
    staffChild: Type.Optional(Type.Boolean()),
    status: Type.Union(studentStatuses.map((s) => Type.Literal(s))),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
  },
  { $id: 'students', additionalProperties: false },
);

export type Student = Static<typeof StudentSchema>;
export type StudentStatus = (typeof studentStatuses)[number];

// Version 1 added categoryId, joinedOn and staffChild (all optional; version-0 documents stay valid).
export const STUDENTS_SCHEMA_VERSION = 1;

export const studentsRxSchema = toRxJsonSchema(StudentSchema, {
  version: STUDENTS_SCHEMA_VERSION,
  indexes: ['admissionNumber', ['lastName', 'firstName']],
});
