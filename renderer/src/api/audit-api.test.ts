import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeTokens } from './fake-tokens.ts';
import { createAuditApi, filenameOf, queryString } from './audit-api.ts';

function stubFetch(answers: ((url: URL) => Response)[]) {
  const calls: { url: string; authorization: string | null }[] = [];
  vi.stubGlobal('fetch', (url: URL, init: RequestInit) => {
    calls.push({ url: url.toString(), authorization: new Headers(init.headers).get('authorization') });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request to ${url.toString()}`);
    return Promise.resolve(next(url));
  });
  return calls;
}

const json = (body: unknown, status = 200) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refused = json({ error: 'unauthorized', message: 'Your access token has expired.' }, 401);
const emptyPage = { entries: [], nextCursor: null };

afterEach(() => vi.unstubAllGlobals());

describe('the audit API client', () => {
  it('sends the set filters and the cursor with the bearer token, leaving empty ones out', async () => {
    const calls = stubFetch([json(emptyPage)]);
    const api = createAuditApi('http://sync.example', fakeTokens());
    await api.logs({ action: 'students.', entityType: '', from: '2026-03-01' }, { cursor: '42', limit: 50 });
    expect(calls).toEqual([{ url: 'http://sync.example/api/v1/audit/logs?action=students.&from=2026-03-01&cursor=42&limit=50', authorization: 'Bearer access-1' }]);
  });

  it('refreshes once after a 401 and retries with the new token', async () => {
    const calls = stubFetch([refused, json({ ok: true, entries: 3, checkpoint: null, broken: null })]);
    const tokens = fakeTokens();
    const report = await createAuditApi('http://sync.example', tokens).verify();
    expect(report).toMatchObject({ ok: true, entries: 3 });
    expect(tokens.refreshed).toEqual(['access-1']);
    expect(calls.map((c) => c.authorization)).toEqual(['Bearer access-1', 'Bearer access-2']);
  });

  it('does not retry a second time when the fresh token is refused too', async () => {
    const calls = stubFetch([refused, refused]);
    await expect(createAuditApi('http://sync.example', fakeTokens()).verify()).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    expect(calls).toHaveLength(2);
  });

  it('passes on a refusal other than 401 without refreshing', async () => {
    stubFetch([json({ error: 'forbidden', message: 'The audit trail is open to owner, admin, auditor accounts.' }, 403)]);
    const tokens = fakeTokens();
    await expect(createAuditApi('http://sync.example', tokens).logs({})).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    expect(tokens.refreshed).toEqual([]);
  });

  it('downloads an export as a file named by the server, with the filters and format in the query', async () => {
    const csv = '\ufeffseq,at,action\r\n7,2026-03-01T08:00:00.000Z,students.create\r\n';
    const calls = stubFetch([
      () => new Response(csv, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="audit-2026-03-01.csv"' } }),
    ]);
    const file = await createAuditApi('http://sync.example', fakeTokens()).exportFile({ action: 'students.' }, 'csv');
    expect(calls[0]?.url).toBe('http://sync.example/api/v1/audit/export?action=students.&format=csv');
    expect(calls[0]?.authorization).toBe('Bearer access-1');
    expect(file.filename).toBe('audit-2026-03-01.csv');
    expect(await file.blob.text()).toContain('7,2026-03-01T08:00:00.000Z,students.create');
  });

  it('retries an export refused with 401, and says what to do when the server is unreachable', async () => {
    stubFetch([refused, () => new Response('{}', { headers: { 'content-disposition': 'attachment' } })]);
    const file = await createAuditApi('http://sync.example', fakeTokens()).exportFile({}, 'json');
    expect(file.filename).toBe('audit.json');

    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    await expect(createAuditApi('http://sync.example', fakeTokens()).exportFile({}, 'csv')).rejects.toMatchObject({
      code: 'offline',
      message: expect.stringContaining('Check the network and export again') as unknown,
    });
  });

  it('builds query strings and reads only plain file names', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ userId: undefined, action: 'a&b' })).toBe('?action=a%26b');
    expect(filenameOf('attachment; filename="../../etc/passwd"')).toBeNull();
    expect(filenameOf(null)).toBeNull();
  });
});
