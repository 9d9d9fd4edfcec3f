// The audit trail API as the desk's audit screen calls it: search pages, summaries, the chain
// check and exports. Each call carries the desk's access token and retries once after a 401.
import {
  AUDIT_API_PATH,
  type AuditExportFormat,
  type AuditFilterQuery,
  type AuditLogsPage,
  type AuditPeriodQuery,
  type AuditSystemSummary,
  type AuditUserSummary,
  type AuditVerifyReport,
  type ErrorBody,
} from '@feemaster/core';
import type { AccessTokens } from './access-token.ts';
import { withToken } from './authorized.ts';
import { ApiError, requestJson } from './client.ts';

/** An export as received: ready to hand to the person at the desk as a file. */
export interface AuditExportFile {
  filename: string;
  blob: Blob;
}

export interface AuditApi {
  /** Newest first; pass the previous page's nextCursor for the next one. */
  logs(filters: AuditFilterQuery, page?: { cursor?: string; limit?: number }): Promise<AuditLogsPage>;
  userSummary(userId: string, period?: AuditPeriodQuery): Promise<AuditUserSummary>;
  systemSummary(period?: AuditPeriodQuery): Promise<AuditSystemSummary>;
  verify(): Promise<AuditVerifyReport>;
  /** The filtered trail, oldest first, as the server writes it (the export is itself audited). */
  exportFile(filters: AuditFilterQuery, format: AuditExportFormat): Promise<AuditExportFile>;
}

export function createAuditApi(serverUrl: string, tokens: AccessTokens): AuditApi {
  const getJson = <T>(path: string, query: QueryValues = {}): Promise<T> =>
    withToken(tokens, (token) => requestJson<T>(serverUrl, `${AUDIT_API_PATH}${path}${queryString(query)}`, { token }));

  return {
    logs: (filters, page = {}) => getJson<AuditLogsPage>('/logs', { ...filters, cursor: page.cursor, limit: page.limit }),
    userSummary: (userId, period = {}) => getJson<AuditUserSummary>(`/user-summary/${encodeURIComponent(userId)}`, period),
    systemSummary: (period = {}) => getJson<AuditSystemSummary>('/system-summary', period),
    verify: () => getJson<AuditVerifyReport>('/verify'),
    exportFile: (filters, format) =>
      withToken(tokens, (token) => requestFile(serverUrl, `${AUDIT_API_PATH}/export${queryString({ ...filters, format })}`, token, `audit.${format}`)),
  };
}

type QueryValues = Readonly<Record<string, string | number | undefined>>;

/** `?a=1&b=x` of the set values, in a stable order; empty filters are left out. */
export function queryString(values: QueryValues): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function requestFile(serverUrl: string, path: string, token: string, fallbackName: string): Promise<AuditExportFile> {
  let response: Response;
  try {
    response = await fetch(new URL(path, serverUrl), { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('offline', `Cannot reach the sync server at ${serverUrl}. Check the network and export again.`);
  }
  if (!response.ok) {
    const body = await errorBodyOf(response);
    if (body) throw new ApiError(body.error, body.message, response.status);
    throw new ApiError('unexpected-response', `The sync server answered ${response.status} ${response.statusText}. Try the export again later.`, response.status);
  }
  return { filename: filenameOf(response.headers.get('content-disposition')) ?? fallbackName, blob: await response.blob() };
}

async function errorBodyOf(response: Response): Promise<ErrorBody | null> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
  return typeof body === 'object' && body !== null && 'error' in body && 'message' in body && typeof body.message === 'string' ? (body as ErrorBody) : null;
}

/** The name the server suggests (`attachment; filename="audit-2026-03-01.csv"`), if it is a plain one. */
export function filenameOf(contentDisposition: string | null): string | null {
  const name = /filename="([^"/\\]+)"/.exec(contentDisposition ?? '')?.[1];
  return name ?? null;
}

/** Hands a file to the person at the desk, as the browser's (or Electron's) download. */
export function saveFile(file: AuditExportFile): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The click starts the download synchronously; the URL may go once the browser has it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
