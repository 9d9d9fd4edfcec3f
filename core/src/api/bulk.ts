// The bulk API's answers (the desk's import screen shows the same shapes): an import's preview or
// result with every row's problem, and a bulk update of students.
import { Type, type Static } from '@sinclair/typebox';
import { IdString, IsoDate } from '../schemas/primitives.ts';

export const RowErrorSchema = Type.Object({
  row: Type.Integer({ description: 'The spreadsheet row, as Excel shows it' }),
  column: Type.Optional(Type.String({ description: 'Column letter and header, e.g. C "Date of birth"' })),
  problem: Type.String(),
  fix: Type.String(),
});

/**
 * Counts for the preview. Students: create, update, unchanged, duplicate (rows repeated exactly,
 * imported once), payersCreated, payersUpdated. Fee structures: create, update, unchanged, lines.
 */
export const ImportSummarySchema = Type.Record(Type.String(), Type.Integer());

export const ImportResultSchema = Type.Object({
  dryRun: Type.Boolean(),
  /** True only when everything was written; an import with any bad row writes nothing. */
  written: Type.Boolean(),
  sheet: Type.String(),
  headerRow: Type.Integer(),
  /** Which file column fed each field (letter and header), for the person to check the mapping. */
  columns: Type.Record(Type.String(), Type.String()),
  summary: ImportSummarySchema,
  errors: Type.Array(RowErrorSchema),
});
export type ImportResult = Static<typeof ImportResultSchema>;

export const ImportQuerySchema = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false })),
  /** How to read 03/04/2015; day first unless told. */
  dateOrder: Type.Optional(Type.Union([Type.Literal('dmy'), Type.Literal('mdy')])),
  /** ISO 3166 country for phone numbers written without a country code; the school's currency's country unless told. */
  country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  /** The sheet of a workbook to read; the first unless told. */
  sheet: Type.Optional(Type.String({ maxLength: 100 })),
  /** Opening balances: the term they are booked in, and the day the old books closed. */
  termId: Type.Optional(IdString),
  asOf: Type.Optional(IsoDate),
});
export type ImportQuery = Static<typeof ImportQuerySchema>;

export const BulkStudentChangeSchema = Type.Object(
  {
    classId: Type.Optional(IdString),
    categoryId: Type.Optional(IdString),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('left'), Type.Literal('graduated')])),
  },
  { additionalProperties: false },
);
