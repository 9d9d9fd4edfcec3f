// Calls to the sync server that need the desk's access token, refreshed once if the server refuses it.
import type { AccessTokens } from './access-token.ts';
import { ApiError } from './client.ts';

/** Runs `call` with the current token; once more with a fresh one if the server refused it. */
export async function withToken<T>(tokens: AccessTokens, call: (token: string) => Promise<T>): Promise<T> {
  const token = await tokens.current();
  try {
    return await call(token);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    return call(await tokens.afterUnauthorized(token));
  }
}
