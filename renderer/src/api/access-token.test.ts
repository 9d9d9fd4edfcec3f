import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Session } from './session.ts';
import { createAccessTokens } from './access-token.ts';

const session: Session = {
  serverUrl: 'http://sync.example',
  accessToken: 'access-1',
  expiresAt: '2026-03-01T10:15:00.000Z',
  refreshToken: 'refresh-1',
  refreshExpiresAt: '2026-03-31T10:00:00.000Z',
  user: { id: '0190a1b2-0000-7000-8000-000000000001', email: 'c@example.org', displayName: 'Cashier', role: 'cashier' },
  school: { id: '0190a1b2-0000-7000-8000-000000000002', name: 'Hillside', currency: 'KES', timezone: 'Africa/Nairobi' },
  schools: [{ id: '0190a1b2-0000-7000-8000-000000000002', name: 'Hillside', role: 'cashier' }],
};

function fakeServer(responses: (() => Response)[]) {
  const calls: unknown[] = [];
  vi.stubGlobal('fetch', (_url: URL, init: RequestInit) => {
    calls.push(JSON.parse(typeof init.body === 'string' ? init.body : ''));
    const next = responses.shift();
    if (!next) throw new Error('unexpected refresh');
    return Promise.resolve(next());
  });
  return calls;
}
const rotated = (n: number) => () =>
  new Response(JSON.stringify({ accessToken: `access-${n}`, expiresAt: '2026-03-01T10:30:00.000Z', refreshToken: `refresh-${n}`, refreshExpiresAt: '2026-03-31T10:15:00.000Z' }));

afterEach(() => vi.unstubAllGlobals());

describe('access tokens on the desk', () => {
  it('uses the token while it has more than a minute left, then refreshes once for concurrent callers and saves the rotation', async () => {
    const calls = fakeServer([rotated(2)]);
    const saved: Session[] = [];
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const tokens = createAccessTokens(session, async (s) => void saved.push(s), () => clock);
    expect(await tokens.current()).toBe('access-1');
    clock = Date.parse('2026-03-01T10:14:30.000Z');
    expect(await Promise.all([tokens.current(), tokens.current(), tokens.afterUnauthorized('access-1')])).toEqual(['access-2', 'access-2', 'access-2']);
    expect(calls).toEqual([{ refreshToken: 'refresh-1' }]);
    expect(saved.map((s) => [s.accessToken, s.refreshToken])).toEqual([['access-2', 'refresh-2']]);
  });

  it('keeps the person who took over the desk when the previous one’s refresh comes back late', async () => {
    let answer: (response: Response) => void = () => undefined;
    vi.stubGlobal('fetch', () => new Promise<Response>((resolve) => (answer = resolve)));
    const saved: Session[] = [];
    const clock = Date.parse('2026-03-01T10:14:30.000Z');
    const tokens = createAccessTokens(session, async (s) => void saved.push(s), () => clock);
    const late = tokens.current();
    const peter: Session = { ...session, accessToken: 'peter-1', expiresAt: '2026-03-01T11:00:00.000Z', refreshToken: 'peter-refresh', user: { ...session.user, id: '0190a1b2-0000-7000-8000-000000000009', displayName: 'Peter' } };
    tokens.replace(peter);
    answer(rotated(2)());
    expect(await late).toBe('peter-1');
    expect(await tokens.current()).toBe('peter-1');
    expect(tokens.session().user.displayName).toBe('Peter');
    expect(saved).toEqual([]);
  });

  it('refreshes after a 401 only if the refused token is still the current one', async () => {
    const calls = fakeServer([rotated(2)]);
    const tokens = createAccessTokens(session, async () => undefined, () => Date.parse('2026-03-01T10:00:00.000Z'));
    expect(await tokens.afterUnauthorized('access-1')).toBe('access-2');
    expect(await tokens.afterUnauthorized('access-1')).toBe('access-2');
    expect(calls).toHaveLength(1);
  });

  it('turns a refused refresh into a sign-in request that says the work is kept', async () => {
    fakeServer([() => new Response(JSON.stringify({ error: 'unauthorized', message: 'This sign-in has ended.' }), { status: 401 })]);
    const tokens = createAccessTokens(session, async () => undefined, () => Date.parse('2026-03-01T10:15:00.000Z'));
    await expect(tokens.current()).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining('Sign in again to keep syncing') as unknown });
  });

  it('gets the first tokens of an offline session from the server once it answers, and keeps the session capped', async () => {
    const pendingOffline = { deviceId: '0190a1b2-0000-7000-8000-0000000000d2', deviceSecret: 'desk-secret', grant: 'grant', offlineSessionId: '0190a1b2-0000-7000-8000-0000000000f1', startedAt: '2026-03-01T07:00:00.000Z' };
    const offline: Session = { ...session, accessToken: '', refreshToken: '', pendingOffline };
    const calls: { url: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', (url: URL, init: RequestInit) => {
      calls.push({ url: url.pathname, body: JSON.parse(typeof init.body === 'string' ? init.body : '') });
      if (calls.length === 1) return Promise.reject(new TypeError('Failed to fetch'));
      return Promise.resolve(new Response(JSON.stringify({ ...session, accessToken: 'offline-access', refreshToken: 'offline-refresh', offlineSessionId: pendingOffline.offlineSessionId })));
    });
    const saved: Session[] = [];
    const tokens = createAccessTokens(offline, async (s) => void saved.push(s), () => Date.parse('2026-03-01T10:00:00.000Z'));
    await expect(tokens.current()).rejects.toMatchObject({ code: 'offline' });
    expect(await tokens.current()).toBe('offline-access');
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/auth/offline-session', '/api/v1/auth/offline-session']);
    expect(calls[1]?.body).toEqual(pendingOffline);
    expect(saved[0]?.pendingOffline).toBeUndefined();
    expect(saved[0]?.offlineSessionId).toBe(pendingOffline.offlineSessionId);
  });
});
