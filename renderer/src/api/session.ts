// The signed-in session of this desk: who, which school, which server, and the access token.
// Kept by the platform (encrypted on desktop) so the desk reopens offline without signing in.
import type { LoginResponse, OfflineSessionRequest } from '@feemaster/core';
import { platform } from '#platform';

export interface Session extends LoginResponse {
  serverUrl: string;
  /**
   * Set while a session opened on this desk without the server (password checked against the
   * desk's verifier) waits for its tokens: sent to /auth/offline-session once the server answers.
   */
  pendingOffline?: OfflineSessionRequest;
}

/** Signed in on the desk itself: capped at a cashier's work until an online sign-in. */
export function isOfflineSession(session: Session): boolean {
  return session.pendingOffline !== undefined || session.offlineSessionId !== undefined;
}

export async function loadSession(): Promise<Session | null> {
  const json = await platform.loadSession();
  if (!json) return null;
  const parsed = JSON.parse(json) as Partial<Session>;
  if ((!parsed.accessToken && !parsed.pendingOffline) || !parsed.school?.id || !parsed.user?.id || !parsed.serverUrl) return null;
  return { schools: [], ...parsed } as Session;
}

export async function saveSession(session: Session): Promise<void> {
  await platform.saveSession(JSON.stringify(session));
}

export async function clearSession(): Promise<void> {
  await platform.clearSession();
}
