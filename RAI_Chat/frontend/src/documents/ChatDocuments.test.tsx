import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DocumentInfo } from '../api/types';
import { ChatView } from '../chat/ChatView';
import { installFetch, jsonResponse, sse, sseResponse } from '../test/fakeServer';
import { ToastProvider } from '../ui/Toasts';
import { LibraryPanel } from './LibraryPanel';

const doc = (patch: Partial<DocumentInfo> = {}): DocumentInfo => ({
  id: 'd1',
  filename: 'notes.md',
  status: 'queued',
  pages_total: null,
  pages_done: 0,
  error: null,
  session_ids: [],
  ...patch,
});

function Harness({ initial = null as string | null }) {
  const [sessionId, setSessionId] = useState<string | null>(initial);
  return <ChatView sessionId={sessionId} model={null} onSessionStarted={setSessionId} onTurnFinished={() => undefined} />;
}

const chips = () => screen.queryByRole('list', { name: 'Attached documents' });
const chip = (name: string) => within(chips() as HTMLElement).getByText(name).closest('li') as HTMLElement;
const file = (name = 'notes.md', text = '# Notes\n\nThe launch code is 4417.') => new File([text], name, { type: 'text/markdown' });

beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('documents in the chat', () => {
  it('attaches a file to a new chat, follows its progress to ready, and sends its id with the first message', async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    let chatBody: Record<string, unknown> | null = null;
    let uploaded: FormData | null = null;
    const fetchMock = installFetch({
      'POST /api/documents': (_u, init) => {
        uploaded = init.body as FormData;
        return jsonResponse({ status: 'success', document: doc() }, 202);
      },
      'GET /api/documents/d1': [
        () => jsonResponse({ status: 'success', document: doc({ status: 'extracting', pages_total: 3, pages_done: 1 }) }),
        () => jsonResponse({ status: 'success', document: doc({ status: 'ready', pages_total: 3, pages_done: 3, chunk_count: 4 }) }),
      ],
      'GET /api/session/s1/documents': () => jsonResponse({ status: 'success', documents: [doc({ status: 'ready', pages_total: 3, pages_done: 3, session_ids: ['s1'] })] }),
      'POST /api/chat/': (_u, init) => {
        chatBody = JSON.parse(String(init.body));
        return sseResponse(
          sse([
            { id: 1, data: { type: 'session', session_id: 's1', user_message_id: 'u1', assistant_message_id: 'a1' } },
            { id: 2, data: { type: 'done', response: 'It is 4417 [1].', sources: [] } },
          ]),
        );
      },
    });
    render(<Harness />);
    await user.upload(screen.getByTestId('attach-input'), file());
    expect(await screen.findByText('Queued')).toBeInTheDocument();
    expect(uploaded!.get('session_id')).toBeNull();
    expect(await screen.findByText('Extracting 1/3 pages')).toBeInTheDocument();
    expect(within(chip('notes.md')).getByRole('progressbar')).toHaveAttribute('value', '1');
    expect(await screen.findByText('Ready')).toBeInTheDocument();
    const polls = () => fetchMock.mock.calls.filter(([url]) => String(url) === '/api/documents/d1').length;
    expect(polls()).toBe(2);
    // Ready: no more polling.
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(polls()).toBe(2);

    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'What is the launch code?{Enter}');
    await waitFor(() => expect(document.querySelector('[data-role="assistant"]')).toHaveAttribute('data-status', 'done'));
    expect(chatBody).toMatchObject({ message: 'What is the launch code?', document_ids: ['d1'] });
    // The chat got its session: the chip stays, now as attached to it.
    expect(chip('notes.md')).toHaveAttribute('data-status', 'ready');
    expect(within(chip('notes.md')).getByRole('button', { name: 'Detach notes.md from this chat' })).toBeInTheDocument();
  });

  it('shows the reason a file was refused, and the message box still works', async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    installFetch({
      'POST /api/documents': () => jsonResponse({ status: 'error', error: 'Unsupported file type: this file is an executable, not a PDF' }, 415),
    });
    render(<Harness />);
    await user.upload(screen.getByTestId('attach-input'), file('report.pdf', 'MZ\x90\x00'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Failed: Unsupported file type: this file is an executable, not a PDF');
    expect(chip('report.pdf')).toHaveAttribute('data-status', 'failed');
    await user.click(within(chip('report.pdf')).getByRole('button', { name: 'Remove report.pdf' }));
    expect(chips()).toBeNull();
  });

  it('in an open chat: shows its documents, uploads to it, detaches one', async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const sent: FormData[] = [];
    const detached: string[] = [];
    installFetch({
      'GET /api/session/s1': () => jsonResponse({ status: 'success', session: { id: 's1', title: 'Chat' }, messages: [] }),
      'GET /api/session/s1/documents': () => jsonResponse({ status: 'success', documents: [doc({ id: 'd0', filename: 'old.pdf', status: 'ready', session_ids: ['s1'] })] }),
      'POST /api/documents': (_u, init) => {
        sent.push(init.body as FormData);
        return jsonResponse({ status: 'success', document: doc({ id: 'd2', filename: 'new.md', status: 'ready', session_ids: ['s1'] }) }, 202);
      },
      'DELETE /api/session/s1/documents/d0': () => {
        detached.push('d0');
        return jsonResponse({ status: 'success' });
      },
    });
    render(<Harness initial="s1" />);
    expect(await screen.findByText('old.pdf')).toBeInTheDocument();
    await user.upload(screen.getByTestId('attach-input'), file('new.md'));
    await screen.findByText('new.md');
    expect(sent[0].get('session_id')).toBe('s1');
    await user.click(screen.getByRole('button', { name: 'Detach old.pdf from this chat' }));
    await waitFor(() => expect(screen.queryByText('old.pdf')).toBeNull());
    expect(detached).toEqual(['d0']);
  });

  it('attaches a dropped file and a pasted one; stops polling when the chat view goes away', async () => {
    let n = 0;
    const fetchMock = installFetch({
      'POST /api/documents': (_u, init) => {
        const f = (init.body as FormData).get('file') as File;
        n += 1;
        return jsonResponse({ status: 'success', document: doc({ id: `d${n}`, filename: f.name }) }, 202);
      },
      'GET /api/documents/d1': () => jsonResponse({ status: 'success', document: doc({ id: 'd1', filename: 'dropped.txt', status: 'extracting' }) }),
      'GET /api/documents/d2': () => jsonResponse({ status: 'success', document: doc({ id: 'd2', filename: 'pasted.txt', status: 'extracting' }) }),
    });
    const { unmount } = render(<Harness />);
    const chat = screen.getByRole('region', { name: 'Chat' });
    const dropped = file('dropped.txt', 'dropped text');
    fireEvent.dragEnter(chat, { dataTransfer: { types: ['Files'], files: [dropped] } });
    expect(screen.getByText('Drop files to attach them to this chat')).toBeInTheDocument();
    fireEvent.drop(chat, { dataTransfer: { types: ['Files'], files: [dropped] } });
    expect(screen.queryByText('Drop files to attach them to this chat')).toBeNull();
    fireEvent.paste(screen.getByRole('textbox', { name: 'Message' }), { clipboardData: { files: [file('pasted.txt', 'pasted')] } });
    await screen.findByText('dropped.txt');
    await screen.findByText('pasted.txt');
    await waitFor(() => expect(screen.getAllByText('Extracting')).toHaveLength(2));
    const polls = () => fetchMock.mock.calls.filter(([url]) => String(url).startsWith('/api/documents/d')).length;
    unmount();
    const before = polls();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polls()).toBe(before);
  });

  it('a document from the library joins a new chat and goes with its first message; one deleted there leaves the chat', async () => {
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    let chatBody: Record<string, unknown> | null = null;
    installFetch({
      'GET /api/documents': () => jsonResponse({ status: 'success', documents: [doc({ id: 'd7', filename: 'manual.pdf', status: 'ready' }), doc({ id: 'd8', filename: 'old.txt', status: 'ready' })], next_cursor: null }),
      'DELETE /api/documents/d8': () => jsonResponse({ status: 'success' }),
      'POST /api/chat/': (_u, init) => {
        chatBody = JSON.parse(String(init.body));
        return sseResponse(sse([{ id: 1, data: { type: 'session', session_id: 's9', user_message_id: 'u1', assistant_message_id: 'a1' } }, { id: 2, data: { type: 'done', response: 'Yes.' } }]));
      },
    });
    render(
      <ToastProvider>
        <Harness />
        <LibraryPanel open onClose={() => undefined} sessionId={null} />
      </ToastProvider>,
    );
    await user.click(await screen.findByRole('button', { name: 'Attach manual.pdf to this chat' }));
    await user.click(screen.getByRole('button', { name: 'Attach old.txt to this chat' }));
    expect(chip('manual.pdf')).toHaveAttribute('data-status', 'ready');
    await user.click(screen.getByRole('button', { name: 'Delete old.txt' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(within(chips() as HTMLElement).queryByText('old.txt')).toBeNull());
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Is it in the manual?{Enter}');
    await waitFor(() => expect(chatBody).toMatchObject({ document_ids: ['d7'] }));
  });
});
