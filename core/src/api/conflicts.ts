// Sync conflicts as admins see them: the same field changed on two sides, what each side wanted
// and what the server kept, and the admin's decision to keep it or apply the desk's values.
import { Type, type Static } from '@sinclair/typebox';
import { IdString } from '../schemas/primitives.ts';

export const ConflictField = Type.Object({
  /** JSON pointer into the document ("/phone", "/data/receiptFooter"). */
  path: Type.String(),
  base: Type.Optional(Type.Unknown()),
  server: Type.Optional(Type.Unknown()),
  desk: Type.Optional(Type.Unknown()),
  kept: Type.Union([Type.Literal('server'), Type.Literal('desk')]),
});
export type ConflictField = Static<typeof ConflictField>;

export const SyncConflict = Type.Object({
  id: IdString,
  collection: Type.String(),
  documentId: IdString,
  /** What people call the document ("Student Amani Otieno (ADM-104)"). */
  label: Type.String(),
  fields: Type.Array(ConflictField),
  /** Who made the desk's change, and on which desk. */
  user: Type.Object({ id: IdString, displayName: Type.String() }),
  deviceId: Type.Union([IdString, Type.Null()]),
  createdAt: Type.String(),
  decision: Type.Union([Type.Literal('server'), Type.Literal('desk'), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
});
export type SyncConflict = Static<typeof SyncConflict>;

export const SyncConflictList = Type.Object({ conflicts: Type.Array(SyncConflict), open: Type.Integer() });
export type SyncConflictList = Static<typeof SyncConflictList>;

export const ConflictDecisionRequest = Type.Object(
  {
    /** 'server' keeps the document as merged; 'desk' applies the desk's value of every conflicting field. */
    keep: Type.Union([Type.Literal('server'), Type.Literal('desk')]),
  },
  { additionalProperties: false },
);
export type ConflictDecisionRequest = Static<typeof ConflictDecisionRequest>;
