import { afterEach, describe, expect, it, vi } from 'vitest';
import { configureApi } from './http';
import { runChatTurn, toChatEvent, type ChatEvent } from './chatTurn';
import { headerOf, installFetch, jsonResponse, sse, sseResponse } from '../test/fakeServer';

const session = { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a1' };
const noDelay = () => 0;

afterEach(() => {
  vi.unstubAllGlobals();
  configureApi({ getToken: () => null, onUnauthorized: () => undefined });
});

function collect() {
  const events: ChatEvent[] = [];
  return { events, onEvent: (e: ChatEvent) => events.push(e), text: () => events.filter((e) => e.type === 'token').map((e) => (e as { content: string }).content).join('') };
}

describe('runChatTurn', () => {
  it('posts the message with streaming on and the bearer token, and relays every event', async () => {
    configureApi({ getToken: () => 'tok' });
    const fetchMock = installFetch({
      'POST /api/chat/': () =>
        sseResponse(
          sse([
            { id: 1, data: session },
            { id: 2, data: { type: 'status', message: 'Searching the web' } },
            { id: 3, data: { type: 'token', content: 'Hel' } },
            { id: 4, data: { type: 'token', content: 'lo', extra: 'ignored' } },
            { id: 5, data: { type: 'done', response: 'Hello', session_id: 's1', assistant_message_id: 'a1', sources: [{ title: 'T', url: 'https://x.test' }] } },
          ]),
        ),
    });
    const c = collect();
    const outcome = await runChatTurn({ request: { message: 'hi', model: 'm' }, onEvent: c.onEvent });
    expect(outcome).toBe('done');
    expect(c.events.map((e) => e.type)).toEqual(['session', 'status', 'token', 'token', 'done']);
    expect(c.text()).toBe('Hello');
    const [, init] = fetchMock.mock.calls[0];
    expect(JSON.parse(String(init?.body))).toEqual({ message: 'hi', model: 'm', streaming: true });
    expect(headerOf(init, 'Authorization')).toBe('Bearer tok');
  });

  it('resumes with Last-Event-ID when the connection drops mid-answer, without repeating tokens', async () => {
    const fetchMock = installFetch({
      'POST /api/chat/': () =>
        sseResponse(sse([{ id: 1, data: session }, { id: 2, data: { type: 'token', content: 'One ' } }]), { breakAfter: true }),
      'GET /api/chat/stream/a1': () =>
        sseResponse(
          sse([
            { id: 2, data: { type: 'token', content: 'One ' } }, // a server that replays one too many
            { id: 3, data: { type: 'token', content: 'two' } },
            { id: 4, data: { type: 'done', response: 'One two' } },
          ]),
        ),
    });
    const c = collect();
    const cursors: string[] = [];
    const outcome = await runChatTurn({
      request: { message: 'count' },
      onEvent: (e, cursor) => {
        c.onEvent(e);
        cursors.push(cursor.lastEventId ?? '');
      },
      reconnectDelay: noDelay,
    });
    expect(outcome).toBe('done');
    expect(c.text()).toBe('One two');
    const resume = fetchMock.mock.calls[1];
    expect(String(resume[0])).toBe('/api/chat/stream/a1');
    expect(headerOf(resume[1], 'Last-Event-ID')).toBe('2');
    expect(cursors).toEqual(['1', '2', '3', '4']);
  });

  it('resumes when the stream ends without done or error', async () => {
    installFetch({
      'POST /api/chat/': () => sseResponse(sse([{ id: 1, data: session }, { id: 2, data: { type: 'token', content: 'a' } }])),
      'GET /api/chat/stream/a1': () => sseResponse(sse([{ id: 3, data: { type: 'token', content: 'b' } }, { id: 4, data: { type: 'done' } }])),
    });
    const c = collect();
    expect(await runChatTurn({ request: { message: 'x' }, onEvent: c.onEvent, reconnectDelay: noDelay })).toBe('done');
    expect(c.text()).toBe('ab');
  });

  it('resumes a stored turn (after a page refresh) from its last event id', async () => {
    const fetchMock = installFetch({
      'GET /api/chat/stream/a9': () => sseResponse(sse([{ id: 8, data: { type: 'token', content: 'rest' } }, { id: 9, data: { type: 'done' } }])),
    });
    const c = collect();
    expect(await runChatTurn({ cursor: { sessionId: 's', assistantMessageId: 'a9', lastEventId: '7' }, onEvent: c.onEvent })).toBe('done');
    expect(headerOf(fetchMock.mock.calls[0][1], 'Last-Event-ID')).toBe('7');
    expect(c.text()).toBe('rest');
  });

  it('retries a failing resume and gives up after the limit', async () => {
    let calls = 0;
    installFetch({
      'POST /api/chat/': () => sseResponse(sse([{ id: 1, data: session }]), { breakAfter: true }),
      'GET /api/chat/stream/a1': () => {
        calls++;
        throw new TypeError('offline');
      },
    });
    await expect(runChatTurn({ request: { message: 'x' }, onEvent: () => undefined, maxReconnects: 3, reconnectDelay: noDelay })).rejects.toThrow(/could not be resumed/);
    expect(calls).toBe(3);
  });

  it('reports "gone" when the server no longer has the turn', async () => {
    installFetch({ 'GET /api/chat/stream/a1': () => jsonResponse({ status: 'error', error: 'no such stream' }, 404) });
    expect(await runChatTurn({ cursor: { assistantMessageId: 'a1', lastEventId: '3' }, onEvent: () => undefined })).toBe('gone');
  });

  it('ends on an error event and passes its message', async () => {
    installFetch({ 'POST /api/chat/': () => sseResponse(sse([{ id: 1, data: session }, { id: 2, data: { type: 'error', error: 'The engine is down.' } }])) });
    const c = collect();
    expect(await runChatTurn({ request: { message: 'x' }, onEvent: c.onEvent })).toBe('error');
    expect(c.events.at(-1)).toMatchObject({ type: 'error', error: 'The engine is down.' });
  });

  it('throws the API error of a rejected request, and signals a 401', async () => {
    const onUnauthorized = vi.fn();
    configureApi({ getToken: () => 'old', onUnauthorized });
    installFetch({ 'POST /api/chat/': () => jsonResponse({ status: 'error', error: 'Token expired' }, 401) });
    await expect(runChatTurn({ request: { message: 'x' }, onEvent: () => undefined })).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('shows a clear message when the server cannot be reached before the answer starts', async () => {
    installFetch({
      'POST /api/chat/': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(runChatTurn({ request: { message: 'x' }, onEvent: () => undefined })).rejects.toThrow(/reach the RAI server/);
  });

  it('returns "aborted" when stopped', async () => {
    const controller = new AbortController();
    installFetch({
      'POST /api/chat/': (_url, init) =>
        new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    });
    const running = runChatTurn({ request: { message: 'x' }, onEvent: () => undefined, signal: controller.signal });
    controller.abort();
    expect(await running).toBe('aborted');
  });

  it('accepts a non-streaming JSON answer as the final event', async () => {
    installFetch({ 'POST /api/chat/': () => jsonResponse({ status: 'success', response: 'Hi', session_id: 's2', assistant_message_id: 'a2' }) });
    const c = collect();
    expect(await runChatTurn({ request: { message: 'x' }, onEvent: c.onEvent })).toBe('done');
    expect(c.events[0]).toMatchObject({ type: 'done', response: 'Hi', session_id: 's2' });
  });
});

describe('toChatEvent', () => {
  it('reads the event its JSON `type` names', () => {
    expect(toChatEvent('{"type":"token","content":"x"}')).toEqual({ type: 'token', content: 'x' });
    expect(toChatEvent('{"type":"error","error":"boom","status":"error"}')).toMatchObject({ type: 'error', error: 'boom' });
  });
  it('ignores unknown types, events without a type and bad JSON', () => {
    expect(toChatEvent('{"type":"ping"}')).toBeNull();
    expect(toChatEvent('{"content":"x"}')).toBeNull();
    expect(toChatEvent('not json')).toBeNull();
    expect(toChatEvent('"token"')).toBeNull();
  });
});
