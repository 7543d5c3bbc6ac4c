import { apiRequest } from './http';
import type { EngineModel, StoredMessage } from './types';

/** Stops the answer being written; returns the answer as saved (its text may run a little
 *  past what the page had shown when Stop was pressed). */
export async function stopTurn(sessionId: string): Promise<StoredMessage | null> {
  const body = await apiRequest<{ message?: StoredMessage }>('/api/chat/stop', { method: 'POST', body: { session_id: sessionId } });
  return body.message ?? null;
}

const EMBEDDING_MODEL = /(embed|minilm|^bge-|^e5-|^gte-)/i;

/** The engine also lists its embedding model: that one cannot answer a chat. */
export function isChatModel(model: EngineModel & { type?: string; capabilities?: unknown }): boolean {
  if (model.type && model.type !== 'chat' && model.type !== 'llm') return false;
  return !EMBEDDING_MODEL.test(model.id);
}

/**
 * The engine's models, if the API relays them (`GET /api/chat/models` → `{models:[{id}]}`,
 * or OpenAI's `{data:[{id}]}`). Returns null when the API offers no list.
 */
export async function listModels(signal?: AbortSignal): Promise<EngineModel[] | null> {
  try {
    const body = await apiRequest<{ models?: Array<EngineModel | string>; data?: EngineModel[] }>('/api/chat/models', { signal });
    const raw = body.models ?? body.data;
    if (!Array.isArray(raw)) return null;
    return raw
      .map((m) => (typeof m === 'string' ? { id: m } : m))
      .filter((m) => m && typeof m.id === 'string' && isChatModel(m));
  } catch {
    return null;
  }
}
