import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatSession, StoredMessage } from '../api/types';
import { headerOf, installFetch, jsonResponse, openSseResponse, sse, sseResponse } from '../test/fakeServer';
import { ChatView } from './ChatView';
import { saveInflight } from './inflightStore';

afterEach(() => vi.unstubAllGlobals());

const q1: StoredMessage = { id: 'u1', session_id: 's1', created_at: '2026-01-01T00:00:00Z', role: 'user', content: 'Name a colour', status: 'complete', parent_id: null, sibling_ids: ['u1'], sibling_index: 1, sibling_count: 1 };
const a1: StoredMessage = { id: 'a1', session_id: 's1', created_at: '2026-01-01T00:00:01Z', role: 'assistant', content: 'Blue.', status: 'complete', parent_id: 'u1', sibling_ids: ['a1'], sibling_index: 1, sibling_count: 1, can_continue: false };

/** GET /api/session/s1 as the API gives it: the active branch, newest first. */
const sessionPage = (...branch: StoredMessage[]) => () =>
  jsonResponse({ status: 'success', session: { id: 's1', title: 'Colours', active_leaf_id: branch[branch.length - 1]?.id }, messages: [...branch].reverse(), next_cursor: null });

function renderChat(onForked = vi.fn<(session: ChatSession) => void>()) {
  render(<ChatView sessionId="s1" model={null} onSessionStarted={vi.fn()} onTurnFinished={vi.fn()} onForked={onForked} />);
  return onForked;
}

const bubble = (id: string) => document.querySelector(`[data-message-id="${id}"]`) as HTMLElement;
const assistants = () => Array.from(document.querySelectorAll<HTMLElement>('[data-role="assistant"]'));
const users = () => Array.from(document.querySelectorAll<HTMLElement>('[data-role="user"]'));
const posted = (mock: ReturnType<typeof installFetch>, path: string) =>
  mock.mock.calls.filter(([url, init]) => String(url) === path && (init as RequestInit | undefined)?.method !== 'GET').map(([, init]) => JSON.parse(String((init as RequestInit).body)));

describe('regenerate and the version switcher', () => {
  it('regenerates an answer, shows 2/2, and switches back to the first answer', async () => {
    const user = userEvent.setup();
    const a2: StoredMessage = { ...a1, id: 'a2', content: 'Green.', sibling_ids: ['a1', 'a2'], sibling_index: 2, sibling_count: 2 };
    const stream = openSseResponse();
    const mock = installFetch({
      'GET /api/session/s1': [sessionPage(q1, a1), sessionPage(q1, a2), sessionPage(q1, { ...a1, sibling_ids: ['a1', 'a2'], sibling_index: 1, sibling_count: 2 })],
      'POST /api/chat/regenerate': () => stream.response,
      'PUT /api/session/s1/active': () => jsonResponse({ status: 'success', session: { id: 's1', title: 'Colours', active_leaf_id: 'a1' } }),
    });
    renderChat();
    await screen.findByText('Blue.');
    expect(screen.queryByRole('group', { name: 'Versions of this answer' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Regenerate this answer' }));
    // The old answer leaves the branch shown; the new one streams in its place.
    await waitFor(() => expect(screen.queryByText('Blue.')).toBeNull());
    expect(assistants()).toHaveLength(1);
    expect(assistants()[0]).toHaveAttribute('data-status', 'streaming');
    // Nothing can be started on the chat while it streams.
    expect(screen.getByRole('button', { name: 'Edit this message' })).toBeDisabled();
    act(() => stream.push([{ id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a2' } }, { id: 2, data: { type: 'token', content: 'Gre' } }]));
    await waitFor(() => expect(assistants()[0]).toHaveAttribute('data-message-id', 'a2'));
    act(() => {
      stream.push([{ id: 3, data: { type: 'token', content: 'en.' } }, { id: 4, data: { type: 'done', response: 'Green.', assistant_message_id: 'a2' } }]);
      stream.close();
    });
    expect(posted(mock, '/api/chat/regenerate')).toEqual([{ message_id: 'a1', streaming: true }]);
    await screen.findByText('Green.');
    await waitFor(() => expect(assistants()[0]).toHaveAttribute('data-status', 'done'));
    const versions = screen.getByRole('group', { name: 'Versions of this answer' });
    expect(versions).toHaveTextContent('2/2');
    expect(within(versions).getByRole('button', { name: 'Next version of this answer' })).toBeDisabled();
    expect(users()).toHaveLength(1);

    await user.click(within(versions).getByRole('button', { name: 'Previous version of this answer' }));
    await screen.findByText('Blue.');
    expect(posted(mock, '/api/session/s1/active')).toEqual([{ message_id: 'a1' }]);
    expect(screen.getByRole('group', { name: 'Versions of this answer' })).toHaveTextContent('1/2');
    expect(screen.queryByText('Green.')).toBeNull();
  });

  it('says why a regenerate was refused (409) and leaves the answer as it was', async () => {
    const user = userEvent.setup();
    installFetch({
      'GET /api/session/s1': sessionPage(q1, a1),
      'POST /api/chat/regenerate': () => jsonResponse({ status: 'error', error: 'An answer is already being written in this chat.' }, 409),
    });
    renderChat();
    await screen.findByText('Blue.');
    await user.click(screen.getByRole('button', { name: 'Regenerate this answer' }));
    expect(await screen.findByText('An answer is already being written in this chat.')).toBeInTheDocument();
    expect(assistants()).toHaveLength(1);
    expect(assistants()[0]).toHaveAttribute('data-message-id', 'a1');
    expect(assistants()[0]).toHaveAttribute('data-status', 'done');
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('An answer is already being written in this chat.')).toBeNull();
  });
});

describe('edit in place', () => {
  it('Esc cancels the edit; Enter sends the new version, answered anew', async () => {
    const user = userEvent.setup();
    const u2: StoredMessage = { ...q1, id: 'u2', content: 'Name a fruit', sibling_ids: ['u1', 'u2'], sibling_index: 2, sibling_count: 2 };
    const b2: StoredMessage = { ...a1, id: 'b2', content: 'Apple.', parent_id: 'u2' };
    const mock = installFetch({
      'GET /api/session/s1': [sessionPage(q1, a1), sessionPage(u2, b2)],
      'POST /api/chat/edit': () =>
        sseResponse(
          sse([
            { id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u2', assistant_message_id: 'b2' } },
            { id: 2, data: { type: 'token', content: 'Apple.' } },
            { id: 3, data: { type: 'done', response: 'Apple.' } },
          ]),
        ),
    });
    renderChat();
    await screen.findByText('Blue.');

    await user.click(screen.getByRole('button', { name: 'Edit this message' }));
    const editor = screen.getByRole('textbox', { name: 'Edit your message' });
    expect(editor).toHaveValue('Name a colour');
    expect(editor).toHaveFocus();
    await user.type(editor, ' please');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('textbox', { name: 'Edit your message' })).toBeNull();
    expect(screen.getByText('Name a colour')).toBeInTheDocument();
    expect(posted(mock, '/api/chat/edit')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Edit this message' }));
    const again = screen.getByRole('textbox', { name: 'Edit your message' });
    expect(again).toHaveValue('Name a colour');
    await user.clear(again);
    await user.type(again, 'Name a{Shift>}{Enter}{/Shift}fruit');
    expect(again).toHaveValue('Name a\nfruit');
    await user.clear(again);
    await user.type(again, 'Name a fruit{Enter}');
    await screen.findByText('Apple.');
    expect(posted(mock, '/api/chat/edit')).toEqual([{ message_id: 'u1', message: 'Name a fruit', streaming: true }]);
    expect(screen.queryByText('Name a colour')).toBeNull();
    expect(screen.queryByText('Blue.')).toBeNull();
    expect(await screen.findByRole('group', { name: 'Versions of this message' })).toHaveTextContent('2/2');
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveFocus();
  });

  it('↑ in the empty box edits the last message; not when the box has text', async () => {
    const user = userEvent.setup();
    const q2: StoredMessage = { ...q1, id: 'u2', content: 'And another?', parent_id: 'a1' };
    installFetch({ 'GET /api/session/s1': sessionPage(q1, a1, q2, { ...a1, id: 'a2', content: 'Red.', parent_id: 'u2' }) });
    renderChat();
    await screen.findByText('Red.');
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.click(box);
    await user.type(box, 'x{ArrowUp}');
    expect(screen.queryByRole('textbox', { name: 'Edit your message' })).toBeNull();
    await user.clear(box);
    await user.keyboard('{ArrowUp}');
    const editor = screen.getByRole('textbox', { name: 'Edit your message' });
    expect(editor).toHaveValue('And another?');
    expect(within(bubble('u2')).getByRole('textbox', { name: 'Edit your message' })).toBe(editor);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByText('And another?')).toBeInTheDocument();
  });
});

describe('continue and fork', () => {
  it('continues an answer that stopped: the new text is added to it in place', async () => {
    const user = userEvent.setup();
    const cut: StoredMessage = { ...a1, content: 'Once upon a', status: 'interrupted', can_continue: true };
    const mock = installFetch({
      'GET /api/session/s1': [sessionPage(q1, cut), sessionPage(q1, { ...cut, content: 'Once upon a time, the end.', status: 'complete', can_continue: false })],
      'POST /api/chat/continue': () =>
        sseResponse(
          sse([
            { id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a1' } },
            { id: 2, data: { type: 'token', content: ' time,' } },
            { id: 3, data: { type: 'token', content: ' the end.' } },
            { id: 4, data: { type: 'done', response: 'Once upon a time, the end.' } },
          ]),
        ),
    });
    renderChat();
    await screen.findByText('Once upon a');
    await user.click(screen.getByRole('button', { name: 'Continue this answer' }));
    await screen.findByText('Once upon a time, the end.');
    expect(posted(mock, '/api/chat/continue')).toEqual([{ message_id: 'a1', streaming: true }]);
    expect(assistants()).toHaveLength(1);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Continue this answer' })).toBeNull());
  });

  it('a finished answer offers no Continue', async () => {
    installFetch({ 'GET /api/session/s1': sessionPage(q1, a1) });
    renderChat();
    await screen.findByText('Blue.');
    expect(screen.queryByRole('button', { name: 'Continue this answer' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Regenerate this answer' })).toBeEnabled();
  });

  it('forks the branch into a new chat and hands it to the page', async () => {
    const user = userEvent.setup();
    const mock = installFetch({
      'GET /api/session/s1': sessionPage(q1, a1),
      'POST /api/session/s1/fork': () => jsonResponse({ status: 'success', session: { id: 's2', title: 'Colours (fork)' } }, 201),
    });
    const onForked = renderChat();
    await screen.findByText('Blue.');
    await user.click(within(bubble('a1')).getByRole('button', { name: 'Fork the conversation from here' }));
    await waitFor(() => expect(onForked).toHaveBeenCalledWith(expect.objectContaining({ id: 's2' })));
    expect(posted(mock, '/api/session/s1/fork')).toEqual([{ message_id: 'a1' }]);
  });
});

describe('retry without a duplicate', () => {
  it('re-asks the saved question (an edit with the same text) when the answer was never named', async () => {
    const user = userEvent.setup();
    const mock = installFetch({
      'GET /api/session/s1': [sessionPage(q1, a1), sessionPage(q1, a1, { ...q1, id: 'u3', content: 'Why?', parent_id: 'a1', sibling_ids: ['u2', 'u3'], sibling_index: 2, sibling_count: 2 }, { ...a1, id: 'a3', content: 'Because.', parent_id: 'u3' })],
      'POST /api/chat/': () =>
        sseResponse(sse([{ id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u2' } }, { id: 2, data: { type: 'error', error: 'The engine is not reachable.' } }])),
      'POST /api/chat/edit': () =>
        sseResponse(
          sse([
            { id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u3', assistant_message_id: 'a3' } },
            { id: 2, data: { type: 'token', content: 'Because.' } },
            { id: 3, data: { type: 'done', response: 'Because.' } },
          ]),
        ),
    });
    renderChat();
    await screen.findByText('Blue.');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Why?{Enter}');
    const failed = await screen.findByText('The engine is not reachable.');
    await user.click(within(failed.closest('.message-error') as HTMLElement).getByRole('button', { name: /Retry/ }));
    await screen.findByText('Because.');
    expect(posted(mock, '/api/chat/')).toHaveLength(1);
    expect(posted(mock, '/api/chat/edit')).toEqual([{ message_id: 'u2', message: 'Why?', streaming: true }]);
    expect(screen.getAllByText('Why?')).toHaveLength(1);
  });

  it('a failed answer loaded from the server can be retried: it is regenerated', async () => {
    const user = userEvent.setup();
    const broken: StoredMessage = { ...a1, content: '', status: 'error', error: 'The engine stopped answering' };
    const mock = installFetch({
      'GET /api/session/s1': [sessionPage(q1, broken), sessionPage(q1, { ...a1, id: 'a2', content: 'Blue.', sibling_ids: ['a1', 'a2'], sibling_index: 2, sibling_count: 2 })],
      'POST /api/chat/regenerate': () =>
        sseResponse(sse([{ id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a2' } }, { id: 2, data: { type: 'done', response: 'Blue.' } }])),
    });
    renderChat();
    const failed = await screen.findByText('The engine stopped answering');
    await user.click(within(failed.closest('.message-error') as HTMLElement).getByRole('button', { name: /Retry/ }));
    await screen.findByText('Blue.');
    expect(posted(mock, '/api/chat/regenerate')).toEqual([{ message_id: 'a1', streaming: true }]);
    expect(posted(mock, '/api/chat/')).toEqual([]);
  });
});

describe('a regenerate that fails once it has begun', () => {
  it('shows the error in place, keeps the question, and Retry regenerates the failed answer', async () => {
    const user = userEvent.setup();
    const failedA2: StoredMessage = { ...a1, id: 'a2', content: '', status: 'error', error: 'The engine is not reachable.', sibling_ids: ['a1', 'a2'], sibling_index: 2, sibling_count: 2 };
    const a3: StoredMessage = { ...a1, id: 'a3', content: 'Red.', sibling_ids: ['a1', 'a2', 'a3'], sibling_index: 3, sibling_count: 3 };
    const mock = installFetch({
      'GET /api/session/s1': [sessionPage(q1, a1), sessionPage(q1, failedA2), sessionPage(q1, a3)],
      'POST /api/chat/regenerate': [
        () => sseResponse(sse([{ id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a2' } }, { id: 2, data: { type: 'error', error: 'The engine is not reachable.' } }])),
        () => sseResponse(sse([{ id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a3' } }, { id: 2, data: { type: 'done', response: 'Red.' } }])),
      ],
    });
    renderChat();
    await screen.findByText('Blue.');
    await user.click(screen.getByRole('button', { name: 'Regenerate this answer' }));
    const failed = await screen.findByText('The engine is not reachable.');
    await waitFor(() => expect(screen.getByRole('group', { name: 'Versions of this answer' })).toHaveTextContent('2/2'));
    // A regenerate is not a new message: nothing comes back to the box.
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('');
    await user.click(within(failed.closest('.message-error') as HTMLElement).getByRole('button', { name: /Retry/ }));
    await screen.findByText('Red.');
    expect(posted(mock, '/api/chat/regenerate')).toEqual([
      { message_id: 'a1', streaming: true },
      { message_id: 'a2', streaming: true },
    ]);
    expect(users()).toHaveLength(1);
    await waitFor(() => expect(screen.getByRole('group', { name: 'Versions of this answer' })).toHaveTextContent('3/3'));
  });
});

describe('a regenerated answer after a refresh', () => {
  it('is resumed like any answer, with its versions', async () => {
    saveInflight({ sessionId: 's1', assistantMessageId: 'a2', userMessageId: 'u1', lastEventId: '3', content: 'Gre', userText: 'Name a colour' });
    const a2: StoredMessage = { ...a1, id: 'a2', content: 'G', status: 'in_progress', sibling_ids: ['a1', 'a2'], sibling_index: 2, sibling_count: 2 };
    const mock = installFetch({
      'GET /api/session/s1': sessionPage(q1, a2),
      'GET /api/chat/stream/a2': () => sseResponse(sse([{ id: 4, data: { type: 'token', content: 'en.' } }, { id: 5, data: { type: 'done', response: 'Green.' } }])),
    });
    renderChat();
    await waitFor(() => expect(bubble('a2')).toHaveAttribute('data-status', 'done'));
    expect(bubble('a2')).toHaveTextContent('Green.');
    const resume = mock.mock.calls.find(([url]) => String(url) === '/api/chat/stream/a2');
    expect(headerOf(resume?.[1], 'Last-Event-ID')).toBe('3');
    expect(screen.getByRole('group', { name: 'Versions of this answer' })).toHaveTextContent('2/2');
  });
});
