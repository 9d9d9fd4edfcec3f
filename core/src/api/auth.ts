// Request and response shapes of sign-in and first-run setup, shared by the server's route
// schemas (and OpenAPI) and the renderer's client.
import { Type, type Static } from '@sinclair/typebox';
import { IdString } from '../schemas/primitives.ts';

/** owner and admin run the school; bursar manages fees; cashier takes payments; auditor only reads. */
export const roles = ['owner', 'admin', 'bursar', 'cashier', 'auditor'] as const;
export type Role = (typeof roles)[number];

export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
export const MIN_PASSWORD_LENGTH = 10;
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 200 });

export const LoginRequest = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const SchoolSummary = Type.Object({
  id: IdString,
  name: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
});
export type SchoolSummary = Static<typeof SchoolSummary>;

export const UserSummary = Type.Object({
  id: IdString,
  email: Type.String(),
  displayName: Type.String(),
  role: Type.Union(roles.map((r) => Type.Literal(r))),
});
export type UserSummary = Static<typeof UserSummary>;

export const LoginResponse = Type.Object({
  accessToken: Type.String(),
  expiresAt: Type.String(),
  user: UserSummary,
  school: SchoolSummary,
});
export type LoginResponse = Static<typeof LoginResponse>;

export const SetupRequest = Type.Object(
  {
    setupCode: Type.String({ minLength: 1, maxLength: 64 }),
    schoolName: Type.String({ minLength: 2, maxLength: 120 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    timezone: Type.String({ minLength: 1, maxLength: 64 }),
    ownerName: Type.String({ minLength: 1, maxLength: 120 }),
    ownerEmail: Email,
    ownerPassword: Password,
  },
  { additionalProperties: false },
);
export type SetupRequest = Static<typeof SetupRequest>;

export const SetupStatus = Type.Object({ setupRequired: Type.Boolean() });
export type SetupStatus = Static<typeof SetupStatus>;
