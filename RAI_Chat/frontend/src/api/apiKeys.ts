import { apiRequest } from './http';

/** A personal API key, as `/api/keys` lists it (never its secret). */
export interface ApiKey {
  id: string;
  /** Administrators' lists only: the owner. */
  user_id?: string;
  username?: string;
  name: string;
  prefix: string;
  rate_limit: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  active: boolean;
}

export interface UsageTotals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface KeyUsage extends UsageTotals {
  key_id: string | null;
  key_name: string | null;
  key_prefix: string | null;
}

export interface Usage {
  usage: UsageTotals;
  by_key: KeyUsage[];
}

export interface NewKey {
  name: string;
  expires_in_days?: number;
}

export async function listApiKeys(signal?: AbortSignal): Promise<ApiKey[]> {
  const body = await apiRequest<{ keys?: ApiKey[] }>('/api/keys/', { query: { limit: 100 }, signal });
  return body.keys ?? [];
}

/** Makes a key; the answer holds its secret, which the server never shows again. */
export async function createApiKey(key: NewKey): Promise<{ key: ApiKey; secret: string }> {
  return apiRequest<{ key: ApiKey; secret: string }>('/api/keys/', { method: 'POST', body: key });
}

export async function revokeApiKey(id: string): Promise<ApiKey> {
  const body = await apiRequest<{ key: ApiKey }>(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
  return body.key;
}

export async function getUsage(signal?: AbortSignal): Promise<Usage> {
  const body = await apiRequest<Partial<Usage>>('/api/keys/usage', { signal });
  return {
    usage: body.usage ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    by_key: body.by_key ?? [],
  };
}

export interface UserUsage extends UsageTotals {
  user_id: string;
  username: string;
  by_key: KeyUsage[];
}

/** Administrators: every user's keys, with their owners. */
export async function listAllApiKeys(signal?: AbortSignal): Promise<ApiKey[]> {
  const body = await apiRequest<{ keys?: ApiKey[] }>('/api/admin/keys', { query: { limit: 100 }, signal });
  return body.keys ?? [];
}

/** Administrators: every user's usage, by key. */
export async function getAllUsage(signal?: AbortSignal): Promise<UserUsage[]> {
  const body = await apiRequest<{ users?: UserUsage[] }>('/api/admin/usage', { signal });
  return body.users ?? [];
}
