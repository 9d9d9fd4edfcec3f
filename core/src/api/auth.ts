// Request and response shapes of sign-in, token refresh, passwords and first-run setup, shared
// by the server's route schemas (and OpenAPI) and the renderer's client.
import { Type, type Static } from '@sinclair/typebox';
import { IdString } from '../schemas/primitives.ts';

/** The secret an enrolled desk keeps (256 random bits, base64url). */
export const DeviceSecretString = Type.String({ minLength: 20, maxLength: 200 });

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
    /** The enrolled desk signing in; its tokens then stop working the moment it is revoked. */
    deviceId: Type.Optional(IdString),
    /** The desk's enrolment secret, which proves the sign-in really comes from that desk. */
    deviceSecret: Type.Optional(DeviceSecretString),
    /** For an account in several schools: which one (a desk's sign-in uses the desk's school). */
    schoolId: Type.Optional(IdString),
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
  /**
   * With a desk-bound sign-in: the server's signed permission for this person to open offline
   * sessions on that desk until `expiresAt` (the desk also keeps a local password verifier).
   */
  offlineGrant: Type.Optional(Type.Object({ token: Type.String(), expiresAt: Type.String() })),
  /**
   * With a desk-bound sign-in of someone who may record refunds: their key for approving refunds
   * on that desk (base64url), issued at `issuedAt` (seconds since 1970). The desk keeps it
   * encrypted under their password and signs a refund with it when they approve one, even
   * offline; it works until their password changes or `offlineGrant` would have expired
   * (core/src/auth/refund-approval.ts). Never sent for an offline session or a refresh.
   */
  approvalKey: Type.Optional(Type.Object({ key: Type.String(), issuedAt: Type.Integer() })),
  /** Set when this sign-in began offline on the desk: its permissions are capped (see permissions.ts). */
  offlineSessionId: Type.Optional(IdString),
  user: UserSummary,
  school: SchoolSummary,
  /** Every school the account may sign in to, with its role there. */
  schools: Type.Array(Type.Object({ id: IdString, name: Type.String(), role: Type.Union(roles.map((r) => Type.Literal(r))) })),
});
export type LoginResponse = Static<typeof LoginResponse>;

/**
 * A desk that verified a cashier locally while the server was unreachable asks, once it is
 * back, for tokens for that offline session: the desk proves itself with its secret and the
 * person with the server-signed grant from their last online sign-in on this desk.
 */
export const OfflineSessionRequest = Type.Object(
  {
    deviceId: IdString,
    deviceSecret: DeviceSecretString,
    grant: Type.String({ minLength: 1, maxLength: 4000 }),
    offlineSessionId: IdString,
    /** The desk's clock when the cashier signed in offline. */
    startedAt: Type.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);
export type OfflineSessionRequest = Static<typeof OfflineSessionRequest>;

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
