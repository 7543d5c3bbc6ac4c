import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFetch, jsonResponse } from '../test/fakeServer';
import { SessionTransfer } from './SessionTransfer';

afterEach(() => vi.unstubAllGlobals());

describe('<SessionTransfer>', () => {
  it('downloads the open chat as Markdown with the server’s file name', async () => {
    const user = userEvent.setup();
    installFetch({
      'GET /api/session/s1/export': (url) =>
        new Response('# Chat\n\nhello', { headers: { 'Content-Type': 'text/markdown', 'Content-Disposition': `attachment; filename="chat-s1.md"` }, status: url.searchParams.get('format') === 'markdown' ? 200 : 400 }),
    });
    const createObjectURL = vi.fn(() => 'blob:x');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    render(<SessionTransfer sessionId="s1" onImported={() => undefined} />);
    await user.click(screen.getByRole('button', { name: /Export chat \(Markdown\)/ }));
    expect(await screen.findByText('Exported as chat-s1.md.')).toBeInTheDocument();
    expect(click).toHaveBeenCalledOnce();
    click.mockRestore();
  });

  it('imports a JSON export and reports a file that is not one', async () => {
    const user = userEvent.setup();
    const onImported = vi.fn();
    const post = vi.fn((_u: URL, init: RequestInit) => jsonResponse({ status: 'success', session: { id: 's9', title: JSON.parse(String(init.body)).session.title } }, 201));
    installFetch({ 'POST /api/session/import': post });
    render(<SessionTransfer sessionId={null} onImported={onImported} />);
    const input = screen.getByLabelText('Chat export file to import');
    await user.upload(input, new File([JSON.stringify({ session: { title: 'Old talk' }, messages: [] })], 'chat.json', { type: 'application/json' }));
    await waitFor(() => expect(onImported).toHaveBeenCalledWith({ id: 's9', title: 'Old talk' }));
    await user.upload(input, new File(['not json'], 'chat.json', { type: 'application/json' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('not a JSON export');
  });
});
