// Talks to the sync server's HTTP API. Every failure becomes an ApiError with a code the UI can
// branch on and a message written for the person at the desk.
import type { ErrorBody, LoginRequest, LoginResponse, SetupRequest, SetupStatus } from '@feemaster/core';

export type ApiErrorCode = ErrorBody['error'] | 'offline' | 'unexpected-response';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly status: number | null = null,
    /** With 'choose-school': the schools the account may sign in to. */
    readonly schools: NonNullable<ErrorBody['schools']> = [],
    /** With a refused upload: what is wrong with which document. */
    readonly problems: NonNullable<ErrorBody['problems']> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function requestJson<T>(serverUrl: string, path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  let response: Response;
  try {
    response = await fetch(new URL(path, serverUrl), { ...init, headers });
  } catch (error) {
    // A caller's own abort is theirs to handle; a timeout means the server cannot be reached.
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('offline', `Cannot reach the sync server at ${serverUrl}. Check the network; work saved on this desk is kept.`);
  }
  const text = await response.text();
  const body: unknown = text ? safeParse(text) : null;
  if (!response.ok) {
    if (isErrorBody(body)) throw new ApiError(body.error, body.message, response.status, body.schools ?? [], body.problems ?? []);
    throw new ApiError('unexpected-response', `The sync server answered ${response.status} ${response.statusText}.`, response.status);
  }
  return body as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && 'error' in body && 'message' in body && typeof body.message === 'string';
}

export const api = {
  login: (serverUrl: string, request: LoginRequest) => requestJson<LoginResponse>(serverUrl, '/api/v1/auth/login', { method: 'POST', body: JSON.stringify(request) }),
  setupStatus: (serverUrl: string) => requestJson<SetupStatus>(serverUrl, '/api/v1/setup'),
  setup: (serverUrl: string, request: SetupRequest) =>
    requestJson<{ schoolId: string }>(serverUrl, '/api/v1/setup', { method: 'POST', body: JSON.stringify(request) }),
};
