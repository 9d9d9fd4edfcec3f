// Keeps the desk's short-lived access token fresh. Refreshes shortly before expiry, or once after
// a 401, and only one refresh at a time: two refreshes with the same token look like a stolen
// token to the server, which then ends the sign-in. Each rotation is saved with the session.
// A session opened offline gets its first tokens the same way, once the server can be reached.
import type { LoginResponse, RefreshResponse } from '@feemaster/core';
import { ApiError, requestJson } from './client.ts';
import type { Session } from './session.ts';

export interface AccessTokens {
  /** A token valid for at least the next minute (refreshing first when needed). */
  current(): Promise<string>;
  /** After the server refused the current token: refresh once and return the new one. */
  afterUnauthorized(rejected: string): Promise<string>;
  session(): Session;
  /** Another person took over the desk (switch cashier): their session is used from now on. */
  replace(next: Session): void;
}

const REFRESH_MARGIN_MS = 60_000;
/** A refresh the network holds longer than this is given up (and tried again later) rather than holding up every request behind it. */
const REFRESH_TIMEOUT_MS = 15_000;

export function createAccessTokens(initial: Session, persist: (session: Session) => Promise<void>, now: () => number = Date.now): AccessTokens {
  let session = initial;
  let refreshing: Promise<string> | null = null;

  /** Which refresh is the current one (a switch of person drops the one in flight). */
  let attempt = 0;
  const refresh = (): Promise<string> => {
    if (refreshing) return refreshing;
    attempt += 1;
    const mine = attempt;
    refreshing = (async () => {
      const started = session;
      try {
        let next: Session;
        const { pendingOffline, ...signedIn } = started;
        if (pendingOffline) {
          // Back online after an offline sign-in: the desk vouches for it and gets capped tokens.
          const opened = await requestJson<LoginResponse>(started.serverUrl, '/api/v1/auth/offline-session', { method: 'POST', body: JSON.stringify(pendingOffline), signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS) });
          next = { ...signedIn, ...opened };
        } else {
          const rotated = await requestJson<RefreshResponse>(started.serverUrl, '/api/v1/auth/refresh', {
            method: 'POST',
            body: JSON.stringify({ refreshToken: started.refreshToken }),
            signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
          });
          next = { ...started, ...rotated };
        }
        // Another person took over the desk meanwhile: their session stands, not this one.
        if (session !== started) return session.accessToken;
        session = next;
        await persist(session);
        return session.accessToken;
      } catch (error) {
        if (error instanceof ApiError && error.code !== 'offline') {
          throw new ApiError('unauthorized', `${error.message} Sign in again to keep syncing; work on this desk is kept.`, error.status);
        }
        throw error;
      } finally {
        if (attempt === mine) refreshing = null;
      }
    })();
    return refreshing;
  };

  return {
    async current() {
      if (refreshing) return refreshing;
      if (session.pendingOffline) return refresh();
      const expiresAt = Date.parse(session.expiresAt);
      return Number.isFinite(expiresAt) && expiresAt - now() > REFRESH_MARGIN_MS ? session.accessToken : refresh();
    },
    async afterUnauthorized(rejected) {
      if (refreshing) return refreshing;
      // Another caller already replaced the refused token.
      if (session.accessToken !== rejected) return session.accessToken;
      return refresh();
    },
    session: () => session,
    replace(next) {
      session = next;
      attempt += 1;
      refreshing = null;
    },
  };
}
