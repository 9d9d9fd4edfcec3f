// Request and response shapes of desk registration and revocation, shared by the server's
// routes (and OpenAPI) and the desk's admin screens.
import { Type, type Static } from '@sinclair/typebox';
import { IdString, Reason } from '../schemas/primitives.ts';

/** Goes on every receipt of the desk (MAIN-D02-000153), so it has the receipt code's shape. */
export const DeviceCode = Type.String({ minLength: 1, maxLength: 12, pattern: '^[A-Z0-9]+$', description: 'Upper-case letters and digits, like D02' });

export const RegisterDeviceRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80, pattern: '\\S', description: 'What staff call the desk, like "Front office desk 2"' }),
    code: DeviceCode,
    /** The office whose code prefixes this desk's receipts; may be set later. */
    officeId: Type.Optional(IdString),
  },
  { additionalProperties: false },
);
export type RegisterDeviceRequest = Static<typeof RegisterDeviceRequest>;

export const DeviceSummary = Type.Object({
  id: IdString,
  code: Type.String(),
  name: Type.String(),
  officeId: Type.Union([IdString, Type.Null()]),
  registeredAt: Type.String(),
  registeredBy: Type.Union([IdString, Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  revokedReason: Type.Union([Type.String(), Type.Null()]),
  /** `OFFICE-DEVICE`, the prefix of every receipt number the desk issues; null until it has an office. */
  receiptSeries: Type.Union([Type.String(), Type.Null()]),
  /** When the desk itself was enrolled with its approval code; null while that is pending. */
  enrolledAt: Type.Union([Type.String(), Type.Null()]),
  /** An approval code was issued and not used yet; it expires at this instant. */
  approvalCodeExpiresAt: Type.Union([Type.String(), Type.Null()]),
});
export type DeviceSummary = Static<typeof DeviceSummary>;

/** Shown once to the admin, who types it (or reads it out) on the desk being enrolled. */
export const DeviceApproval = Type.Object({
  device: DeviceSummary,
  approvalCode: Type.String({ description: 'Like K7QM-4TXP-9BWC; single use' }),
  approvalCodeExpiresAt: Type.String(),
});
export type DeviceApproval = Static<typeof DeviceApproval>;

export const EnrolDeviceRequest = Type.Object(
  { approvalCode: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
export type EnrolDeviceRequest = Static<typeof EnrolDeviceRequest>;

/** What an enrolled desk keeps: who it is, its secret (kept encrypted by the OS), its school. */
export const EnrolDeviceResponse = Type.Object({
  device: DeviceSummary,
  deviceSecret: Type.String(),
  school: Type.Object({ id: IdString, name: Type.String(), currency: Type.String(), timezone: Type.String() }),
});
export type EnrolDeviceResponse = Static<typeof EnrolDeviceResponse>;

export const DeviceList = Type.Object({ devices: Type.Array(DeviceSummary) });
export type DeviceList = Static<typeof DeviceList>;

export const RevokeDeviceRequest = Type.Object({ reason: Reason }, { additionalProperties: false });
export type RevokeDeviceRequest = Static<typeof RevokeDeviceRequest>;
