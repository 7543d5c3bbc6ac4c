import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { headerOf, installFetch, jsonResponse, openSseResponse, sse, sseResponse } from '../test/fakeServer';
import { ChatView } from './ChatView';
import { saveInflight } from './inflightStore';

afterEach(() => vi.unstubAllGlobals());

const session = { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a1' };

function Harness({ initial = null as string | null, onStarted = (_: string) => undefined }) {
  const [sessionId, setSessionId] = useState<string | null>(initial);
  return (
    <ChatView
      sessionId={sessionId}
      model={null}
      onSessionStarted={(id) => {
        onStarted(id);
        setSessionId(id);
      }}
      onTurnFinished={() => undefined}
    />
  );
}

const assistantMessages = () => document.querySelectorAll('[data-role="assistant"]');

describe('<ChatView>', () => {
  it('streams an answer into a new chat, then shows its sources', async () => {
    const user = userEvent.setup();
    const onStarted = vi.fn();
    const fetchMock = installFetch({
      'POST /api/chat/': () =>
        sseResponse(
          sse([
            { id: 1, data: session },
            { id: 2, data: { type: 'status', message: 'Searching the web…' } },
            { id: 3, data: { type: 'token', content: '**Paris** is ' } },
            { id: 4, data: { type: 'token', content: 'the capital.' } },
            { id: 5, data: { type: 'done', response: '**Paris** is the capital.', session_id: 's1', assistant_message_id: 'a1', sources: [{ title: 'Wikipedia', url: 'https://en.wikipedia.org/wiki/Paris' }] } },
          ]),
        ),
    });
    render(<Harness onStarted={onStarted} />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Capital of France?{Enter}');
    await waitFor(() => expect(assistantMessages()[0]).toHaveAttribute('data-status', 'done'));
    const answer = assistantMessages()[0] as HTMLElement;
    expect(answer).toHaveAttribute('data-message-id', 'a1');
    expect(within(answer).getByText('Paris').tagName).toBe('STRONG');
    expect(within(answer).getByRole('link', { name: 'Wikipedia' })).toHaveAttribute('href', 'https://en.wikipedia.org/wiki/Paris');
    expect(screen.getByText('Capital of France?')).toBeInTheDocument();
    expect(onStarted).toHaveBeenCalledWith('s1');
    // The chat created by the answer is not reloaded from the server.
    expect(fetchMock.mock.calls.filter(([url]) => String(url).startsWith('/api/session/'))).toHaveLength(0);
    expect(sessionStorage.getItem('rai.inflight')).toBeNull();
  });

  it('shows the status line while the engine works', async () => {
    const user = userEvent.setup();
    const stream = openSseResponse();
    installFetch({ 'POST /api/chat/': () => stream.response });
    render(<Harness />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'news?{Enter}');
    act(() => stream.push([{ id: 1, data: session }, { id: 2, data: { type: 'status', message: 'Searching the web…' } }]));
    expect(await screen.findByText('Searching the web…')).toBeInTheDocument();
    act(() => stream.push([{ id: 3, data: { type: 'done', response: 'Done.' } }]));
    await waitFor(() => expect(screen.queryByText('Searching the web…')).toBeNull());
  });

  it('stops an answer: calls the stop endpoint and keeps what was written', async () => {
    const user = userEvent.setup();
    const stream = openSseResponse();
    const stop = vi.fn(() => jsonResponse({ status: 'success' }));
    installFetch({ 'POST /api/chat/': () => stream.response, 'POST /api/chat/stop': stop });
    render(<Harness />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Write a poem{Enter}');
    act(() => stream.push([{ id: 1, data: session }, { id: 2, data: { type: 'token', content: 'Roses are red' } }]));
    await screen.findByText('Roses are red');
    await user.click(screen.getByRole('button', { name: 'Stop the answer' }));
    await waitFor(() => expect(stop).toHaveBeenCalledOnce());
    const [, init] = stop.mock.calls[0] as unknown as [URL, RequestInit];
    expect(JSON.parse(String(init.body))).toEqual({ session_id: 's1' });
    expect(assistantMessages()[0]).toHaveAttribute('data-status', 'stopped');
    expect(screen.getByText('Stopped')).toBeInTheDocument();
    expect(screen.getByText('Roses are red')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send message' })).toBeInTheDocument();
  });

  it('shows an error in place; Retry regenerates the saved answer instead of sending the message again', async () => {
    const user = userEvent.setup();
    const fetchMock = installFetch({
      'POST /api/chat/': () => sseResponse(sse([{ id: 1, data: session }, { id: 2, data: { type: 'error', error: 'The model is not available.' } }])),
      'POST /api/chat/regenerate': () =>
        sseResponse(sse([{ id: 1, data: { ...session, assistant_message_id: 'a2' } }, { id: 2, data: { type: 'token', content: 'Second try' } }, { id: 3, data: { type: 'done', response: 'Second try' } }])),
      'GET /api/session/s1': () =>
        jsonResponse({
          status: 'success',
          session: { id: 's1', title: 'T', active_leaf_id: 'a2' },
          messages: [
            { id: 'a2', role: 'assistant', content: 'Second try', status: 'complete', parent_id: 'u1', sibling_ids: ['a1', 'a2'], sibling_index: 2, sibling_count: 2 },
            { id: 'u1', role: 'user', content: 'Hi', status: 'complete', parent_id: null, sibling_ids: ['u1'], sibling_index: 1, sibling_count: 1 },
          ],
          next_cursor: null,
        }),
    });
    render(<Harness />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hi{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The model is not available.');
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('Hi');
    await user.click(within(alert).getByRole('button', { name: /Retry/ }));
    await screen.findByText('Second try');
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('');
    expect(screen.queryByText('The model is not available.')).toBeNull();
    expect(screen.getAllByText('Hi')).toHaveLength(1);
    // The message was sent once; the retry asked for a new answer to it.
    const posts = fetchMock.mock.calls.filter(([, init]) => (init as RequestInit | undefined)?.method === 'POST').map(([url, init]) => [String(url), JSON.parse(String((init as RequestInit).body))]);
    expect(posts).toEqual([
      ['/api/chat/', { message: 'Hi', streaming: true }],
      ['/api/chat/regenerate', { message_id: 'a1', streaming: true }],
    ]);
    expect(await screen.findByText('2/2')).toBeInTheDocument();
  });

  it('gives a failed message back to the box; a refused one gets no Retry', async () => {
    const user = userEvent.setup();
    installFetch({ 'POST /api/chat/': () => jsonResponse({ status: 'error', error: 'message: at most 5 characters' }, 400) });
    render(<Harness />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'Too long{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('message: at most 5 characters');
    expect(within(alert).queryByRole('button', { name: /Retry/ })).toBeNull();
    await waitFor(() => expect(box).toHaveValue('Too long'));
  });

  it('offers only the starters the server can answer, into the box', async () => {
    const user = userEvent.setup();
    const { rerender } = render(<ChatView sessionId={null} model={null} onSessionStarted={vi.fn()} onTurnFinished={vi.fn()} capabilities={null} />);
    expect(screen.queryByRole('button', { name: /latest news/ })).toBeNull();
    rerender(
      <ChatView sessionId={null} model={null} onSessionStarted={vi.fn()} onTurnFinished={vi.fn()} capabilities={{ max_message_chars: 100, max_import_bytes: 1, web_search: true }} />,
    );
    await user.click(screen.getByRole('button', { name: /latest news/ }));
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('Summarise the latest news on renewable energy.');
    expect(document.querySelectorAll('[data-role="user"]')).toHaveLength(0);
  });

  it('resumes an answer that was streaming when the page was refreshed', async () => {
    saveInflight({ sessionId: 's1', assistantMessageId: 'a1', userMessageId: 'u1', lastEventId: '5', content: 'The answer ', userText: 'Q' });
    const fetchMock = installFetch({
      'GET /api/session/s1': () =>
        jsonResponse({
          status: 'success',
          session: { id: 's1', title: 'T' },
          messages: [
            { id: 'a1', role: 'assistant', content: 'The ans', status: 'streaming' },
            { id: 'u1', role: 'user', content: 'Q', status: 'done' },
          ],
          next_cursor: null,
        }),
      'GET /api/chat/stream/a1': () => sseResponse(sse([{ id: 6, data: { type: 'token', content: 'is 42.' } }, { id: 7, data: { type: 'done', response: 'The answer is 42.' } }])),
    });
    render(<Harness initial="s1" />);
    await waitFor(() => expect(assistantMessages()[0]).toHaveAttribute('data-status', 'done'));
    expect(assistantMessages()).toHaveLength(1);
    expect(assistantMessages()[0]).toHaveTextContent('The answer is 42.');
    const resume = fetchMock.mock.calls.find(([url]) => String(url) === '/api/chat/stream/a1');
    expect(headerOf(resume?.[1], 'Last-Event-ID')).toBe('5');
    expect(sessionStorage.getItem('rai.inflight')).toBeNull();
  });

  it('keeps the streamed text in sessionStorage while the answer runs', async () => {
    const user = userEvent.setup();
    const stream = openSseResponse();
    installFetch({ 'POST /api/chat/': () => stream.response });
    render(<Harness />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Q{Enter}');
    act(() => stream.push([{ id: 1, data: session }, { id: 2, data: { type: 'token', content: 'Part' } }, { id: 3, data: { type: 'token', content: 'ial' } }]));
    await screen.findByText('Partial');
    const stored = JSON.parse(sessionStorage.getItem('rai.inflight') ?? '{}');
    expect(stored).toMatchObject({ sessionId: 's1', assistantMessageId: 'a1', lastEventId: '3', content: 'Partial' });
  });

  it('renders an XSS attempt in the user message and in the answer inert', async () => {
    const user = userEvent.setup();
    const payload = '<img src=x onerror="window.__xss=1">';
    installFetch({
      'POST /api/chat/': () => sseResponse(sse([{ id: 1, data: session }, { id: 2, data: { type: 'token', content: `Echo: ${payload}` } }, { id: 3, data: { type: 'done' } }])),
    });
    render(<Harness />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), payload.replace(/[{[]/g, (c) => c + c) + '{Enter}');
    await waitFor(() => expect(assistantMessages()[0]).toHaveAttribute('data-status', 'done'));
    expect(document.querySelector('[onerror]')).toBeNull();
    expect(document.querySelectorAll('.message img')).toHaveLength(0);
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
    expect(assistantMessages()[0]).toHaveTextContent(`Echo: ${payload}`);
  });

  it('loads older messages on demand and keeps them in order', async () => {
    const user = userEvent.setup();
    installFetch({
      'GET /api/session/s1': [
        () => jsonResponse({ status: 'success', messages: [{ id: 'm4', role: 'assistant', content: 'four' }, { id: 'm3', role: 'user', content: 'three' }], next_cursor: 'c1' }),
        () => jsonResponse({ status: 'success', messages: [{ id: 'm2', role: 'assistant', content: 'two' }, { id: 'm1', role: 'user', content: 'one' }], next_cursor: null }),
      ],
    });
    render(<Harness initial="s1" />);
    await screen.findByText('four');
    const older = screen.queryByRole('button', { name: 'Load older messages' });
    if (older) await user.click(older);
    await screen.findByText('one');
    const texts = Array.from(document.querySelectorAll('.message .message-body')).map((m) => m.textContent?.trim());
    expect(texts).toEqual(['one', 'two', 'three', 'four']);
    expect(screen.queryByRole('button', { name: 'Load older messages' })).toBeNull();
  });
});

describe('stored messages', () => {
  it('shows the API statuses: complete, interrupted and error', async () => {
    installFetch({
      'GET /api/session/s1': () =>
        jsonResponse({
          status: 'success',
          messages: [
            { id: 'a2', role: 'assistant', content: 'Half', status: 'error', error: 'The engine stopped answering' },
            { id: 'u2', role: 'user', content: 'Q2', status: 'complete' },
            { id: 'a1', role: 'assistant', content: 'Cut', status: 'interrupted' },
            { id: 'u1', role: 'user', content: 'Q1', status: 'complete' },
          ],
          next_cursor: null,
        }),
    });
    render(<Harness initial="s1" />);
    expect(await screen.findByText('The engine stopped answering')).toBeInTheDocument();
    expect(screen.getByText('The answer was interrupted before the end')).toBeInTheDocument();
    expect(document.querySelector('[data-message-id="u1"]')).toHaveAttribute('data-status', 'done');
  });
});

describe('actions', () => {
  it('shows what the assistant did under its answer', async () => {
    const user = userEvent.setup();
    installFetch({
      'POST /api/chat/': () =>
        sseResponse(
          sse([
            { id: 1, data: session },
            { id: 2, data: { type: 'action', action: 'remember', input: ['likes tea'], outcome: 'ok', detail: '' } },
            { id: 3, data: { type: 'action', action: 'web_search', input: ['weather'], outcome: 'failed', detail: 'no provider' } },
            { id: 4, data: { type: 'token', content: 'Noted.' } },
            { id: 5, data: { type: 'done', response: 'Noted.' } },
          ]),
        ),
    });
    render(<Harness />);
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'I like tea{Enter}');
    const list = await screen.findByRole('list', { name: 'What the assistant did' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Remembered: likes tea', 'Searched the web: weather (failed: no provider)']);
    // What changed memory links to the memory panel.
    expect(within(list).getByRole('link', { name: 'Remembered: likes tea' })).toHaveAttribute('href', '/memory');
    // The status line is gone once the answer has words; each answer can be copied.
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy this answer' })).toBeInTheDocument();
  });
});
