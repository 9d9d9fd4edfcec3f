import { afterEach, describe, expect, it, vi } from 'vitest';
import { endSignInOnServer, type EndableSignIn } from './logout.ts';

const signIn: EndableSignIn = {
  serverUrl: 'http://sync.example',
  refreshToken: 'refresh-3',
  refreshExpiresAt: '2026-03-31T10:00:00.000Z',
  school: { id: '0190a1b2-0000-7000-8000-000000000002', name: 'Hillside', currency: 'KES', timezone: 'Africa/Nairobi' },
};

function stubFetch(answer: (url: URL, init: RequestInit) => Promise<Response>) {
  const calls: { url: string; method: string | undefined; body: unknown }[] = [];
  vi.stubGlobal('fetch', (url: URL, init: RequestInit) => {
    calls.push({ url: url.toString(), method: init.method, body: JSON.parse(typeof init.body === 'string' ? init.body : 'null') });
    return answer(url, init);
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('signing out ends the sign-in on the server', () => {
  it('posts the latest refresh token to the logout endpoint and reports the sign-in ended', async () => {
    const calls = stubFetch(() => Promise.resolve(new Response(null, { status: 204 })));
    expect(await endSignInOnServer(signIn)).toEqual({ endedOnServer: true, notice: 'You are signed out.' });
    expect(calls).toEqual([{ url: 'http://sync.example/api/v1/auth/logout', method: 'POST', body: { refreshToken: 'refresh-3' } }]);
  });

  it('signs out locally when the server cannot be reached, and says when the server ends the sign-in', async () => {
    stubFetch(() => Promise.reject(new TypeError('fetch failed')));
    const outcome = await endSignInOnServer(signIn);
    expect(outcome.endedOnServer).toBe(false);
    expect(outcome.notice).toMatch(/^Signed out on this desk\. The sync server could not be reached, so the server will end the sign-in when it expires on .*2026/);
    expect(outcome.notice).toContain('ask an admin to revoke it');
  });

  it('gives up waiting on a link that never answers', async () => {
    stubFetch((_url, init) => new Promise((_resolve, reject) => {
      const { signal } = init;
      signal?.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')));
    }));
    const outcome = await endSignInOnServer(signIn, 20);
    expect(outcome).toMatchObject({ endedOnServer: false, notice: expect.stringContaining('could not be reached') as unknown });
  });

  it('passes on what the server said when it refused', async () => {
    stubFetch(() => Promise.resolve(new Response(JSON.stringify({ error: 'rate-limited', message: 'Too many requests; wait a minute.' }), { status: 429 })));
    const outcome = await endSignInOnServer(signIn);
    expect(outcome.endedOnServer).toBe(false);
    expect(outcome.notice).toContain('did not confirm that the sign-in ended: Too many requests; wait a minute.');
  });
});
