// Reusable field schemas: ids, calendar dates and instants, written as plain patterns so that
// validation needs no format plugins and no code generation (CSP forbids eval in the app).
import { Type } from '@sinclair/typebox';

export const IdString = Type.String({
  minLength: 36,
  maxLength: 36,
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'Lowercase UUID (v7 for documents created by Fee Master)',
});

/** A school-local calendar date, YYYY-MM-DD. */
export const IsoDate = Type.String({
  minLength: 10,
  maxLength: 10,
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
});

/** An instant, ISO-8601 in UTC with a Z suffix, as produced by Date.prototype.toISOString. */
export const IsoInstant = Type.String({
  minLength: 20,
  maxLength: 30,
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$',
});

/** A positive amount in integer minor units of the school's currency. */
export const PositiveAmount = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units (e.g. cents), > 0' });
/** A non-negative amount in integer minor units. */
export const Amount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units (e.g. cents), ≥ 0' });
/** A proportion in basis points: 10 000 = 100 %. */
export const BasisPoints = Type.Integer({ minimum: 0, maximum: 10_000 });
export const CurrencyCode = Type.String({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$' });
/** A person's reason for a correction, shown in statements and the audit trail. */
export const Reason = Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' });
export const ShortText = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });
