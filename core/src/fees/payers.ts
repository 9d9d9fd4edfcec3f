// Payer accounts: the guardians, families and sponsors who pay. A payment belongs to a payer
// and can be spread over all the students the payer pays for; a student may have several
// payers with shares, and a sponsor may pay only chosen fee categories.
import { Type, type Static } from '@sinclair/typebox';
import { BasisPoints, IdString, IsoInstant, ShortText } from '../schemas/primitives.ts';

export const payerKinds = ['guardian', 'family', 'sponsor'] as const;
export const contactChannels = ['sms', 'whatsapp', 'email', 'none'] as const;

export const PayerSchema = Type.Object(
  {
    id: IdString,
    schoolId: IdString,
    kind: Type.Union(payerKinds.map((k) => Type.Literal(k))),
    name: ShortText,
    contacts: Type.Array(
      Type.Object(
        {
          type: Type.Union([Type.Literal('phone'), Type.Literal('email'), Type.Literal('whatsapp')]),
          value: Type.String({ minLength: 3, maxLength: 254 }),
          label: Type.Optional(Type.String({ maxLength: 60 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10 },
    ),
    preferredChannel: Type.Union(contactChannels.map((c) => Type.Literal(c))),
    students: Type.Array(
      Type.Object(
        {
          studentId: IdString,
          /** This payer's share of the student's fees; 10 000 = all of it. */
          share: BasisPoints,
          /** A sponsor may pay only these fee categories; absent = all. */
          feeCategoryIds: Type.Optional(Type.Array(IdString, { maxItems: 50 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 30 },
    ),
    archived: Type.Optional(Type.Boolean()),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
  },
  { $id: 'payers', additionalProperties: false },
);

export type Payer = Static<typeof PayerSchema>;
