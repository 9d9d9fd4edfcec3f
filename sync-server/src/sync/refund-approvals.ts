// Refunds a manager approved on a desk (core/src/auth/refund-approval.ts). A cashier, or anyone
// in an offline session, may not record a refund on their own; with a manager's approval on it
// they may, once the server has checked that approval: signed with the key this server gave that
// manager at an online sign-in on the very desk that pushes it, for exactly this refund, by
// someone who still manages this school and has not changed their password since, and within the
// time that key lasts. Only pushes carrying an approval pay for the check (one query for all of
// an upload's approvers).
import { and, eq, sql } from 'drizzle-orm';
import {
  approvalSignatureMatches,
  ledgerPermissions,
  mayRecord,
  refusalToWrite,
  roles,
  withArticle,
  withoutReplicationFields,
  type RefundDoc,
  type Role,
  type SessionKind,
} from '@feemaster/core';
import type { ApprovalKeys } from '../auth/approval-keys.ts';
import type { Db } from '../db/client.ts';
import { memberships, users } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** "owner, admin or bursar": who may record a refund, so approve one. */
const managerRoles = ledgerPermissions.refund.length > 1 ? `${ledgerPermissions.refund.slice(0, -1).join(', ')} or ${String(ledgerPermissions.refund.at(-1))}` : String(ledgerPermissions.refund[0]);

/** How far the approval's times may be off the server's: desk clocks drift, and so may instances'. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** A pushed ledger document that claims a manager's approval (whether it holds is checked apart). */
export function claimsRefundApproval(doc: Record<string, unknown>): boolean {
  return doc.type === 'refund' && doc.approval !== undefined;
}

/**
 * Whether a manager's approval may stand in for the pusher's own right to record a refund. It
 * lifts the refund limit of someone who works a till (a cashier, or anyone in an offline session),
 * not the limits of a role that records nothing on the ledger (an auditor).
 */
export function approvalMayStandIn(role: Role, session: SessionKind | undefined): boolean {
  return refusalToWrite(role, 'ledger', { type: 'payment' }, session) === null;
}

export interface ApprovalPush {
  schoolId: string;
  /** The desk pushing: an approval is only good from the desk it was made on. */
  deviceId?: string | null;
  approvalKeys?: ApprovalKeys;
}

/**
 * Throws AppError 403 'forbidden' unless every approval on the given refunds checks out. Refunds
 * stored already are not judged again (a repeated upload of one whose approver has since left is
 * still accepted): `storedIds` is asked only when an approval fails.
 */
export async function checkRefundApprovals(
  db: Db,
  ctx: ApprovalPush,
  /** The pushed refunds carrying an approval, each accepted by the ledger validator, with their place in the upload. */
  approved: readonly { index: number; doc: Record<string, unknown> }[],
  storedIds: (ids: readonly string[]) => Promise<ReadonlySet<string>>,
): Promise<void> {
  const refunds = approved.map(({ index, doc }) => ({ index, refund: withoutReplicationFields(doc) as RefundDoc }));
  const keys = ctx.approvalKeys;
  const deviceId = ctx.deviceId ?? null;
  // Without a desk (or where approvals are not checked) every approval fails: no query needed.
  const approverIds = refunds.flatMap(({ refund }) => (refund.approval ? [refund.approval.approvedBy] : []));
  const approvers = keys && deviceId ? await approversOf(db, ctx.schoolId, approverIds) : new Map<string, Approver>();
  const now = keys?.clock().getTime() ?? 0;
  const refused = refunds.flatMap(({ index, refund }) => {
    const why = keys && deviceId ? approvalRefusal(refund, { schoolId: ctx.schoolId, deviceId }, approvers, keys, now) : noDesk(keys);
    return why === null ? [] : [{ index, refund, why }];
  });
  if (refused.length === 0) return;
  const stored = await storedIds(refused.map(({ refund }) => refund.id));
  const judged = refused.filter(({ refund }) => !stored.has(refund.id));
  const [first] = judged;
  if (!first) return;
  throw new AppError(
    403,
    'forbidden',
    `Refused: the manager's approval on refund ${first.refund.id} does not check out (${first.why}). Nothing from this upload was saved.`,
    judged.map(({ index, refund, why }) => ({ index, id: refund.id, path: '/approval', message: why })),
  );
}

function noDesk(keys: ApprovalKeys | undefined): string {
  return keys
    ? 'a refund is approved on a registered desk and this upload does not come from one: sync it from the desk it was approved on'
    : 'approvals are not accepted through this route: sync the refund from the desk it was approved on';
}

interface Approver {
  role: string;
  /** The account, or its membership of this school, is withdrawn. */
  withdrawn: boolean;
  passwordChangedAt: string | null;
}

/** The school's members among `ids`, in one query. */
async function approversOf(db: Db, schoolId: string, ids: readonly string[]): Promise<Map<string, Approver>> {
  const rows = await db
    .select({
      id: users.id,
      role: memberships.role,
      userDisabledAt: users.disabledAt,
      membershipDisabledAt: memberships.disabledAt,
      passwordChangedAt: users.passwordChangedAt,
    })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.schoolId, schoolId)))
    .where(sql`${users.id} = any(${sql.param([...new Set(ids)])}::uuid[])`);
  return new Map(
    rows.map((row) => [
      row.id,
      { role: row.role, withdrawn: row.userDisabledAt !== null || row.membershipDisabledAt !== null, passwordChangedAt: row.passwordChangedAt },
    ]),
  );
}

/** Null when the approval holds; otherwise why not, as a person reads it. */
function approvalRefusal(refund: RefundDoc, pusher: { schoolId: string; deviceId: string }, approvers: ReadonlyMap<string, Approver>, keys: ApprovalKeys, now: number): string | null {
  const approval = refund.approval;
  if (!approval) return 'the refund carries no approval';
  if (refund.deviceId !== pusher.deviceId) {
    return `it was approved on another desk (${refund.deviceId ?? 'none named'}), not the one uploading it: sync it from the desk it was approved on`;
  }
  const approver = approvers.get(approval.approvedBy);
  if (!approver) return 'the approver is not a manager of this school';
  if (approver.withdrawn) return "the approver's access to this school was withdrawn";
  const role = roles.find((r) => r === approver.role);
  if (!role || !mayRecord(role, 'refund')) {
    return `the approver is now ${withArticle(approver.role)}, and only ${withArticle(managerRoles)} may approve refunds`;
  }
  const issuedMs = approval.keyIssuedAt * 1000;
  if (issuedMs > now + CLOCK_SKEW_MS) return "the approval key is dated later than the server's time, so this server did not issue it";
  // Whole seconds, as the key's date: a sign-in in the same second as the change is after it.
  if (approver.passwordChangedAt !== null && Math.floor(new Date(approver.passwordChangedAt).getTime() / 1000) > approval.keyIssuedAt) {
    return "the approver's password changed after the approval key was issued: they sign in again on the desk";
  }
  const approvedMs = Date.parse(approval.approvedAt);
  if (approvedMs < issuedMs - CLOCK_SKEW_MS) return 'the approval is dated before the approver signed in on this desk and got the key it was made with';
  if (approvedMs > issuedMs + keys.ttlSeconds * 1000) {
    return `the approval was made more than ${duration(keys.ttlSeconds)} after the approver last signed in on this desk, when their key had expired: they sign in again on the desk`;
  }
  const key = keys.keyFor({ schoolId: pusher.schoolId, userId: approval.approvedBy, deviceId: pusher.deviceId, keyIssuedAt: approval.keyIssuedAt });
  if (!approvalSignatureMatches(refund, key)) return 'the signature does not match this refund: it was changed after it was approved, or approved with another key';
  return null;
}

function duration(seconds: number): string {
  const [count, unit] = seconds % 86_400 === 0 ? [seconds / 86_400, 'day'] : seconds % 3_600 === 0 ? [seconds / 3_600, 'hour'] : [seconds, 'second'];
  return `${String(count)} ${unit}${count === 1 ? '' : 's'}`;
}
