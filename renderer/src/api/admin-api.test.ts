import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeTokens } from './fake-tokens.ts';
import { OFFICE_PAGE_SIZE, adminFailure, createAdminApi } from './admin-api.ts';
import { ApiError } from './client.ts';

interface Call {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

function stubFetch(answers: (() => Response)[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (url: URL, init: RequestInit) => {
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method: init.method ?? 'GET', url: url.toString(), authorization: new Headers(init.headers).get('authorization'), body });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request to ${url.toString()}`);
    return Promise.resolve(next());
  });
  return calls;
}

const json = (body: unknown, status = 200) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const SCHOOL = '0190a1b2-0000-7000-8000-00000000000a';
const office = (id: string, name: string, code: string, extra: Record<string, unknown> = {}) => ({
  id,
  schoolId: SCHOOL,
  kind: 'office',
  name,
  data: { code },
  createdAt: '2026-03-01T08:00:00.000Z',
  updatedAt: '2026-03-01T08:00:00.000Z',
  _deleted: false,
  ...extra,
});
const settings = { id: 'settings-1', schoolId: SCHOOL, kind: 'settings', name: 'Settings', data: { currency: 'KES' }, _deleted: false };

afterEach(() => vi.unstubAllGlobals());

describe('the admin API client', () => {
  it('reads the offices page by page until the feed is exhausted, keeping the latest state of each', async () => {
    const calls = stubFetch([
      json({ documents: [settings, office('o-main', 'Main office', 'MAIN'), office('o-east', 'East gate', 'EAST')], checkpoint: { seq: 3 } }),
      json({
        documents: [
          office('o-east', 'East gate', 'EAST', { _deleted: true }),
          office('o-annex', 'Annex', 'ANX'),
          office('o-old', 'Old block', 'OLD', { archived: true }),
          { id: 'device-1', kind: 'device', name: 'Desk 2', data: { code: 'D02', officeId: 'o-main' }, _deleted: false },
        ],
        checkpoint: { seq: 7 },
      }),
      json({ documents: [], checkpoint: null }),
    ]);
    const offices = await createAdminApi('http://sync.example', fakeTokens()).offices();
    expect(offices).toEqual([
      { id: 'o-annex', name: 'Annex', code: 'ANX' },
      { id: 'o-main', name: 'Main office', code: 'MAIN' },
    ]);
    expect(calls.map((c) => c.url)).toEqual([
      `http://sync.example/api/v1/sync/reference/1/pull?checkpoint=&limit=${OFFICE_PAGE_SIZE}`,
      `http://sync.example/api/v1/sync/reference/1/pull?checkpoint=3&limit=${OFFICE_PAGE_SIZE}`,
      `http://sync.example/api/v1/sync/reference/1/pull?checkpoint=7&limit=${OFFICE_PAGE_SIZE}`,
    ]);
    expect(calls.every((c) => c.authorization === 'Bearer access-1')).toBe(true);
  });

  it('stops paging when the server hands the same checkpoint back', async () => {
    const page = json({ documents: [office('o-main', 'Main office', 'MAIN')], checkpoint: { seq: 4 } });
    const calls = stubFetch([page, page]);
    expect(await createAdminApi('http://sync.example', fakeTokens()).offices()).toEqual([{ id: 'o-main', name: 'Main office', code: 'MAIN' }]);
    expect(calls).toHaveLength(2);
  });

  it('passes on the server’s refusal with its message and status, after one retry with a fresh token', async () => {
    const message = 'till@hillside.example already has a Fee Master account and signs in with their own password. Leave the password empty to add them to your school.';
    const calls = stubFetch([json({ error: 'unauthorized', message: 'Your access token has expired.' }, 401), json({ error: 'conflict', message }, 409)]);
    const tokens = fakeTokens();
    const adding = createAdminApi('http://sync.example', tokens).addMember({ email: 'till@hillside.example', displayName: 'Till Owino', role: 'cashier', password: 'first-passphrase-1' });
    await expect(adding).rejects.toMatchObject({ code: 'conflict', status: 409, message });
    expect(tokens.refreshed).toEqual(['access-1']);
    expect(calls.map((c) => [c.method, c.url, c.authorization])).toEqual([
      ['POST', 'http://sync.example/api/v1/users', 'Bearer access-1'],
      ['POST', 'http://sync.example/api/v1/users', 'Bearer access-2'],
    ]);
    expect(calls[1]?.body).toEqual({ email: 'till@hillside.example', displayName: 'Till Owino', role: 'cashier', password: 'first-passphrase-1' });
  });

  it('sends role changes, revocations and password resets to their endpoints', async () => {
    const member = { userId: 'u-1', email: 'a@b.example', displayName: 'A', role: 'bursar', addedAt: '2026-03-01T08:00:00.000Z', disabledAt: null };
    const calls = stubFetch([json(member), json({ id: 'd-1' }), () => new Response(null, { status: 204 })]);
    const api = createAdminApi('http://sync.example', fakeTokens());
    expect(await api.updateMember('u-1', { role: 'bursar' })).toEqual(member);
    await api.revokeDevice('d-1', 'Stolen from the office');
    await expect(api.resetPassword('u-1', 'a-new-passphrase')).resolves.toBeUndefined();
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['PUT', 'http://sync.example/api/v1/users/u-1', { role: 'bursar' }],
      ['POST', 'http://sync.example/api/v1/devices/d-1/revoke', { reason: 'Stolen from the office' }],
      ['POST', 'http://sync.example/api/v1/users/u-1/reset-password', { newPassword: 'a-new-passphrase' }],
    ]);
  });
});

describe('what the admin screens say when a call fails', () => {
  it('keeps the server’s own words, and says what to do when the server cannot be reached', () => {
    expect(adminFailure(new ApiError('forbidden', 'Only an owner can make someone an owner.', 403), 'change the role')).toBe('Could not change the role. Only an owner can make someone an owner.');
    expect(adminFailure(new ApiError('offline', 'Cannot reach the sync server.'), 'register the desk')).toMatch(/cannot register the desk: .*Check the network, then try again\.$/);
    expect(adminFailure(new Error('boom'), 'list the desks')).toBe('Could not list the desks: boom. Try again; if it keeps failing, tell your IT contact.');
  });
});
