// The signed-in session of this desk: who, which school, which server, and the access token.
// Kept by the platform (encrypted on desktop) so the desk reopens offline without signing in.
import type { LoginResponse } from '@feemaster/core';
import { platform } from '#platform';

export interface Session extends LoginResponse {
  serverUrl: string;
}

export async function loadSession(): Promise<Session | null> {
  const json = await platform.loadSession();
  if (!json) return null;
  const parsed = JSON.parse(json) as Partial<Session>;
  if (!parsed.accessToken || !parsed.school?.id || !parsed.user?.id || !parsed.serverUrl) return null;
  return parsed as Session;
}

export async function saveSession(session: Session): Promise<void> {
  await platform.saveSession(JSON.stringify(session));
}

export async function clearSession(): Promise<void> {
  await platform.clearSession();
}
