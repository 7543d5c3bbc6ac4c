import { apiRequest } from './http';
import type { EpisodicResult, Fact } from './types';

export async function listFacts(): Promise<Fact[]> {
  const body = await apiRequest<{ facts: Fact[] }>('/api/memory/facts');
  return body.facts;
}

export async function addFact(fact: string): Promise<Fact> {
  const body = await apiRequest<{ fact: Fact }>('/api/memory/facts', { method: 'POST', body: { fact } });
  return body.fact;
}

export async function updateFact(id: string, fact: string): Promise<Fact> {
  const body = await apiRequest<{ fact: Fact }>(`/api/memory/facts/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body: { fact },
  });
  return body.fact;
}

export async function deleteFact(id: string, opts: { keepalive?: boolean } = {}): Promise<void> {
  await apiRequest(`/api/memory/facts/${encodeURIComponent(id)}`, { method: 'DELETE', keepalive: opts.keepalive });
}

export async function searchEpisodic(q: string, k = 10): Promise<EpisodicResult[]> {
  const body = await apiRequest<{ results: EpisodicResult[] }>('/api/memory/search', { query: { q, k } });
  return body.results;
}

export async function deleteEpisodic(id: string): Promise<void> {
  await apiRequest(`/api/memory/episodic/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function forgetEverything(): Promise<void> {
  await apiRequest('/api/memory/', { method: 'DELETE' });
}

/** Undo a captured fact: it is removed; a fact it had superseded (a correction) is back. */
export async function undoFact(id: string): Promise<{ undone: Fact; restored: Fact[] }> {
  const body = await apiRequest<{ undone: Fact; restored: Fact[] }>(`/api/memory/facts/${encodeURIComponent(id)}/undo`, { method: 'POST' });
  return { undone: body.undone, restored: body.restored };
}
