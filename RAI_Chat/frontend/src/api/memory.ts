import { apiRequest } from './http';
import type { EpisodicResult, Fact } from './types';

type RawFact = Partial<Fact> & { id: string; text?: string; content?: string; message_id?: string | null; source_session_id?: string | null };

/** The API names the fact `fact`; `text`/`content` are accepted too. */
export function normaliseFact(raw: RawFact): Fact {
  return {
    ...raw,
    id: String(raw.id),
    fact: raw.fact ?? raw.text ?? raw.content ?? '',
    source_message_id: raw.source_message_id ?? raw.message_id ?? null,
    session_id: raw.session_id ?? raw.source_session_id ?? null,
  };
}

export async function listFacts(): Promise<Fact[]> {
  const body = await apiRequest<{ facts?: RawFact[] }>('/api/memory/facts');
  return (body.facts ?? []).map(normaliseFact);
}

export async function addFact(fact: string): Promise<Fact> {
  const body = await apiRequest<{ fact?: RawFact | string } & Partial<RawFact>>('/api/memory/facts', { method: 'POST', body: { fact } });
  return factFromAnswer(body, fact);
}

export async function updateFact(id: string, fact: string): Promise<Fact> {
  const body = await apiRequest<{ fact?: RawFact | string } & Partial<RawFact>>(`/api/memory/facts/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body: { fact },
  });
  return factFromAnswer(body, fact, id);
}

function factFromAnswer(body: { fact?: RawFact | string } & Partial<RawFact>, text: string, id?: string): Fact {
  if (body.fact && typeof body.fact === 'object') return normaliseFact(body.fact);
  return normaliseFact({ ...body, id: String(body.id ?? id ?? ''), fact: typeof body.fact === 'string' ? body.fact : text });
}

export async function deleteFact(id: string, opts: { keepalive?: boolean } = {}): Promise<void> {
  await apiRequest(`/api/memory/facts/${encodeURIComponent(id)}`, { method: 'DELETE', keepalive: opts.keepalive });
}

export async function searchEpisodic(q: string, k = 10): Promise<EpisodicResult[]> {
  const body = await apiRequest<{ results?: EpisodicResult[] }>('/api/memory/search', { query: { q, k } });
  return body.results ?? [];
}

export async function deleteEpisodic(id: string): Promise<void> {
  await apiRequest(`/api/memory/episodic/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function forgetEverything(): Promise<void> {
  await apiRequest('/api/memory/', { method: 'DELETE' });
}

/** Undo a captured fact: it is removed; a fact it had superseded (a correction) is back. */
export async function undoFact(id: string): Promise<{ undone: Fact; restored: Fact[] }> {
  const body = await apiRequest<{ undone: RawFact; restored?: RawFact[] }>(`/api/memory/facts/${encodeURIComponent(id)}/undo`, { method: 'POST' });
  return { undone: normaliseFact(body.undone), restored: (body.restored ?? []).map(normaliseFact) };
}
