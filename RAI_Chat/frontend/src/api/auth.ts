import { apiRequest } from './http';
import type { AuthAnswer, User } from './types';

export function login(username: string, password: string): Promise<AuthAnswer> {
  return apiRequest<AuthAnswer>('/api/auth/login', { method: 'POST', body: { username, password }, auth: false });
}

export function register(username: string, password: string): Promise<AuthAnswer> {
  return apiRequest<AuthAnswer>('/api/auth/register', { method: 'POST', body: { username, password }, auth: false });
}

export async function fetchMe(): Promise<User> {
  const body = await apiRequest<{ user: User }>('/api/auth/me');
  return body.user;
}

/** Revokes this token on the server (other devices stay signed in). */
export async function logout(): Promise<void> {
  await apiRequest('/api/auth/logout', { method: 'POST', keepalive: true, signOutOn401: false });
}

/** Revokes every token of the user, this one too. */
export async function logoutEverywhere(): Promise<void> {
  await apiRequest('/api/auth/logout-everywhere', { method: 'POST', signOutOn401: false });
}

/** Changes the password; every older token stops working and a new one is returned.
 *  A wrong current password is a 401 that must not sign the user out. */
export function changePassword(oldPassword: string, newPassword: string): Promise<AuthAnswer> {
  return apiRequest<AuthAnswer>('/api/auth/password', {
    method: 'POST',
    body: { old_password: oldPassword, new_password: newPassword },
    signOutOn401: false,
  });
}
