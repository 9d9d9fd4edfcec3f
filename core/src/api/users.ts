// Request and response shapes of the school's staff accounts: who works for the school, in
// which role, shared by the server's /api/v1/users routes and the desk's admin screen.
import { Type, type Static } from '@sinclair/typebox';
import { IdString } from '../schemas/primitives.ts';
import { Email, Password, roles } from './auth.ts';

const RoleLiteral = Type.Union(roles.map((r) => Type.Literal(r)));

export const MemberSummary = Type.Object({
  userId: IdString,
  email: Type.String(),
  displayName: Type.String(),
  role: RoleLiteral,
  addedAt: Type.String(),
  /** Access to this school was withdrawn (the account may still work for another school). */
  disabledAt: Type.Union([Type.String(), Type.Null()]),
});
export type MemberSummary = Static<typeof MemberSummary>;

export const MemberList = Type.Object({ members: Type.Array(MemberSummary) });
export type MemberList = Static<typeof MemberList>;

export const AddMemberRequest = Type.Object(
  {
    email: Email,
    displayName: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }),
    role: RoleLiteral,
    /** Needed for a new account; left out when the person already has one (another school). */
    password: Type.Optional(Password),
  },
  { additionalProperties: false },
);
export type AddMemberRequest = Static<typeof AddMemberRequest>;

export const UpdateMemberRequest = Type.Object(
  {
    role: Type.Optional(RoleLiteral),
    /** true withdraws access to this school and ends the person's sign-ins there; false restores it. */
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMemberRequest = Static<typeof UpdateMemberRequest>;
