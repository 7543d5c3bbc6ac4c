import { describe, expect, it } from 'vitest';
import { SSEParser, readSSE } from './sse';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('SSEParser', () => {
  it('dispatches one event per blank line with its id and data', () => {
    const parser = new SSEParser();
    const events = parser.feed('id: 1\ndata: {"type":"token","content":"Hi"}\n\nid: 2\ndata: {"type":"done"}\n\n');
    expect(events).toEqual([
      { id: '1', hasId: true, event: 'message', data: '{"type":"token","content":"Hi"}' },
      { id: '2', hasId: true, event: 'message', data: '{"type":"done"}' },
    ]);
  });

  it('joins an event split across chunks at any byte, including a CRLF split in two', () => {
    const text = 'id: 7\r\nevent: token\r\ndata: {"a":1}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SSEParser();
      const events = [...parser.feed(text.slice(0, cut)), ...parser.feed(text.slice(cut))];
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ id: '7', event: 'token', data: '{"a":1}' });
    }
  });

  it('accepts CR-only line ends, comments and multi-line data', () => {
    const parser = new SSEParser();
    const events = [...parser.feed(': keep-alive\rdata: line one\rdata:line two\r\r'), ...parser.end()];
    expect(events).toEqual([{ id: '', hasId: false, event: 'message', data: 'line one\nline two' }]);
  });

  it('keeps the last event id for events that carry none, and ignores unknown fields', () => {
    const parser = new SSEParser('3');
    const events = parser.feed('foo: bar\ndata: x\n\nid: 4\ndata: y\n\ndata: z\n\n');
    expect(events.map((e) => [e.id, e.hasId, e.data])).toEqual([
      ['3', false, 'x'],
      ['4', true, 'y'],
      ['4', false, 'z'],
    ]);
  });

  it('does not dispatch an event without data, nor a half event at the end of the stream', () => {
    const parser = new SSEParser();
    expect(parser.feed('id: 1\n\nevent: x\n\ndata: unfinished')).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('reads the retry field', () => {
    const parser = new SSEParser();
    expect(parser.feed('retry: 1500\ndata: x\n\n')[0].retry).toBe(1500);
  });
});

describe('readSSE', () => {
  it('decodes UTF-8 split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: {"content":"héllo ✓"}\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const out = [];
    for await (const message of readSSE(stream)) out.push(message.data);
    expect(out).toEqual(['{"content":"héllo ✓"}']);
  });

  it('yields every event of a stream', async () => {
    const out = [];
    for await (const message of readSSE(streamOf(['id: 1\ndata: a\n', '\nid: 2\nda', 'ta: b\n\n']))) out.push([message.id, message.data]);
    expect(out).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
  });
});
