// Real-time notifications for the people at the desks (as in the original system): events aimed
// at roles, an office or one person, delivered live over Server-Sent Events; plus the shapes of
// the admins' broadcast, send-to-user and connection-status endpoints.
import { Type, type Static } from '@sinclair/typebox';
import { IdString } from '../schemas/primitives.ts';
import { roles } from './auth.ts';

const RoleLiteral = Type.Union(roles.map((r) => Type.Literal(r)));
const Title = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });
const Body = Type.String({ maxLength: 1000 });

export const realtimeEventKinds = ['broadcast', 'direct', 'payment-received', 'device-revoked', 'sync-conflict'] as const;

export const RealtimeEvent = Type.Object({
  id: IdString,
  kind: Type.Union(realtimeEventKinds.map((k) => Type.Literal(k))),
  at: Type.String(),
  title: Type.String(),
  body: Type.String(),
  /** Who sent it (broadcasts and direct messages). */
  from: Type.Union([Type.Object({ userId: IdString, displayName: Type.String() }), Type.Null()]),
  /** What the event is about, for the desk to link to (a payment, a desk). */
  subject: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
});
export type RealtimeEvent = Static<typeof RealtimeEvent>;

export const BroadcastRequest = Type.Object(
  {
    title: Title,
    body: Body,
    /** Only these roles; every role when left out. */
    roles: Type.Optional(Type.Array(RoleLiteral, { minItems: 1, uniqueItems: true })),
    /** Only desks of this office. */
    officeId: Type.Optional(IdString),
  },
  { additionalProperties: false },
);
export type BroadcastRequest = Static<typeof BroadcastRequest>;

export const SendToUserRequest = Type.Object({ title: Title, body: Body }, { additionalProperties: false });
export type SendToUserRequest = Static<typeof SendToUserRequest>;

/** How many received it on the answering instance: its open connections that matched (other instances deliver too). */
export const DeliveryReport = Type.Object({ eventId: IdString, delivered: Type.Integer() });
export type DeliveryReport = Static<typeof DeliveryReport>;

/** The school's live connections to the server instance that answers (each instance counts its own). */
export const RealtimeStatus = Type.Object({
  connections: Type.Integer(),
  byRole: Type.Array(Type.Object({ role: RoleLiteral, connections: Type.Integer() })),
  byOffice: Type.Array(Type.Object({ officeId: Type.Union([IdString, Type.Null()]), connections: Type.Integer() })),
});
export type RealtimeStatus = Static<typeof RealtimeStatus>;
