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
