import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { ToastProvider } from '../ui/Toasts';
import { MemoryPanel } from './MemoryPanel';

afterEach(() => vi.unstubAllGlobals());

function renderPanel(onOpenSession = vi.fn()) {
  render(
    <ToastProvider>
      <MemoryPanel open onClose={() => undefined} onOpenSession={onOpenSession} />
    </ToastProvider>,
  );
  return onOpenSession;
}

describe('<MemoryPanel>', () => {
  it('lists facts with where they came from; adds, edits and deletes one', async () => {
    const user = userEvent.setup();
    const calls: string[] = [];
    installFetch({
      'GET /api/memory/facts': () => jsonResponse({ status: 'success', facts: [{ id: 'f1', fact: 'user_name=Jordan', status: 'active', source_message_id: 'm1', source_session_id: 's1' }] }),
      'POST /api/memory/facts': (_u, init) => {
        calls.push(`POST ${init.body}`);
        return jsonResponse({ status: 'success', fact: { id: 'f2', fact: JSON.parse(String(init.body)).fact, source: 'manual' } }, 201);
      },
      'PATCH /api/memory/facts/f2': (_u, init) => {
        calls.push(`PATCH ${init.body}`);
        return jsonResponse({ status: 'success', fact: { id: 'f2', fact: JSON.parse(String(init.body)).fact } });
      },
      'DELETE /api/memory/facts/f1': () => {
        calls.push('DELETE f1');
        return jsonResponse({ status: 'success' });
      },
    });
    const onOpenSession = renderPanel();
    const first = (await screen.findByText('user_name=Jordan')).closest('li') as HTMLElement;
    expect(first).toHaveTextContent('Learned in a chat');
    // The fact links to the message it came from: the chat opens there.
    await user.click(within(first).getByRole('link', { name: 'the message it came from' }));
    expect(onOpenSession).toHaveBeenCalledWith('s1');

    await user.type(screen.getByLabelText('A fact to remember'), 'Likes tea{Enter}');
    const added = (await screen.findByText('Likes tea')).closest('li') as HTMLElement;
    expect(added).toHaveTextContent('Added by you');

    await user.click(within(added).getByRole('button', { name: 'Edit fact: Likes tea' }));
    const input = screen.getByLabelText('Edit the fact');
    await user.clear(input);
    await user.type(input, 'Likes green tea{Enter}');
    expect(await screen.findByText('Likes green tea')).toBeInTheDocument();

    // Deleting hides the fact with Undo; the DELETE goes only when the toast is gone.
    await user.click(screen.getByRole('button', { name: 'Delete fact: user_name=Jordan' }));
    await waitFor(() => expect(screen.queryByText('user_name=Jordan')).toBeNull());
    await user.click(within(screen.getByRole('status')).getByRole('button', { name: 'Undo' }));
    expect(await screen.findByText('user_name=Jordan')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete fact: user_name=Jordan' }));
    expect(calls).not.toContain('DELETE f1');
    await user.click(within(screen.getByRole('status')).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(calls).toEqual(['POST {"fact":"Likes tea"}', 'PATCH {"fact":"Likes green tea"}', 'DELETE f1']));
    expect(screen.queryByText('user_name=Jordan')).toBeNull();
  });

  it('searches episodic memory and forgets everything after confirmation', async () => {
    const user = userEvent.setup();
    const forget = vi.fn(() => jsonResponse({ status: 'success' }));
    installFetch({
      'GET /api/memory/facts': () => jsonResponse({ status: 'success', facts: [] }),
      'GET /api/memory/search': (url) => jsonResponse({ status: 'success', results: [{ id: 'e1', text: `We talked about ${url.searchParams.get('q')}`, score: 0.9, session_id: 's1' }] }),
      'DELETE /api/memory/': forget,
    });
    renderPanel();
    await user.type(screen.getByRole('searchbox', { name: 'Search archived memory' }), 'sailing{Enter}');
    const hit = (await screen.findByText('We talked about sailing')).closest('li') as HTMLElement;
    // A rank, never the raw relevance score.
    expect(hit).toHaveTextContent('#1');
    expect(hit).not.toHaveTextContent('0.9');
    await user.click(screen.getByRole('button', { name: 'Forget everything…' }));
    expect(forget).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Yes, forget everything' }));
    await waitFor(() => expect(forget).toHaveBeenCalledOnce());
  });

  it('shows an API error where it happened', async () => {
    const user = userEvent.setup();
    installFetch({
      'GET /api/memory/facts': () => jsonResponse({ status: 'success', facts: [] }),
      'POST /api/memory/facts': () => jsonResponse({ status: 'error', error: 'fact must not be empty' }, 400),
    });
    renderPanel();
    await user.type(screen.getByLabelText('A fact to remember'), 'x{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('fact must not be empty');
  });
});
