import { apiRequest, openRequest } from './http';
import type { ChatSession, Page, StoredMessage } from './types';

export async function listSessions(opts: { q?: string; cursor?: string | null; limit?: number; signal?: AbortSignal }): Promise<Page<ChatSession>> {
  const body = await apiRequest<{ sessions?: ChatSession[]; next_cursor?: string | null }>('/api/session/', {
    query: { limit: opts.limit ?? 30, cursor: opts.cursor, q: opts.q },
    signal: opts.signal,
  });
  return { items: body.sessions ?? [], nextCursor: body.next_cursor ?? null };
}

export interface SessionMessagesPage extends Page<StoredMessage> {
  session: ChatSession | null;
}

/** One page of a session's messages, newest first as the API sends them. */
export async function fetchSessionMessages(
  sessionId: string,
  opts: { cursor?: string | null; limit?: number; signal?: AbortSignal } = {},
): Promise<SessionMessagesPage> {
  const body = await apiRequest<{ session?: ChatSession; messages?: StoredMessage[]; next_cursor?: string | null }>(
    `/api/session/${encodeURIComponent(sessionId)}`,
    { query: { limit: opts.limit ?? 50, cursor: opts.cursor }, signal: opts.signal },
  );
  return { session: body.session ?? null, items: body.messages ?? [], nextCursor: body.next_cursor ?? null };
}

export async function renameSession(sessionId: string, title: string): Promise<ChatSession> {
  const body = await apiRequest<{ session: ChatSession }>(`/api/session/${encodeURIComponent(sessionId)}`, {
    method: 'PATCH',
    body: { title },
  });
  return body.session;
}

export async function deleteSession(sessionId: string, opts: { keepalive?: boolean } = {}): Promise<void> {
  await apiRequest(`/api/session/${encodeURIComponent(sessionId)}`, { method: 'DELETE', keepalive: opts.keepalive });
}

export type ExportFormat = 'json' | 'markdown';

/** The transcript as a file: its text, a file name and a MIME type. */
export async function exportSession(sessionId: string, format: ExportFormat): Promise<{ blob: Blob; filename: string }> {
  const res = await openRequest(`/api/session/${encodeURIComponent(sessionId)}/export`, {
    query: { format },
    headers: { Accept: format === 'json' ? 'application/json' : 'text/markdown, text/plain, application/json' },
  });
  let text = await res.text();
  const type = format === 'json' ? 'application/json' : 'text/markdown';
  if (format === 'markdown' && (res.headers.get('Content-Type') ?? '').includes('json')) {
    // An API may wrap the markdown in JSON: {"status":"success","markdown":"..."}.
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const inner = parsed.markdown ?? parsed.content ?? parsed.transcript;
      if (typeof inner === 'string') text = inner;
    } catch {
      /* keep the text as it came */
    }
  }
  const filename = filenameFrom(res.headers.get('Content-Disposition')) ?? `rai-chat-${sessionId}.${format === 'json' ? 'json' : 'md'}`;
  return { blob: new Blob([text], { type }), filename };
}

function filenameFrom(disposition: string | null): string | null {
  if (!disposition) return null;
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return match ? decodeURIComponent(match[1]) : null;
}

export async function importSession(transcript: unknown): Promise<ChatSession> {
  const body = await apiRequest<{ session: ChatSession }>('/api/session/import', { method: 'POST', body: transcript });
  return body.session;
}
