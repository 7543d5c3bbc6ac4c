import { describe, expect, it } from 'vitest';
import { clearAuth, expiryOf, hadExpiredAuth, jwtExpiry, loadAuth, saveAuth } from './tokenStore';

function jwt(payload: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'HS256' })}.${b64(payload)}.sig`;
}

const user = { id: 'u1', username: 'ada', is_admin: false, created_at: '2026-01-01T00:00:00Z' };

describe('tokenStore', () => {
  it('reads the expiry from the JWT, else from expires_in', () => {
    expect(jwtExpiry(jwt({ exp: 1000 }))).toBe(1_000_000);
    expect(expiryOf('opaque', 60, 0)).toBe(60_000);
    expect(expiryOf('opaque', undefined, 0)).toBeNull();
  });

  it('keeps the token in sessionStorage unless asked to remember it', () => {
    saveAuth({ token: 't', user, expiresAt: null }, false);
    expect(sessionStorage.getItem('rai.auth')).not.toBeNull();
    expect(localStorage.getItem('rai.auth')).toBeNull();
    saveAuth({ token: 't', user, expiresAt: null }, true);
    expect(sessionStorage.getItem('rai.auth')).toBeNull();
    expect(localStorage.getItem('rai.auth')).not.toBeNull();
    expect(loadAuth()?.token).toBe('t');
    clearAuth();
    expect(loadAuth()).toBeNull();
  });

  it('drops an expired token and says so', () => {
    saveAuth({ token: 't', user, expiresAt: Date.now() - 1000 }, false);
    expect(hadExpiredAuth()).toBe(true);
    expect(loadAuth()).toBeNull();
    expect(sessionStorage.getItem('rai.auth')).toBeNull();
  });
});
