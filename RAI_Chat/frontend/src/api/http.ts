/**
 * The one place that talks HTTP to the RAI API: adds the bearer token, turns the API's error
 * envelope `{"status":"error","error":"..."}` into an ApiError, and reports a 401 on an
 * authenticated call so the page can send the user back to the login screen.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(message: string, status: number, body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

export const NETWORK_ERROR_MESSAGE = "Can't reach the RAI server. Check your connection and try again.";
export const SESSION_EXPIRED_MESSAGE = 'Your session has expired. Please sign in again.';

interface ApiConfig {
  getToken: () => string | null;
  onUnauthorized: (message: string) => void;
  baseUrl: string;
}

const config: ApiConfig = {
  getToken: () => null,
  onUnauthorized: () => undefined,
  baseUrl: '',
};

export function configureApi(next: Partial<ApiConfig>): void {
  Object.assign(config, next);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function apiUrl(path: string, query?: Query): string {
  let url = config.baseUrl + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  return url;
}

export interface RequestOptions {
  method?: string;
  /** JSON, or a FormData sent as multipart. */
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the bearer token (default true). Login and register send none. */
  auth?: boolean;
  keepalive?: boolean;
  /** A 401 signs the user out (default true); false where a 401 means something else
   *  (a wrong current password) or the user is signing out anyway. */
  signOutOn401?: boolean;
}

/** Reads the error text out of any body the API (or a proxy in front of it) may send. */
export function errorMessageFrom(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string' && b.error) return b.error;
    if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') {
      return (b.error as { message: string }).message;
    }
    if (typeof b.message === 'string' && b.message) return b.message;
    if (typeof b.detail === 'string' && b.detail) return b.detail;
  }
  if (typeof body === 'string' && body.trim() && body.length < 300 && !body.trim().startsWith('<')) {
    return body.trim();
  }
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again in a moment.`;
  return `Request failed (HTTP ${status}).`;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Opens a request and returns the raw Response once it is known to be a success.
 * Errors (HTTP or network) are thrown as ApiError; a 401 on an authenticated call also
 * calls the configured onUnauthorized.
 */
export async function openRequest(path: string, options: RequestOptions = {}): Promise<Response> {
  const { method = 'GET', body, query, signal, auth = true, keepalive, signOutOn401 = true } = options;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = auth ? config.getToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    // multipart: the browser writes the Content-Type with its boundary.
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { method, headers, body: payload, signal, keepalive });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(NETWORK_ERROR_MESSAGE, 0);
  }
  if (!res.ok) {
    const errBody = await readBody(res).catch(() => null);
    if (res.status === 401 && auth && token && signOutOn401) {
      config.onUnauthorized(SESSION_EXPIRED_MESSAGE);
      throw new ApiError(SESSION_EXPIRED_MESSAGE, 401, errBody);
    }
    throw new ApiError(errorMessageFrom(errBody, res.status), res.status, errBody);
  }
  return res;
}

/** A JSON request: returns the parsed body of a success. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await openRequest(path, options);
  const body = await readBody(res);
  return (body ?? {}) as T;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException ? err.name === 'AbortError' : (err as { name?: string })?.name === 'AbortError';
}
