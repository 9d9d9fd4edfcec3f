// This desk's enrolment: which registered desk of which school it is, the secret it proves that
// with, and the offline sign-in records of the people who signed in on it (their argon2id
// verifier and the server's grant). Kept by the platform, encrypted on the desktop.
import { approveRefund, fromBase64Url, mayRecord, newId, type DeviceSummary, type EnrolDeviceResponse, type LoginResponse, type RefundDoc, type Role, type SchoolSummary } from '@feemaster/core';
import { platform } from '#platform';
import { requestJson } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import { checkVerifier, createKeyedVerifier, openSealed, openVerifier, sealWith, type PasswordVerifier, type Sealed } from '../auth/offline-verifier.ts';

export interface OfflineAccount {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  verifier: PasswordVerifier;
  /** The server's signed permission to open offline sessions on this desk, and when it lapses. */
  grant: string;
  grantExpiresAt: string;
  lastOnlineSignInAt: string;
  /**
   * A manager's key for approving refunds on this desk (given by the server at this sign-in),
   * sealed with the key only their password derives: the desk cannot use it without them.
   */
  approvalKey?: { issuedAt: number; sealed: Sealed };
}

export interface DeskEnrolment {
  serverUrl: string;
  device: DeviceSummary;
  deviceSecret: string;
  school: SchoolSummary;
  offlineAccounts: OfflineAccount[];
}

export async function loadEnrolment(): Promise<DeskEnrolment | null> {
  const json = await platform.loadEnrolment();
  if (!json) return null;
  const parsed = JSON.parse(json) as Partial<DeskEnrolment>;
  if (!parsed.device?.id || !parsed.deviceSecret || !parsed.school?.id || !parsed.serverUrl) return null;
  return { offlineAccounts: [], ...parsed } as DeskEnrolment;
}

export async function saveEnrolment(enrolment: DeskEnrolment): Promise<void> {
  await platform.saveEnrolment(JSON.stringify(enrolment));
}

/** Exchanges an admin's approval code for this desk's identity and secret, and keeps them. */
export async function enrolThisDesk(serverUrl: string, approvalCode: string): Promise<DeskEnrolment> {
  const enrolled = await requestJson<EnrolDeviceResponse>(serverUrl, '/api/v1/auth/enrol-device', { method: 'POST', body: JSON.stringify({ approvalCode }) });
  const enrolment: DeskEnrolment = { serverUrl, device: enrolled.device, deviceSecret: enrolled.deviceSecret, school: enrolled.school, offlineAccounts: [] };
  await saveEnrolment(enrolment);
  return enrolment;
}

/** `MAIN-D02` (or the desk code alone while it has no office), for headers and notices. */
export function deskLabel(enrolment: DeskEnrolment): string {
  return enrolment.device.receiptSeries ?? enrolment.device.code;
}

/**
 * After an online sign-in on this desk: remember a verifier of the password so the same person
 * can sign in here while the server is unreachable, until the server's grant lapses.
 */
export async function rememberOfflineSignIn(enrolment: DeskEnrolment, login: LoginResponse, password: string, now = new Date()): Promise<DeskEnrolment> {
  if (!login.offlineGrant) return enrolment;
  const { verifier, key } = await createKeyedVerifier(password);
  const approval = login.approvalKey;
  const account: OfflineAccount = {
    userId: login.user.id,
    email: login.user.email.toLowerCase(),
    displayName: login.user.displayName,
    role: login.user.role,
    verifier,
    grant: login.offlineGrant.token,
    grantExpiresAt: login.offlineGrant.expiresAt,
    lastOnlineSignInAt: now.toISOString(),
    ...(approval ? { approvalKey: { issuedAt: approval.issuedAt, sealed: await sealWith(key, fromBase64Url(approval.key)) } } : {}),
  };
  const next = { ...enrolment, offlineAccounts: [...enrolment.offlineAccounts.filter((a) => a.userId !== account.userId), account] };
  await saveEnrolment(next);
  return next;
}

export type OfflineCheck =
  | { ok: true; account: OfflineAccount }
  | { ok: false; reason: string };

/** Checks a password against this desk's offline record of the person, with the reason when it fails. */
export async function checkOfflineSignIn(enrolment: DeskEnrolment, email: string, password: string, now = new Date()): Promise<OfflineCheck> {
  const account = enrolment.offlineAccounts.find((a) => a.email === email.trim().toLowerCase());
  if (!account) {
    return { ok: false, reason: 'The sync server cannot be reached, and this account has not signed in on this desk before. Sign in on a desk you have used, or wait for the connection.' };
  }
  if (Date.parse(account.grantExpiresAt) <= now.getTime()) {
    return { ok: false, reason: 'The sync server cannot be reached, and offline sign-in for this account lapsed on this desk. Sign in online once to renew it.' };
  }
  if (!(await checkVerifier(account.verifier, password))) return { ok: false, reason: 'Email or password is incorrect.' };
  return { ok: true, account };
}

export type ApprovalResult = { ok: true; refund: RefundDoc; approver: OfflineAccount } | { ok: false; reason: string };

/**
 * A manager approves a refund on this desk, online or not: their password opens the approval
 * key the server gave them when they last signed in here, which signs this refund. The server
 * checks the signature, and that they may still approve refunds, when the refund syncs.
 */
export async function approveOnDesk(enrolment: DeskEnrolment, email: string, password: string, refund: RefundDoc, now = new Date()): Promise<ApprovalResult> {
  const account = enrolment.offlineAccounts.find((a) => a.email === email.trim().toLowerCase());
  if (!account) return { ok: false, reason: 'That manager has not signed in on this desk: they approve refunds here once they have signed in on it online.' };
  if (!mayRecord(account.role, 'refund')) return { ok: false, reason: `${account.displayName} is a ${account.role} and cannot approve refunds: ask a bursar, an administrator or the owner.` };
  if (!account.approvalKey) return { ok: false, reason: `${account.displayName} has no approval key on this desk yet: they sign in here online once, then can approve refunds even offline.` };
  if (Date.parse(account.grantExpiresAt) <= now.getTime()) return { ok: false, reason: `${account.displayName}'s sign-in on this desk has lapsed: they sign in online once to approve refunds again.` };
  const opened = await openVerifier(account.verifier, password);
  if (!opened.ok) return { ok: false, reason: 'That is not the manager’s password. Try again.' };
  const key = opened.key ? await openSealed(opened.key, account.approvalKey.sealed) : null;
  if (!key) return { ok: false, reason: `${account.displayName}'s approval key on this desk cannot be opened: they sign in here online once to renew it.` };
  const approved = approveRefund(refund, key, { approvedBy: account.userId, approvedAt: now.toISOString(), keyIssuedAt: account.approvalKey.issuedAt });
  return { ok: true, refund: approved, approver: account };
}

/** Forgets one person's offline record here: after a password change the old password must not open the desk. */
export async function forgetOfflineAccount(enrolment: DeskEnrolment, userId: string): Promise<DeskEnrolment> {
  const next = { ...enrolment, offlineAccounts: enrolment.offlineAccounts.filter((a) => a.userId !== userId) };
  await saveEnrolment(next);
  return next;
}

/** The session of someone signed in on this desk without the server; it gets tokens once online. */
export function offlineSession(enrolment: DeskEnrolment, account: OfflineAccount, now = new Date()): Session {
  return {
    serverUrl: enrolment.serverUrl,
    accessToken: '',
    expiresAt: now.toISOString(),
    refreshToken: '',
    refreshExpiresAt: account.grantExpiresAt,
    deviceId: enrolment.device.id,
    user: { id: account.userId, email: account.email, displayName: account.displayName, role: account.role },
    school: enrolment.school,
    schools: [{ id: enrolment.school.id, name: enrolment.school.name, role: account.role }],
    pendingOffline: { deviceId: enrolment.device.id, deviceSecret: enrolment.deviceSecret, grant: account.grant, offlineSessionId: newId(), startedAt: now.toISOString() },
  };
}
