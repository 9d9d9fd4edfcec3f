// Request and response shapes of the audit trail API (search, summaries, export, chain check),
// shared by the server's route schemas (and OpenAPI) and the desk's audit screen.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IdString, IsoDate, IsoInstant } from '../schemas/primitives.ts';

export const AUDIT_API_PATH = '/api/v1/audit';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const when = (description: string) => Type.Union([IsoDate, IsoInstant], { description });
const PeriodProps = {
  from: Type.Optional(when('A date (the school’s own day) or an ISO instant in UTC')),
  to: Type.Optional(when('Inclusive: a date includes that whole day')),
};
const FilterProps = {
  userId: Type.Optional(IdString),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Action prefix: "ledger." matches every ledger entry' })),
  entityType: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  entityId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  ...PeriodProps,
};

/** Which entries a search or an export covers; every field is optional. */
export const AuditFilterQuery = Type.Object(FilterProps);
export type AuditFilterQuery = Static<typeof AuditFilterQuery>;

export const AuditLogsQuery = Type.Object({
  ...FilterProps,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  cursor: Type.Optional(Type.String({ pattern: '^\\d{1,18}$', description: 'nextCursor of the previous page' })),
});
export type AuditLogsQuery = Static<typeof AuditLogsQuery>;

export const AuditExportFormat = Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' });
export type AuditExportFormat = Static<typeof AuditExportFormat>;

export const AuditExportQuery = Type.Object({ ...FilterProps, format: Type.Optional(AuditExportFormat) });
export type AuditExportQuery = Static<typeof AuditExportQuery>;

export const AuditPeriodQuery = Type.Object(PeriodProps);
export type AuditPeriodQuery = Static<typeof AuditPeriodQuery>;

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actorUserId: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  deviceId: Nullable(Type.String()),
  officeId: Nullable(Type.String()),
  deviceTime: Nullable(Type.String()),
  action: Type.String(),
  entityType: Nullable(Type.String()),
  entityId: Nullable(Type.String()),
  before: Type.Unknown(),
  after: Type.Unknown(),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  /** The offline session (verified on the desk, not the server) the change was made in. */
  offlineSessionId: Nullable(Type.String()),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditActionCount = Type.Object({ action: Type.String(), count: Type.Integer() });
export type AuditActionCount = Static<typeof AuditActionCount>;

export const AuditLogsPage = Type.Object({ entries: Type.Array(AuditEntry), nextCursor: Nullable(Type.String()) });
export type AuditLogsPage = Static<typeof AuditLogsPage>;

export const AuditUserSummary = Type.Object({
  userId: Type.String(),
  total: Type.Integer(),
  firstAt: Nullable(Type.String()),
  lastAt: Nullable(Type.String()),
  byAction: Type.Array(AuditActionCount),
});
export type AuditUserSummary = Static<typeof AuditUserSummary>;

export const AuditSystemSummary = Type.Object({
  from: Nullable(Type.String()),
  to: Nullable(Type.String({ description: 'Exclusive upper bound' })),
  timezone: Type.String(),
  total: Type.Integer(),
  failedSignIns: Type.Integer(),
  byAction: Type.Array(AuditActionCount),
  byDay: Type.Array(Type.Object({ day: Type.String(), count: Type.Integer() })),
});
export type AuditSystemSummary = Static<typeof AuditSystemSummary>;

export const AuditVerifyReport = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  checkpoint: Nullable(Type.Object({ upToSeq: Type.Integer(), createdAt: Type.String() })),
  broken: Nullable(Type.Object({ seq: Type.Integer(), problem: Type.String(), reason: Type.String() })),
});
export type AuditVerifyReport = Static<typeof AuditVerifyReport>;
