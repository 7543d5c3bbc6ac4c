import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { ToastProvider } from '../ui/Toasts';
import { MemoryPanel } from './MemoryPanel';
import { followMessageHash, HIGHLIGHT_CLASS, highlightMessage, messageHref } from './openMessage';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  document.body.innerHTML = '';
});

const LYON = { id: 'f2', fact: "The user's city is Lyon", status: 'active', source_message_id: 'm2', source_session_id: 's1' };
const PARIS = { id: 'f1', fact: "The user's city is Paris", status: 'active', source_message_id: 'm1', source_session_id: 's1' };
const MANUAL = { id: 'f3', fact: 'Likes tea', status: 'active', source_message_id: null, source_session_id: null };

function renderPanel(onOpenSession = vi.fn(), onClose = vi.fn()) {
  render(
    <ToastProvider>
      <MemoryPanel open onClose={onClose} onOpenSession={onOpenSession} />
    </ToastProvider>,
  );
  return { onOpenSession, onClose };
}

function addMessage(id: string): HTMLElement {
  const element = document.createElement('article');
  element.className = 'message';
  element.dataset.messageId = id;
  element.scrollIntoView = vi.fn();
  document.body.append(element);
  return element;
}

describe('facts and the messages they came from', () => {
  it('links each captured fact to its message and opens the chat there', async () => {
    const user = userEvent.setup();
    installFetch({ 'GET /api/memory/facts': () => jsonResponse({ status: 'success', facts: [LYON, MANUAL] }) });
    const { onOpenSession } = renderPanel();
    const item = (await screen.findByText("The user's city is Lyon")).closest('li') as HTMLElement;
    const link = within(item).getByRole('link', { name: 'the message it came from' });
    expect(link).toHaveAttribute('href', '/c/s1#message-m2');
    // A fact added by hand has no message, and nothing to undo.
    const manual = screen.getByText('Likes tea').closest('li') as HTMLElement;
    expect(within(manual).queryByRole('link')).toBeNull();
    expect(within(manual).queryByRole('button', { name: /Undo capture/ })).toBeNull();

    await user.click(link);
    expect(onOpenSession).toHaveBeenCalledWith('s1');
    // The chat shows the message a moment later: it is scrolled to and highlighted.
    const message = addMessage('m2');
    await waitFor(() => expect(message).toHaveClass(HIGHLIGHT_CLASS));
    expect(message.scrollIntoView).toHaveBeenCalled();
  });

  it('undoes a capture in one click and shows the fact it had replaced', async () => {
    const user = userEvent.setup();
    const undo = vi.fn(() => jsonResponse({ status: 'success', undone: LYON, restored: [PARIS] }));
    installFetch({
      'GET /api/memory/facts': () => jsonResponse({ status: 'success', facts: [LYON, MANUAL] }),
      'POST /api/memory/facts/f2/undo': undo,
    });
    renderPanel();
    await user.click(await screen.findByRole('button', { name: "Undo capture: The user's city is Lyon" }));
    expect(undo).toHaveBeenCalledOnce();
    expect(await screen.findByText("The user's city is Paris")).toBeInTheDocument();
    expect(screen.queryByText("The user's city is Lyon")).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent("“The user's city is Paris” is back.");
  });

  it('says why an undo failed, next to the fact', async () => {
    const user = userEvent.setup();
    installFetch({
      'GET /api/memory/facts': () => jsonResponse({ status: 'success', facts: [LYON] }),
      'POST /api/memory/facts/f2/undo': () => jsonResponse({ status: 'error', error: 'Fact not found' }, 404),
    });
    renderPanel();
    await user.click(await screen.findByRole('button', { name: "Undo capture: The user's city is Lyon" }));
    const item = screen.getByText("The user's city is Lyon").closest('li') as HTMLElement;
    expect(await within(item).findByRole('alert')).toHaveTextContent('Fact not found');
  });
});

describe('highlightMessage', () => {
  it('highlights a message already shown, for a few seconds', () => {
    vi.useFakeTimers();
    const message = addMessage('m9');
    highlightMessage('m9');
    expect(message).toHaveClass(HIGHLIGHT_CLASS);
    act(() => vi.advanceTimersByTime(5000));
    expect(message).not.toHaveClass(HIGHLIGHT_CLASS);
  });

  it('follows #message-<id> in the address and gives up on a message that never comes', () => {
    vi.useFakeTimers();
    const stop = followMessageHash('#message-m%207');
    const message = addMessage('m 7');
    return Promise.resolve().then(() => {
      expect(message).toHaveClass(HIGHLIGHT_CLASS);
      stop?.();
      expect(followMessageHash('#other')).toBeUndefined();
      expect(messageHref('s 1', 'm/2')).toBe('/c/s%201#message-m%2F2');
    });
  });
});
