/**
 * One chat turn over Server-Sent Events: POST /api/chat/ with `streaming: true`, then, if the
 * connection drops before the closing `done`/`error`, GET /api/chat/stream/<assistant_message_id>
 * with `Last-Event-ID` until the turn ends. The same code resumes a turn after a page refresh.
 */
import { ApiError, NETWORK_ERROR_MESSAGE, isAbortError, openRequest } from './http';
import { readSSE } from './sse';
import type { ActionEvent, DoneEvent, ErrorEvent, SessionEvent, StatusEvent, StreamEvent, TokenEvent } from './types';

export type { ActionEvent, DoneEvent, ErrorEvent, SessionEvent, StatusEvent, TokenEvent };
/** An event of the turn's stream (generated from the API's OpenAPI document). */
export type ChatEvent = StreamEvent;

/** What a client needs to pick a turn up again. */
export interface TurnCursor {
  sessionId?: string;
  userMessageId?: string;
  assistantMessageId?: string;
  lastEventId?: string;
}

export type TurnOutcome = 'done' | 'error' | 'aborted' | 'gone';

export interface ChatRequest {
  message: string;
  session_id?: string;
  model?: string;
  /** Documents to attach to the new chat this message starts. */
  document_ids?: string[];
}

/** A turn on a message already saved: regenerate, edit or continue it (see api/branches.ts). */
export interface BranchRequest {
  message_id: string;
  /** The edited text (edit only). */
  message?: string;
  model?: string;
}

export interface RunTurnOptions {
  /** A new turn to send; leave out to resume `cursor`. */
  request?: ChatRequest | BranchRequest;
  /** Where `request` is POSTed (default the chat endpoint); every one answers with the same SSE. */
  path?: string;
  cursor?: TurnCursor;
  signal?: AbortSignal;
  onEvent: (event: ChatEvent, cursor: TurnCursor) => void;
  /** How many times in a row to try to resume a dropped stream before giving up. */
  maxReconnects?: number;
  /** Delay before reconnect attempt n (1-based), in ms. */
  reconnectDelay?: (attempt: number) => number;
}

export class StreamLostError extends Error {
  constructor(message = 'The connection was lost and the answer could not be resumed.') {
    super(message);
    this.name = 'StreamLostError';
  }
}

const defaultDelay = (attempt: number) => Math.min(500 * 2 ** (attempt - 1), 8000);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

const EVENT_TYPES: ReadonlySet<string> = new Set<ChatEvent['type']>(['session', 'status', 'token', 'action', 'done', 'error']);

/** The event a `data:` line carries (its JSON `type` says which); null for anything else. */
export function toChatEvent(data: string): ChatEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const type = (parsed as { type?: unknown }).type;
  return typeof type === 'string' && EVENT_TYPES.has(type) ? (parsed as ChatEvent) : null;
}

function numericId(id: string | undefined): number | null {
  if (id === undefined || id === '' || !/^\d+$/.test(id)) return null;
  return Number(id);
}

export async function runChatTurn(options: RunTurnOptions): Promise<TurnOutcome> {
  const { request, path = '/api/chat/', signal, onEvent, maxReconnects = 6, reconnectDelay = defaultDelay } = options;
  const cursor: TurnCursor = { ...options.cursor };
  if (!request && !cursor.assistantMessageId) throw new Error('runChatTurn needs a request or an assistant message id to resume.');
  let sendRequest = Boolean(request);
  let failures = 0;

  for (;;) {
    let res: Response;
    try {
      if (sendRequest && request) {
        res = await openRequest(path, {
          method: 'POST',
          body: { ...request, streaming: true },
          headers: { Accept: 'text/event-stream' },
          signal,
        });
      } else {
        const headers: Record<string, string> = { Accept: 'text/event-stream' };
        if (cursor.lastEventId) headers['Last-Event-ID'] = cursor.lastEventId;
        res = await openRequest(`/api/chat/stream/${encodeURIComponent(cursor.assistantMessageId ?? '')}`, { headers, signal });
      }
    } catch (err) {
      if (signal?.aborted || isAbortError(err)) return 'aborted';
      if (err instanceof ApiError && err.status !== 0) {
        // The turn is over and no longer buffered: the caller reloads the saved messages.
        if (!sendRequest && (err.status === 404 || err.status === 410)) return 'gone';
        if (!sendRequest && err.status >= 500 && failures < maxReconnects) {
          failures++;
          await sleep(reconnectDelay(failures), signal);
          continue;
        }
        throw err;
      }
      // A network failure: before the server named the answer there is nothing to resume.
      if (!cursor.assistantMessageId) throw err instanceof ApiError ? err : new ApiError(NETWORK_ERROR_MESSAGE, 0);
      failures++;
      if (failures > maxReconnects) throw new StreamLostError();
      await sleep(reconnectDelay(failures), signal);
      if (signal?.aborted) return 'aborted';
      sendRequest = false;
      continue;
    }
    sendRequest = false;

    const contentType = res.headers.get('Content-Type') ?? '';
    if (!contentType.includes('text/event-stream')) {
      // An API that answered without streaming: treat its JSON as the closing `done`.
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      const done = { ...body, type: 'done' } as DoneEvent;
      if (done.session_id) cursor.sessionId = done.session_id;
      if (done.assistant_message_id) cursor.assistantMessageId = done.assistant_message_id;
      onEvent(done, { ...cursor });
      return 'done';
    }

    try {
      for await (const message of readSSE(res.body as ReadableStream<Uint8Array>, cursor.lastEventId ?? '')) {
        if (message.hasId) {
          // A resumed stream must not repeat what was already shown.
          const seen = numericId(cursor.lastEventId);
          const now = numericId(message.id);
          if (seen !== null && now !== null && now <= seen) continue;
          cursor.lastEventId = message.id;
        }
        const event = toChatEvent(message.data);
        if (!event) continue;
        failures = 0;
        if (event.type === 'session') {
          if (event.session_id) cursor.sessionId = event.session_id;
          if (event.user_message_id) cursor.userMessageId = event.user_message_id;
          if (event.assistant_message_id) cursor.assistantMessageId = event.assistant_message_id;
        } else if (event.type === 'done') {
          if (event.session_id) cursor.sessionId = event.session_id;
          if (event.assistant_message_id) cursor.assistantMessageId = event.assistant_message_id;
          if (event.user_message_id) cursor.userMessageId = event.user_message_id;
        }
        onEvent(event, { ...cursor });
        if (event.type === 'done') return 'done';
        if (event.type === 'error') return 'error';
      }
    } catch (err) {
      if (signal?.aborted || isAbortError(err)) return 'aborted';
      // The connection broke mid-stream: fall through to resume.
    }
    if (signal?.aborted) return 'aborted';
    if (!cursor.assistantMessageId) throw new StreamLostError('The connection was lost before the answer started.');
    failures++;
    if (failures > maxReconnects) throw new StreamLostError();
    await sleep(reconnectDelay(failures), signal);
    if (signal?.aborted) return 'aborted';
  }
}
