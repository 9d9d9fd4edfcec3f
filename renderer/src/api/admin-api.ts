// The desk and staff administration API as the Desks and Staff screens call it: the school's
// desks, approval codes and revocations, its offices, its staff, roles, access and passwords,
// and the sync conflicts between desks for the admins to decide.
import {
  SYNC_SETTINGS_PATH,
  replicatedCollections,
  syncPath,
  type AddMemberRequest,
  type ConflictDecisionRequest,
  type DeviceApproval,
  type DeviceList,
  type DeviceSummary,
  type MemberList,
  type MemberSummary,
  type PullResponse,
  type RegisterDeviceRequest,
  type SyncConflict,
  type SyncConflictList,
  type SyncSettings,
  type UpdateMemberRequest,
} from '@feemaster/core';
import type { AccessTokens } from './access-token.ts';
import { withToken } from './authorized.ts';
import { ApiError, requestJson } from './client.ts';

/** An office of the school, as the desk registration form offers it. */
export interface Office {
  id: string;
  name: string;
  /** Prefixes the receipt numbers of the office's desks (MAIN in MAIN-D02-000153). */
  code: string;
}

export interface AdminApi {
  /** The school's desks, revoked ones included, in code order. */
  devices(): Promise<DeviceSummary[]>;
  registerDevice(request: RegisterDeviceRequest): Promise<DeviceApproval>;
  /** A new one-time approval code (a desk never enrolled in time, or reinstalled). */
  newApprovalCode(deviceId: string): Promise<DeviceApproval>;
  revokeDevice(deviceId: string, reason: string): Promise<DeviceSummary>;
  /** The school's current offices, read from its replicated reference data. */
  offices(): Promise<Office[]>;
  members(): Promise<MemberSummary[]>;
  addMember(request: AddMemberRequest): Promise<MemberSummary>;
  updateMember(userId: string, change: UpdateMemberRequest): Promise<MemberSummary>;
  resetPassword(userId: string, newPassword: string): Promise<void>;
  /** Same-field sync conflicts, newest first: the open ones, or all. */
  conflicts(status: 'open' | 'all'): Promise<SyncConflictList>;
  decideConflict(conflictId: string, keep: ConflictDecisionRequest['keep']): Promise<SyncConflict>;
  syncSettings(): Promise<SyncSettings>;
  changeSyncSettings(settings: SyncSettings): Promise<SyncSettings>;
}

/** Offices are few; one page almost always holds the whole reference feed of a small school. */
export const OFFICE_PAGE_SIZE = 500;

type ReferencePage = PullResponse<Record<string, unknown>>;

export function createAdminApi(serverUrl: string, tokens: AccessTokens): AdminApi {
  const call = <T>(path: string, init: RequestInit = {}): Promise<T> => withToken(tokens, (token) => requestJson<T>(serverUrl, path, { ...init, token }));
  const send = <T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> => call<T>(path, { method, body: JSON.stringify(body) });
  const id = encodeURIComponent;

  return {
    devices: async () => (await call<DeviceList>('/api/v1/devices')).devices,
    registerDevice: (request) => send<DeviceApproval>('POST', '/api/v1/devices', request),
    newApprovalCode: (deviceId) => send<DeviceApproval>('POST', `/api/v1/devices/${id(deviceId)}/approval-code`, {}),
    revokeDevice: (deviceId, reason) => send<DeviceSummary>('POST', `/api/v1/devices/${id(deviceId)}/revoke`, { reason }),
    offices: () => readOffices((checkpoint) => call<ReferencePage>(referencePullPath(checkpoint))),
    members: async () => (await call<MemberList>('/api/v1/users')).members,
    conflicts: (status) => call<SyncConflictList>(`/api/v1/sync/conflicts?status=${status}`),
    syncSettings: () => call<SyncSettings>(SYNC_SETTINGS_PATH),
    changeSyncSettings: (settings) => send<SyncSettings>('PUT', SYNC_SETTINGS_PATH, settings),
    decideConflict: (conflictId, keep) => send<SyncConflict>('POST', `/api/v1/sync/conflicts/${id(conflictId)}/decision`, { keep }),
    addMember: (request) => send<MemberSummary>('POST', '/api/v1/users', request),
    updateMember: (userId, change) => send<MemberSummary>('PUT', `/api/v1/users/${id(userId)}`, change),
    resetPassword: async (userId, newPassword) => {
      await send<null>('POST', `/api/v1/users/${id(userId)}/reset-password`, { newPassword });
    },
  };
}

function referencePullPath(checkpoint: string): string {
  const query = new URLSearchParams({ checkpoint, limit: String(OFFICE_PAGE_SIZE) });
  return `${syncPath('reference', replicatedCollections.reference.schemaVersion, 'pull')}?${query.toString()}`;
}

/**
 * Pages through the reference feed until it is exhausted, keeping each document's latest state:
 * an office deleted or archived on a later page is dropped, one renamed shows its new name.
 */
async function readOffices(pull: (checkpoint: string) => Promise<ReferencePage>): Promise<Office[]> {
  const latest = new Map<string, Office | null>();
  let checkpoint = '';
  for (;;) {
    const page = await pull(checkpoint);
    for (const doc of page.documents) {
      if (doc.kind === 'office' && typeof doc.id === 'string') latest.set(doc.id, officeOf(doc));
    }
    if (page.documents.length === 0 || page.checkpoint === null) break;
    const next = String(page.checkpoint.seq);
    // A server that hands the same checkpoint back would otherwise keep this loop going forever.
    if (next === checkpoint) break;
    checkpoint = next;
  }
  return [...latest.values()].filter((office) => office !== null).sort((a, b) => a.name.localeCompare(b.name));
}

function officeOf(doc: Record<string, unknown>): Office | null {
  if (doc._deleted !== false || doc.archived === true) return null;
  const { id, name, data } = doc;
  const code = typeof data === 'object' && data !== null && 'code' in data ? data.code : undefined;
  return typeof id === 'string' && typeof name === 'string' && typeof code === 'string' ? { id, name, code } : null;
}

/**
 * The sentence to show when an admin call failed: the server's own words (which say what to
 * do), or, when the server cannot be reached, that desks and staff are managed online.
 */
export function adminFailure(error: unknown, what: string): string {
  if (error instanceof ApiError) {
    if (error.code === 'offline') return `This desk cannot reach the sync server, so it cannot ${what}: desks and staff are managed on the server. Check the network, then try again.`;
    if (error.code === 'unexpected-response') return `Could not ${what}. ${error.message} Try again; if it keeps failing, tell your IT contact.`;
    return `Could not ${what}. ${error.message}`;
  }
  return `Could not ${what}: ${error instanceof Error ? error.message : String(error)}. Try again; if it keeps failing, tell your IT contact.`;
}
