// The registry of replicated collections: name, schema version and schema. Server routes and
// the renderer's replication both read it, so adding a collection is one entry here.
import type { TObject } from '@sinclair/typebox';
import type { DerivedRxJsonSchema } from '../schemas/rx-schema.ts';
import { STUDENTS_SCHEMA_VERSION, StudentSchema, studentsRxSchema } from '../schemas/students.ts';

export interface ReplicatedCollection {
  name: string;
  schemaVersion: number;
  schema: TObject;
  rxSchema: DerivedRxJsonSchema;
  /** What a user calls one document, for messages ("Student … was refused"). */
  label: string;
}

export const replicatedCollections = {
  students: {
    name: 'students',
    schemaVersion: STUDENTS_SCHEMA_VERSION,
    schema: StudentSchema,
    rxSchema: studentsRxSchema,
    label: 'Student',
  },
} as const satisfies Record<string, ReplicatedCollection>;

export type CollectionName = keyof typeof replicatedCollections;

export function findCollection(name: string): ReplicatedCollection | undefined {
  return Object.hasOwn(replicatedCollections, name)
    ? replicatedCollections[name as CollectionName]
    : undefined;
}
