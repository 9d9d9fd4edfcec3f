// For the API clients' tests: tokens that hand out access-1 and, after the server refuses it, access-2.
import type { AccessTokens } from './access-token.ts';

export function fakeTokens(): AccessTokens & { refreshed: string[] } {
  let current = 'access-1';
  const refreshed: string[] = [];
  return {
    refreshed,
    current: () => Promise.resolve(current),
    afterUnauthorized: (rejected) => {
      refreshed.push(rejected);
      current = 'access-2';
      return Promise.resolve(current);
    },
    session: () => {
      throw new Error('the API clients never read the session');
    },
    replace: () => {
      throw new Error('the API clients never switch the person');
    },
  };
}
