// The registry of replicated collections: name, schema version, RxDB schema and validator.
// Server routes and the renderer's replication both read it, so adding a collection is one
// entry here. RxDB's free tier opens at most 13 collections: keep this list at 12 or fewer.
import type { DerivedRxJsonSchema } from '../schemas/rx-schema.ts';
import { toRxJsonSchema, toRxJsonSchemaFromVariants } from '../schemas/rx-schema.ts';
import { STUDENTS_SCHEMA_VERSION, StudentSchema, studentsRxSchema } from '../schemas/students.ts';
import { validateAgainst, validateDiscriminated, type ValidationProblem } from '../validation.ts';
import { schemaChecks, variantChecks } from '../schemas/checks.ts';
import { FeeStructureSchema } from '../fees/fee-structures.ts';
import { LEDGER_SCHEMA_VERSION, ledgerEntryTypes } from '../fees/ledger.ts';
import { PayerSchema } from '../fees/payers.ts';
import { REFERENCE_SCHEMA_VERSION, referenceKinds } from '../fees/reference.ts';
import { withLogoProblems } from '../fees/school-logo.ts';

export interface ReplicatedCollection {
  name: string;
  schemaVersion: number;
  rxSchema: DerivedRxJsonSchema;
  /** Problems with one document's shape; [] when valid. */
  validate(doc: unknown): ValidationProblem[];
  /** Immutable documents (the ledger) may be created once and never changed. */
  immutable: boolean;
  /** What a user calls one document, for messages ("Student … was refused"). */
  label: string;
}

const referenceChecks = variantChecks('reference');
const ledgerChecks = variantChecks('ledger');

export const replicatedCollections = {
  students: {
    name: 'students',
    schemaVersion: STUDENTS_SCHEMA_VERSION,
    rxSchema: studentsRxSchema,
    validate: (doc) => validateAgainst(StudentSchema, doc, schemaChecks.students),
    immutable: false,
    label: 'Student',
  },
  payers: {
    name: 'payers',
    schemaVersion: 0,
    rxSchema: toRxJsonSchema(PayerSchema, { version: 0, indexes: ['name'] }),
    validate: (doc) => validateAgainst(PayerSchema, doc, schemaChecks.payers),
    immutable: false,
    label: 'Payer',
  },
  reference: {
    name: 'reference',
    schemaVersion: REFERENCE_SCHEMA_VERSION,
    rxSchema: toRxJsonSchemaFromVariants('reference', Object.values(referenceKinds), { version: REFERENCE_SCHEMA_VERSION, indexes: ['kind'] }),
    validate: (doc) => withLogoProblems(doc, validateDiscriminated(referenceKinds, 'kind', doc, referenceChecks)),
    immutable: false,
    label: 'Setting',
  },
  feeStructures: {
    name: 'feeStructures',
    schemaVersion: 0,
    rxSchema: toRxJsonSchema(FeeStructureSchema, { version: 0, indexes: ['termId'] }),
    validate: (doc) => validateAgainst(FeeStructureSchema, doc, schemaChecks.feeStructures),
    immutable: false,
    label: 'Fee structure',
  },
  ledger: {
    name: 'ledger',
    schemaVersion: LEDGER_SCHEMA_VERSION,
    rxSchema: toRxJsonSchemaFromVariants('ledger', Object.values(ledgerEntryTypes), { version: LEDGER_SCHEMA_VERSION, indexes: ['type', 'createdAt'] }),
    validate: (doc) => validateDiscriminated(ledgerEntryTypes, 'type', doc, ledgerChecks),
    immutable: true,
    label: 'Ledger entry',
  },
} as const satisfies Record<string, ReplicatedCollection>;

export type CollectionName = keyof typeof replicatedCollections;

export function findCollection(name: string): ReplicatedCollection | undefined {
  return Object.hasOwn(replicatedCollections, name) ? replicatedCollections[name as CollectionName] : undefined;
}

/** What a person calls a document, from the fields people know it by, else its id: "Student Amani Otieno (ADM-104)". */
export function describeDocument(collection: ReplicatedCollection, doc: object): string {
  const fields = new Map(Object.entries(doc));
  const text = (key: string): string => {
    const value: unknown = fields.get(key);
    return typeof value === 'string' ? value : '';
  };
  const person = [text('firstName'), text('lastName')].filter(Boolean).join(' ') || text('name');
  const number = text('admissionNumber') || text('receiptNumber');
  const name = person && number ? `${person} (${number})` : person || number || text('id');
  return `${collection.label} ${name}`;
}
