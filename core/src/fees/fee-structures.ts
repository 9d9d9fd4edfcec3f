// What a class pays in a term: fee lines per category and an instalment schedule. Editable
// master data; issuing an invoice copies (freezes) the lines, so later edits never rewrite a bill.
import { Type, type Static } from '@sinclair/typebox';
import { IdString, IsoDate, IsoInstant, PositiveAmount, ShortText } from '../schemas/primitives.ts';

export const FeeStructureSchema = Type.Object(
  {
    id: IdString,
    schoolId: IdString,
    name: ShortText,
    termId: IdString,
    classId: IdString,
    /** Absent: applies to students of any category without a more specific structure. */
    studentCategoryId: Type.Optional(IdString),
    lines: Type.Array(
      Type.Object({ feeCategoryId: IdString, description: ShortText, amount: PositiveAmount }, { additionalProperties: false }),
      { minItems: 1, maxItems: 50 },
    ),
    /** Each line is split across instalments by these weights (largest remainder), due on these dates. */
    instalments: Type.Array(
      Type.Object({ label: ShortText, dueDate: IsoDate, weight: Type.Integer({ minimum: 1, maximum: 10_000 }) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 24 },
    ),
    archived: Type.Optional(Type.Boolean()),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
  },
  { $id: 'feeStructures', additionalProperties: false },
);

export type FeeStructure = Static<typeof FeeStructureSchema>;
