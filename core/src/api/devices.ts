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
});
export type DeviceSummary = Static<typeof DeviceSummary>;

export const DeviceList = Type.Object({ devices: Type.Array(DeviceSummary) });
export type DeviceList = Static<typeof DeviceList>;

export const RevokeDeviceRequest = Type.Object({ reason: Reason }, { additionalProperties: false });
export type RevokeDeviceRequest = Static<typeof RevokeDeviceRequest>;
