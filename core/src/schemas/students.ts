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
    // The class a student sits in; classes arrive with the fee domain, so this is optional for now.
    classId: Type.Optional(IdString),
    status: Type.Union(studentStatuses.map((s) => Type.Literal(s))),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
  },
  { $id: 'students', additionalProperties: false },
);

export type Student = Static<typeof StudentSchema>;
export type StudentStatus = (typeof studentStatuses)[number];

export const STUDENTS_SCHEMA_VERSION = 0;

export const studentsRxSchema = toRxJsonSchema(StudentSchema, {
  version: STUDENTS_SCHEMA_VERSION,
  indexes: ['admissionNumber', ['lastName', 'firstName']],
});
