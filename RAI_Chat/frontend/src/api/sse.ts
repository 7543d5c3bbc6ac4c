/**
 * A Server-Sent Events parser for streams read with fetch (EventSource can neither POST nor
 * send an Authorization header). Follows the WHATWG "event stream interpretation" rules:
 * lines end in CRLF, LF or CR; `:` starts a comment; `data` lines are joined with "\n";
 * the last event id persists from one event to the next.
 */

export interface SSEMessage {
  /** The last event id in force when this event was dispatched ('' if none yet). */
  id: string;
  /** Whether this very event carried an `id:` line. */
  hasId: boolean;
  event: string;
  data: string;
  retry?: number;
}

export class SSEParser {
  private buffer = '';
  private data: string[] = [];
  private eventType = '';
  private lastEventId = '';
  private sawId = false;
  private retry: number | undefined;

  constructor(initialLastEventId = '') {
    this.lastEventId = initialLastEventId;
  }

  /** Feeds decoded text; returns the events completed by it. */
  feed(chunk: string): SSEMessage[] {
    this.buffer += chunk;
    const out: SSEMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      // A CR at the very end may be the first half of a CRLF split across chunks: wait.
      if (ch === '\r' && i === this.buffer.length - 1) break;
      const line = this.buffer.slice(start, i);
      if (ch === '\r' && this.buffer[i + 1] === '\n') i++;
      start = i + 1;
      const message = this.processLine(line);
      if (message) out.push(message);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /**
   * At end of stream: a line end held back (a lone CR) is processed; an event without its
   * closing blank line is then discarded, per the spec.
   */
  end(): SSEMessage[] {
    const out: SSEMessage[] = [];
    if (this.buffer.endsWith('\r')) {
      const message = this.processLine(this.buffer.slice(0, -1));
      if (message) out.push(message);
    }
    this.buffer = '';
    this.data = [];
    this.eventType = '';
    this.sawId = false;
    return out;
  }

  get currentLastEventId(): string {
    return this.lastEventId;
  }

  private processLine(line: string): SSEMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.lastEventId = value;
          this.sawId = true;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): SSEMessage | null {
    const hasId = this.sawId;
    this.sawId = false;
    if (this.data.length === 0) {
      this.eventType = '';
      return null;
    }
    const message: SSEMessage = {
      id: this.lastEventId,
      hasId,
      event: this.eventType || 'message',
      data: this.data.join('\n'),
    };
    if (this.retry !== undefined) message.retry = this.retry;
    this.data = [];
    this.eventType = '';
    return message;
  }
}

/** Reads a fetch body as a sequence of SSE messages. Throws if the connection breaks. */
export async function* readSSE(body: ReadableStream<Uint8Array>, initialLastEventId = ''): AsyncGenerator<SSEMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parser = new SSEParser(initialLastEventId);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const message of parser.feed(decoder.decode(value, { stream: true }))) yield message;
    }
    for (const message of parser.feed(decoder.decode())) yield message;
    for (const message of parser.end()) yield message;
  } finally {
    // Closing early (the caller stopped iterating) must not leave the connection open.
    reader.cancel().catch(() => undefined);
  }
}
