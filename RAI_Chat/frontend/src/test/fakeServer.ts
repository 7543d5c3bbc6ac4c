/** Helpers for tests: fake fetch answers, including SSE streams that end or break. */
import { vi } from 'vitest';

export function sse(events: Array<{ id?: number | string; data: unknown }>): string {
  return events.map((e) => `${e.id !== undefined ? `id: ${e.id}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`).join('');
}

/** A text/event-stream Response; `breakAfter` makes the connection fail after the text is sent. */
export function sseResponse(text: string, opts: { breakAfter?: boolean; chunkSize?: number } = {}): Response {
  const bytes = new TextEncoder().encode(text);
  const size = opts.chunkSize ?? 17;
  let offset = 0;
  // Chunks are handed out one read at a time (an error in start() would drop queued chunks).
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset < bytes.length) {
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
      } else if (opts.breakAfter) controller.error(new TypeError('network error'));
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

/** An SSE Response that stays open until `close()` is called; events can be pushed meanwhile. */
export function openSseResponse() {
  const encoder = new TextEncoder();
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      ctrl = c;
    },
  });
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    push: (events: Array<{ id?: number | string; data: unknown }>) => ctrl.enqueue(encoder.encode(sse(events))),
    close: () => ctrl.close(),
    fail: () => ctrl.error(new TypeError('network error')),
  };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

/**
 * Installs a fake fetch that routes "METHOD /path" to handlers (first match wins; a handler
 * list is consumed in order). Returns the mock so that tests can inspect calls.
 */
export function installFetch(routes: Record<string, Handler | Handler[]>) {
  const mock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const key = `${(init.method ?? 'GET').toUpperCase()} ${url.pathname}`;
    const entry = routes[key];
    if (!entry) return jsonResponse({ status: 'error', error: `no fake route for ${key}` }, 404);
    const handler = Array.isArray(entry) ? (entry.length > 1 ? entry.shift()! : entry[0]) : entry;
    return handler(url, init);
  });
  vi.stubGlobal('fetch', mock);
  return mock;
}

export function headerOf(init: RequestInit | undefined, name: string): string | undefined {
  const headers = (init?.headers ?? {}) as Record<string, string>;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? headers[key] : undefined;
}
