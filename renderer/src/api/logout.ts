// Ends the desk's sign-in on the sync server when the person at the desk signs out, so the
// refresh token left behind on this machine can no longer be used by anyone.
import type { LogoutRequest } from '@feemaster/core';
import { ApiError, requestJson } from './client.ts';
import type { Session } from './session.ts';

/** Signing out must not hang on a dead link: the desk signs out locally after this long. */
export const LOGOUT_TIMEOUT_MS = 5_000;

export interface SignOutOutcome {
  endedOnServer: boolean;
  /** What to tell the person at the desk on the sign-in screen. */
  notice: string;
}

/** What ending a sign-in needs of the session: where, which token, and when it would lapse anyway. */
export type EndableSignIn = Pick<Session, 'serverUrl' | 'refreshToken' | 'refreshExpiresAt' | 'school'>;

/**
 * Asks the server to end the sign-in `session` belongs to (pass the latest rotation of it). Never
 * throws: the desk signs out either way, and the notice says whether the server heard of it.
 */
export async function endSignInOnServer(session: EndableSignIn, timeoutMs = LOGOUT_TIMEOUT_MS): Promise<SignOutOutcome> {
  // An offline session that never reached the server has no sign-in there to end.
  if (!session.refreshToken) return { endedOnServer: false, notice: 'You are signed out. This offline session never reached the server, so there was nothing to end there.' };
  try {
    await requestJson<null>(session.serverUrl, '/api/v1/auth/logout', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: session.refreshToken } satisfies LogoutRequest),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { endedOnServer: true, notice: 'You are signed out.' };
  } catch (error) {
    const expires = expiryDate(session);
    const until = expires ? `it expires on ${expires}` : 'it expires';
    const revoke = 'If this desk may fall into the wrong hands before then, ask an admin to revoke it.';
    if (error instanceof ApiError && error.code === 'offline') {
      return {
        endedOnServer: false,
        notice: `Signed out on this desk. The sync server could not be reached, so the server will end the sign-in when ${until}. ${revoke}`,
      };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      endedOnServer: false,
      notice: `Signed out on this desk, but the server did not confirm that the sign-in ended: ${reason} The server ends it when ${until}. ${revoke}`,
    };
  }
}

function expiryDate(session: EndableSignIn): string | null {
  const expires = new Date(session.refreshExpiresAt);
  if (Number.isNaN(expires.getTime())) return null;
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeZone: session.school.timezone }).format(expires);
  } catch (error) {
    // An unknown time zone name in the settings: fall back to the UTC date rather than fail.
    if (error instanceof RangeError) return `${session.refreshExpiresAt.slice(0, 10)} (UTC)`;
    throw error;
  }
}
