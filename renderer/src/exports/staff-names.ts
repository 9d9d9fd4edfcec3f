// Who took each payment, by name, for the payments export: read on the screen's thread while the
// worker reads the replica. Works offline: the names come from the server when it can be
// reached, and the export goes on without them otherwise.
import { mayPerform } from '@feemaster/core';
import { createAdminApi } from '../api/admin-api.ts';
import { isOfflineSession } from '../api/session.ts';
import type { Desk } from '../desk/open-desk.ts';

/** How long the staff list may take before the export goes on without it. */
const STAFF_LIST_WAIT_MS = 4_000;

/**
 * Staff names by user id: the signed-in person always; everyone else from the server's staff
 * list when this person may read it and the server answers in time.
 */
export async function staffNames(desk: Desk): Promise<{ names: Map<string, string>; note: string | null }> {
  const { user } = desk.session;
  const names = new Map([[user.id, user.displayName]]);
  const withoutList = 'Cashiers other than you are shown by their user id';
  if (!mayPerform(user.role, 'users.view', isOfflineSession(desk.session) ? 'offline' : 'online')) {
    return { names, note: `${withoutList}: only an owner, admin or auditor may read the staff list.` };
  }
  if (!navigator.onLine) return { names, note: `${withoutList}: the staff list comes from the server, and this desk is offline.` };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the server did not answer in time')), STAFF_LIST_WAIT_MS);
    });
    const members = await Promise.race([createAdminApi(desk.session.serverUrl, desk.tokens).members(), late]);
    for (const member of members) names.set(member.userId, member.displayName);
    return { names, note: null };
  } catch (error) {
    return { names, note: `${withoutList}: the staff list could not be read (${error instanceof Error ? error.message : String(error)}).` };
  } finally {
    clearTimeout(timer);
  }
}
