// Small reference data of a school, one collection grouped by `kind` (RxDB's free tier allows
// 13 collections): settings, offices, devices, academic years, terms, classes, fee and
// student categories, discount rules and late-fee rules. All mutable master data.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { SchoolLogo } from './school-logo.ts';
import { Amount, BasisPoints, CurrencyCode, IdString, IsoDate, IsoInstant, PositiveAmount, ShortText } from '../schemas/primitives.ts';

const Code = Type.String({ minLength: 1, maxLength: 12, pattern: '^[A-Z0-9]+$', description: 'Upper-case letters and digits' });

const envelope = <K extends string, D extends TSchema>(kind: K, data: D) =>
  Type.Object(
    {
      id: IdString,
      schoolId: IdString,
      kind: Type.Literal(kind),
      name: ShortText,
      archived: Type.Optional(Type.Boolean()),
      data,
      createdAt: IsoInstant,
      updatedAt: IsoInstant,
    },
    { additionalProperties: false },
  );

/** School-wide settings (one per school): currency, time zone, receipt texts, logo, policies. */
export const SettingsRef = envelope(
  'settings',
  Type.Object(
    {
      currency: CurrencyCode,
      timezone: Type.String({ minLength: 1, maxLength: 64 }),
      receiptHeader: Type.String({ maxLength: 500 }),
      receiptFooter: Type.String({ maxLength: 500 }),
      /** How siblings are numbered for the sibling discount: eldest first, or by admission. */
      siblingOrder: Type.Union([Type.Literal('eldest-first'), Type.Literal('admission-order')]),
      /** A cashier may void only within the cash session the payment was taken in. */
      voidOnlyInSameSession: Type.Boolean(),
      /** Printed at the top of receipts and reports; absent = none. */
      logo: Type.Optional(SchoolLogo),
    },
    { additionalProperties: false },
  ),
);

/** A campus or cash point; its code prefixes receipt numbers (MAIN-D02-000153). */
export const OfficeRef = envelope('office', Type.Object({ code: Code }, { additionalProperties: false }));

/** A registered desk: belongs to one office, owns one receipt series. */
export const DeviceRef = envelope('device', Type.Object({ officeId: IdString, code: Code }, { additionalProperties: false }));

export const AcademicYearRef = envelope('academicYear', Type.Object({ startDate: IsoDate, endDate: IsoDate }, { additionalProperties: false }));

export const TermRef = envelope(
  'term',
  Type.Object({ academicYearId: IdString, startDate: IsoDate, endDate: IsoDate }, { additionalProperties: false }),
);

/** A class or section (Grade 4 East). */
export const ClassRef = envelope('class', Type.Object({ code: Type.Optional(Code), level: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 })) }, { additionalProperties: false }));

/** Tuition, transport, meals, exams… */
export const FeeCategoryRef = envelope('feeCategory', Type.Object({ code: Code }, { additionalProperties: false }));

/** Day scholar, boarder… fee structures may differ per student category. */
export const StudentCategoryRef = envelope('studentCategory', Type.Object({ code: Code }, { additionalProperties: false }));

const PercentOrFixed = Type.Union([
  Type.Object({ mode: Type.Literal('percent'), basisPoints: BasisPoints }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('fixed'), amount: PositiveAmount }, { additionalProperties: false }),
]);

/**
 * Automatic discounts applied when term invoices are issued:
 * sibling (the n-th and later children of a payer get a percentage), staff child, scholarship
 * (fixed or percent, limited to chosen fee categories, granted to listed students).
 */
export const DiscountRuleRef = envelope(
  'discountRule',
  Type.Union([
    Type.Object(
      {
        type: Type.Literal('sibling'),
        /** 2 = the second child and later. */
        fromChild: Type.Integer({ minimum: 2, maximum: 20 }),
        basisPoints: BasisPoints,
        feeCategoryIds: Type.Array(IdString, { maxItems: 50 }),
      },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('staffChild'), value: PercentOrFixed, feeCategoryIds: Type.Array(IdString, { maxItems: 50 }) }, { additionalProperties: false }),
    Type.Object(
      { type: Type.Literal('scholarship'), value: PercentOrFixed, feeCategoryIds: Type.Array(IdString, { maxItems: 50 }), studentIds: Type.Array(IdString, { maxItems: 5000 }) },
      { additionalProperties: false },
    ),
  ]),
);

/**
 * Late fees: after `graceDays` past a charge's due date, a fine per started `periodDays`
 * (fixed, or a percentage of what is still overdue), never more than `cap` in total per charge.
 */
export const LateFeeRuleRef = envelope(
  'lateFeeRule',
  Type.Object(
    {
      graceDays: Type.Integer({ minimum: 0, maximum: 365 }),
      periodDays: Type.Integer({ minimum: 1, maximum: 366 }),
      value: PercentOrFixed,
      cap: Amount,
      /** Empty = every fee category. */
      feeCategoryIds: Type.Array(IdString, { maxItems: 50 }),
    },
    { additionalProperties: false },
  ),
);

/**
 * The reference collection's schema version. 1: the school's logo in the settings (optional; a
 * version-0 document is a valid version-1 document). The RxDB schema itself did not change (`data`
 * is a plain object there), but a desk of version 0 would refuse a settings document with a logo,
 * so it is told to update instead.
 */
export const REFERENCE_SCHEMA_VERSION = 1;

export const referenceKinds = {
  settings: SettingsRef,
  office: OfficeRef,
  device: DeviceRef,
  academicYear: AcademicYearRef,
  term: TermRef,
  class: ClassRef,
  feeCategory: FeeCategoryRef,
  studentCategory: StudentCategoryRef,
  discountRule: DiscountRuleRef,
  lateFeeRule: LateFeeRuleRef,
} as const;

export type ReferenceKind = keyof typeof referenceKinds;
export type SettingsDoc = Static<typeof SettingsRef>;
export type OfficeDoc = Static<typeof OfficeRef>;
export type DeviceDoc = Static<typeof DeviceRef>;
export type AcademicYearDoc = Static<typeof AcademicYearRef>;
export type TermDoc = Static<typeof TermRef>;
export type ClassDoc = Static<typeof ClassRef>;
export type FeeCategoryDoc = Static<typeof FeeCategoryRef>;
export type StudentCategoryDoc = Static<typeof StudentCategoryRef>;
export type DiscountRuleDoc = Static<typeof DiscountRuleRef>;
export type LateFeeRuleDoc = Static<typeof LateFeeRuleRef>;
export type ReferenceDoc = { [K in ReferenceKind]: Static<(typeof referenceKinds)[K]> }[ReferenceKind];
