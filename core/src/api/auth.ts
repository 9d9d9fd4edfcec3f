// Request and response shapes of sign-in, token refresh, passwords and first-run setup, shared
// by the server's route schemas (and OpenAPI) and the renderer's client.
import { Type, type Static } from '@sinclair/typebox';
import { IdString } from '../schemas/primitives.ts';

/** owner and admin run the school; bursar manages fees; cashier takes payments; auditor only reads. */
export const roles = ['owner', 'admin', 'bursar', 'cashier', 'auditor'] as const;
export type Role = (typeof roles)[number];

export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
export const MIN_PASSWORD_LENGTH = 10;
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 200 });

export const LoginRequest = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
    /** The registered desk signing in; its tokens then stop working the moment it is revoked. */
    deviceId: Type.Optional(IdString),
  },
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

/** A refresh token as sent over the wire: 43 base64url characters (256 random bits). */
const RefreshTokenString = Type.String({ minLength: 1, maxLength: 200 });

export const LoginResponse = Type.Object({
  accessToken: Type.String(),
  /** When the access token expires (minutes, not hours): refresh before then. */
  expiresAt: Type.String(),
  /** Single use: each refresh returns a successor; presenting a used one ends the sign-in. */
  refreshToken: Type.String(),
  refreshExpiresAt: Type.String(),
  /** The desk the tokens are bound to, when the sign-in named a registered device. */
  deviceId: Type.Optional(IdString),
  user: UserSummary,
  school: SchoolSummary,
});
export type LoginResponse = Static<typeof LoginResponse>;

export const RefreshRequest = Type.Object({ refreshToken: RefreshTokenString }, { additionalProperties: false });
export type RefreshRequest = Static<typeof RefreshRequest>;

export const RefreshResponse = Type.Object({
  accessToken: Type.String(),
  expiresAt: Type.String(),
  refreshToken: Type.String(),
  refreshExpiresAt: Type.String(),
});
export type RefreshResponse = Static<typeof RefreshResponse>;

export const LogoutRequest = Type.Object({ refreshToken: RefreshTokenString }, { additionalProperties: false });
export type LogoutRequest = Static<typeof LogoutRequest>;

export const ChangePasswordRequest = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 200 }), newPassword: Password },
  { additionalProperties: false },
);
export type ChangePasswordRequest = Static<typeof ChangePasswordRequest>;

/** An owner or admin sets a new password for a colleague who forgot theirs. */
export const ResetPasswordRequest = Type.Object({ newPassword: Password }, { additionalProperties: false });
export type ResetPasswordRequest = Static<typeof ResetPasswordRequest>;

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
