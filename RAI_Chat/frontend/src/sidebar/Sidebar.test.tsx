import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { ToastProvider } from '../ui/Toasts';
import { Sidebar } from './Sidebar';
import { useSessionList } from './useSessionList';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function Harness() {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState<string | null>('s1');
  const list = useSessionList(query);
  return (
    <Sidebar
      list={list}
      query={query}
      onQueryChange={setQuery}
      activeId={active}
      onSelect={setActive}
      onNewChat={() => setActive(null)}
      user={{ id: 'u', username: 'ada', is_admin: false, created_at: '2026-01-01T00:00:00Z' }}
      onOpenMemory={() => undefined}
      onOpenSettings={() => undefined}
      onLogout={() => undefined}
      open={false}
      onClose={() => undefined}
    />
  );
}

const page1 = { status: 'success', sessions: [{ id: 's1', title: 'Trip to Lisbon', updated_at: '2025-01-02T10:00:00Z' }, { id: 's2', title: null }], next_cursor: 'c2' };
const page2 = { status: 'success', sessions: [{ id: 's3', title: 'Old chat' }], next_cursor: null };

function renderSidebar() {
  return render(
    <ToastProvider>
      <Harness />
    </ToastProvider>,
  );
}

describe('<Sidebar>', () => {
  it('lists chats, newest first, and loads the next page', async () => {
    const user = userEvent.setup();
    const fetchMock = installFetch({ 'GET /api/session/': [() => jsonResponse(page1), () => jsonResponse(page2)] });
    renderSidebar();
    expect(await screen.findByText('Trip to Lisbon')).toBeInTheDocument();
    expect(screen.getByText('New chat', { selector: '.session-title' })).toBeInTheDocument();
    const open = screen.getByRole('link', { name: /^Trip to Lisbon/ });
    expect(open).toHaveAttribute('aria-current', 'page');
    expect(open.getAttribute('href')).toMatch(/\/c\/.+/);
    await user.click(screen.getByRole('button', { name: 'Load more chats' }));
    expect(await screen.findByText('Old chat')).toBeInTheDocument();
    expect(String(fetchMock.mock.calls[1][0])).toContain('cursor=c2');
    expect(screen.queryByRole('button', { name: 'Load more chats' })).toBeNull();
  });

  it('searches with the q parameter', async () => {
    const user = userEvent.setup();
    const fetchMock = installFetch({ 'GET /api/session/': (url) => jsonResponse(url.searchParams.get('q') ? page2 : page1) });
    renderSidebar();
    await screen.findByText('Trip to Lisbon');
    await user.type(screen.getByRole('searchbox', { name: 'Search chats' }), 'old');
    expect(await screen.findByText('Old chat')).toBeInTheDocument();
    expect(screen.queryByText('Trip to Lisbon')).toBeNull();
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes('q=old'))).toBe(true);
  });

  it('renames a chat in place', async () => {
    const user = userEvent.setup();
    const patch = vi.fn((_url: URL, init: RequestInit) => jsonResponse({ status: 'success', session: { id: 's1', title: JSON.parse(String(init.body)).title } }));
    installFetch({ 'GET /api/session/': () => jsonResponse(page1), 'PATCH /api/session/s1': patch });
    renderSidebar();
    await user.click(await screen.findByRole('button', { name: 'Rename “Trip to Lisbon”' }));
    const input = screen.getByLabelText('New name for “Trip to Lisbon”');
    await user.clear(input);
    await user.type(input, 'Porto weekend{Enter}');
    expect(await screen.findByText('Porto weekend')).toBeInTheDocument();
    expect(patch).toHaveBeenCalledOnce();
  });

  it('deletes a chat after the undo delay, and undo keeps it', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const del = vi.fn(() => jsonResponse({ status: 'success' }));
    installFetch({ 'GET /api/session/': () => jsonResponse(page1), 'DELETE /api/session/s1': del });
    renderSidebar();
    await user.click(await screen.findByRole('button', { name: 'Delete “Trip to Lisbon”' }));
    expect(screen.queryByText('Trip to Lisbon', { selector: '.session-title' })).toBeNull();
    await user.click(within(screen.getByRole('status')).getByRole('button', { name: 'Undo' }));
    expect(screen.getByText('Trip to Lisbon', { selector: '.session-title' })).toBeInTheDocument();
    await act(async () => vi.advanceTimersByTime(10_000));
    expect(del).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Delete “Trip to Lisbon”' }));
    await act(async () => vi.advanceTimersByTime(10_000));
    await waitFor(() => expect(del).toHaveBeenCalledOnce());
    expect(screen.queryByText('Trip to Lisbon', { selector: '.session-title' })).toBeNull();
  });
});
