/**
 * Where the access token lives.
 *
 * By default it is kept in sessionStorage: it lives only as long as the browser tab, is not
 * shared with other tabs and is gone when the tab closes. "Keep me signed in" puts it in
 * localStorage instead, until it expires or the user signs out. It is never put in a cookie,
 * so no other site can make the browser send it (no CSRF), and the page renders all model
 * and user text through DOMPurify so that no injected script can read it.
 * The expiry (from the JWT's `exp`, else `expires_in`) is stored with it: an expired token is
 * dropped on load, and the page signs out when it runs out.
 */
import type { User } from '../api/types';

export interface StoredAuth {
  token: string;
  user: User;
  /** Milliseconds since the epoch; null if unknown. */
  expiresAt: number | null;
}

const KEY = 'rai.auth';

function storages(): Storage[] {
  const out: Storage[] = [];
  try {
    out.push(window.sessionStorage);
  } catch {
    /* storage blocked */
  }
  try {
    out.push(window.localStorage);
  } catch {
    /* storage blocked */
  }
  return out;
}

/** The `exp` claim of a JWT in milliseconds, or null. The signature is the server's business. */
export function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

export function expiryOf(token: string, expiresInSeconds?: number, now = Date.now()): number | null {
  return jwtExpiry(token) ?? (typeof expiresInSeconds === 'number' ? now + expiresInSeconds * 1000 : null);
}

export function isExpired(auth: StoredAuth, now = Date.now()): boolean {
  return auth.expiresAt !== null && auth.expiresAt <= now + 5000;
}

export function saveAuth(auth: StoredAuth, remember: boolean): void {
  clearAuth();
  const target = remember ? window.localStorage : window.sessionStorage;
  target.setItem(KEY, JSON.stringify(auth));
}

/** Whether the token is kept on this device ("Keep me signed in"). */
export function isRemembered(): boolean {
  try {
    return window.localStorage.getItem(KEY) !== null;
  } catch {
    return false;
  }
}

export function loadAuth(now = Date.now()): StoredAuth | null {
  for (const storage of storages()) {
    const raw = storage.getItem(KEY);
    if (!raw) continue;
    try {
      const parsed = JSON.parse(raw) as StoredAuth;
      if (typeof parsed.token !== 'string' || !parsed.user) throw new Error('bad shape');
      if (isExpired(parsed, now)) {
        storage.removeItem(KEY);
        return null;
      }
      return parsed;
    } catch {
      storage.removeItem(KEY);
    }
  }
  return null;
}

/** True if a stored token was found but had expired (so the login page can say why). */
export function hadExpiredAuth(now = Date.now()): boolean {
  for (const storage of storages()) {
    const raw = storage.getItem(KEY);
    if (!raw) continue;
    try {
      return isExpired(JSON.parse(raw) as StoredAuth, now);
    } catch {
      return false;
    }
  }
  return false;
}

export function clearAuth(): void {
  for (const storage of storages()) storage.removeItem(KEY);
}
