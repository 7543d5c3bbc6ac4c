import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import * as authApi from '../api/auth';
import { configureApi, SESSION_EXPIRED_MESSAGE } from '../api/http';
import type { AuthAnswer, User } from '../api/types';
import { clearAuth, expiryOf, hadExpiredAuth, isRemembered, loadAuth, saveAuth, type StoredAuth } from './tokenStore';
import { clearPerUserState } from '../chat/inflightStore';

interface AuthState {
  user: User | null;
  /** Why the user is on the login page (e.g. the session expired), if there is a reason. */
  notice: string | null;
  login: (username: string, password: string, remember: boolean) => Promise<void>;
  register: (username: string, password: string, remember: boolean) => Promise<void>;
  /** Forget the token here; `notice` says why (an expired session). */
  logout: (notice?: string) => void;
  /** The user signs out: the server revokes this token, then the page forgets it. */
  signOut: () => Promise<void>;
  /** Every device of the user is signed out, this one too. */
  signOutEverywhere: () => Promise<void>;
  /** Change the password; the page keeps working with the new token it gets back. */
  changePassword: (oldPassword: string, newPassword: string) => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [initial] = useState(() => {
    const expired = hadExpiredAuth(); // read before loadAuth drops the expired token
    return { auth: loadAuth(), notice: expired ? SESSION_EXPIRED_MESSAGE : null };
  });
  const [auth, setAuth] = useState<StoredAuth | null>(initial.auth);
  const [notice, setNotice] = useState<string | null>(initial.notice);
  const authRef = useRef(auth);
  authRef.current = auth;

  const logout = useCallback((why?: string) => {
    clearAuth();
    clearPerUserState();
    setAuth(null);
    setNotice(why ?? null);
  }, []);

  // Every API call reads the token from here; a 401 on any of them signs the user out.
  configureApi({
    getToken: () => authRef.current?.token ?? null,
    onUnauthorized: (message) => {
      if (authRef.current) logout(message);
    },
  });

  // Sign out when the token runs out, even if the page is idle.
  useEffect(() => {
    if (!auth?.expiresAt) return;
    const ms = auth.expiresAt - Date.now();
    const timer = setTimeout(() => logout(SESSION_EXPIRED_MESSAGE), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    return () => clearTimeout(timer);
  }, [auth, logout]);

  const accept = useCallback((answer: AuthAnswer, remember: boolean) => {
    if (!answer.access_token || !answer.user) throw new Error('The server answered without a token.');
    const stored: StoredAuth = {
      token: answer.access_token,
      user: answer.user,
      expiresAt: expiryOf(answer.access_token, answer.expires_in),
    };
    saveAuth(stored, remember);
    setNotice(null);
    setAuth(stored);
  }, []);

  const login = useCallback(
    async (username: string, password: string, remember: boolean) => accept(await authApi.login(username, password), remember),
    [accept],
  );
  const register = useCallback(
    async (username: string, password: string, remember: boolean) => {
      const answer = await authApi.register(username, password);
      // An API that registers without returning a token: log in with the same credentials.
      accept(answer.access_token ? answer : await authApi.login(username, password), remember);
    },
    [accept],
  );

  const signOut = useCallback(async () => {
    try {
      await authApi.logout();
    } catch {
      /* already invalid, or the server is away: the page forgets the token either way */
    }
    logout();
  }, [logout]);

  const signOutEverywhere = useCallback(async () => {
    await authApi.logoutEverywhere();
    logout('You were signed out on every device.');
  }, [logout]);

  const changePassword = useCallback(
    async (oldPassword: string, newPassword: string) => {
      const answer = await authApi.changePassword(oldPassword, newPassword);
      accept(answer, isRemembered());
    },
    [accept],
  );

  const value = useMemo<AuthState>(
    () => ({ user: auth?.user ?? null, notice, login, register, logout, signOut, signOutEverywhere, changePassword }),
    [auth, notice, login, register, logout, signOut, signOutEverywhere, changePassword],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>');
  return ctx;
}
